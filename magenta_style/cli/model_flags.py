"""The flags of every tool that reads a trained model: --model, and
--vgg_weights for its style predictor's backbone."""

from absl import flags

from magenta_style import constants
from magenta_style.cli import vgg_flags

flags.adopt_module_key_flags(vgg_flags)

flags.DEFINE_string("model", None,
                    "Trained model: a training output folder, its .keras "
                    "file, or a bundled model by name: 'full' (the paper's "
                    "network), 'fast' (4x faster, distilled from it) or "
                    "'video' (fast, fine-tuned for steady video). "
                    f"Default: {constants.DEFAULT_MODEL_NAME} "
                    f"({constants.DEVICE_MODEL_NAME} for the TFLite export, "
                    f"{constants.VIDEO_MODEL_NAME} for stylize_video). "
                    "Never modified.")
FLAGS = flags.FLAGS


def base_model(output_dir: str):
    """The --model a training command starts from (the bundled default
    without it), loaded in float32; refused if it lies in ``output_dir``,
    which the run would write over."""
    from magenta_style import cli
    from magenta_style.network.model import load_model, model_file

    path = model_file(FLAGS.model) if FLAGS.model else None
    if path:
        cli.require_other_folder(path, output_dir, "model")
    return load_model(path, vgg_weights=FLAGS.vgg_weights)
