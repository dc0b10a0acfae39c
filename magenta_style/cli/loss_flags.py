"""Flags of the perceptual loss, shared by the tools that optimize it
(train, finetune, optimize), and the LossConfig they describe."""

from absl import flags

from magenta_style import constants
from magenta_style.cli import vgg_flags
from magenta_style.errors import MagentaStyleError

flags.adopt_module_key_flags(vgg_flags)
flags.DEFINE_float("content_weight", constants.DEFAULT_CONTENT_WEIGHT,
                   "Weight of the content loss (one value for all layers).")
flags.DEFINE_list("style_weights",
                  [str(w) for w in constants.DEFAULT_STYLE_WEIGHTS],
                  "Style loss weight: one for all style layers, or one per "
                  "layer of --style_layers.")
flags.DEFINE_list("content_layers", list(constants.VGG_CONTENT_LAYERS),
                  "VGG-19 layers of the content loss.")
flags.DEFINE_list("style_layers", list(constants.VGG_STYLE_LAYERS),
                  "VGG-19 layers of the style loss.")
FLAGS = flags.FLAGS


def loss_config():
    """The LossConfig the flags describe."""
    from magenta_style.objective.loss_config import LossConfig

    try:
        style_weights = tuple(float(w) for w in FLAGS.style_weights)
    except ValueError:
        raise MagentaStyleError(
            f"--style_weights must be numbers, got {FLAGS.style_weights}"
        ) from None
    return LossConfig(content_layers=tuple(FLAGS.content_layers),
                      content_weights=(FLAGS.content_weight,),
                      style_layers=tuple(FLAGS.style_layers),
                      style_weights=style_weights)
