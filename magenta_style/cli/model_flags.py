"""The flags of every tool that reads a trained model: --model, and
--vgg_weights for its style predictor's backbone."""

from absl import flags

from magenta_style import constants
from magenta_style.cli import vgg_flags

flags.adopt_module_key_flags(vgg_flags)

flags.DEFINE_string("model", None,
                    "Trained model: a training output folder, its .keras "
                    "file, or a bundled model by name: 'full' (the paper's "
                    "network) or 'fast' (4x faster, distilled from it). "
                    f"Default: {constants.DEFAULT_MODEL_NAME} "
                    f"({constants.DEVICE_MODEL_NAME} for the TFLite export). "
                    "Never modified.")
