"""The --model flag of every tool that reads a trained model."""

from absl import flags

flags.DEFINE_string("model", None,
                    "Trained model: a training output folder or its .keras "
                    "file (default: the model shipped with the package; "
                    "never modified).")
