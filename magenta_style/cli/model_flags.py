"""The flags of every tool that reads a trained model: --model, and
--vgg_weights for its style predictor's backbone."""

from absl import flags

from magenta_style.cli import vgg_flags

flags.adopt_module_key_flags(vgg_flags)

flags.DEFINE_string("model", None,
                    "Trained model: a training output folder or its .keras "
                    "file (default: the model shipped with the package; "
                    "never modified).")
