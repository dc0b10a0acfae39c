r"""Trains a style predictor, so that any painting becomes a style in one pass.

  python -m magenta_style.train_predictor --paintings_dir DIR \
      --content_dir DIR --output_dir DIR [--model BASE] \
      [--vgg_weights vgg19_notop.h5] [--steps N ...]

The base model's transformer and style table stay bit for bit as they are;
a predictor P (channel statistics of frozen VGG-19 layers → a 100-value
bottleneck → a style embedding) learns to make T(c, P(s)) match painting s
under the perceptual loss, with the data pipeline, strategies, checkpoints
and flags of ``train``. Every --holdout_every-th painting (sorted) is held
out: no training sees it. Paintings are seen as their central square at
256² (--style_size does not apply). A base model that has a predictor
(for instance one whose network ``train --from_model`` trained further)
gives its predictor as the start; --nofrom_base_predictor starts anew.
Rerunning with the same --output_dir resumes. Writes
OUTPUT_DIR/model.keras: the base model with the predictor.
"""

from __future__ import annotations

from absl import flags

from magenta_style import cli
from magenta_style.cli import model_flags, train_flags

flags.DEFINE_string("paintings_dir", None,
                    "Folder of paintings (searched recursively) to learn "
                    "styles from.")
flags.DEFINE_integer("holdout_every", 10,
                     "Hold out every N-th painting in sorted order.",
                     lower_bound=2)
flags.DEFINE_boolean("from_base_predictor", True,
                     "Start from the base model's style predictor (its layout "
                     "and weights) when it has one; else, or with "
                     "--nofrom_base_predictor, from a new predictor.")
flags.mark_flag_as_required("paintings_dir")
flags.adopt_module_key_flags(train_flags)  # and loss_flags: listed by --help
flags.adopt_module_key_flags(model_flags)
FLAGS = flags.FLAGS


def main(argv) -> None:
    """Flags → TrainConfig, painting statistics → training.loop.train_predictor.
    TensorFlow is imported here, so that --help is quick and quiet."""
    del argv
    from magenta_style.network.model import attach_predictor, load_model
    from magenta_style.network.predictor import StylePredictor
    from magenta_style.objective.losses import PerceptualLoss
    from magenta_style.objective.vgg import load_vgg19
    from magenta_style.stylebook.table import table
    from magenta_style.training import distribute, paintings
    from magenta_style.training.loop import train_predictor

    config = train_flags.train_config()
    strategy = distribute.create_strategy(config)  # before any other TF work
    output_dir = cli.writable_dir(FLAGS.output_dir)
    base = load_model(FLAGS.model)  # None: the model shipped with the package
    training, held_out = paintings.corpus(FLAGS.paintings_dir,
                                          FLAGS.holdout_every)
    print(f"paintings: {len(training)} for training, {len(held_out)} held "
          f"out; base: {base.num_styles} style(s), {base.architecture} "
          f"network, alpha {base.alpha:g}", flush=True)
    vgg = load_vgg19(config.vgg_weights)
    warm = FLAGS.from_base_predictor and base.has_predictor
    predictor = StylePredictor(
        base.embedding_size, vgg=vgg,
        **(base.predictor.architecture if warm else {}))
    bank = paintings.cached_painting_bank(
        training, predictor, PerceptualLoss(vgg, config.loss), output_dir)
    if warm:
        predictor.set_weights(base.predictor.get_weights())
        print("starting from the base model's style predictor", flush=True)
    else:
        predictor.start_from(bank.statistics, table(base).mean(axis=0))

    def build_stylizer():
        return attach_predictor(base, predictor)

    path = train_predictor(config, build_stylizer, bank,
                           train_flags.content_source(), output_dir, strategy,
                           validation=train_flags.validation_photos())
    if path:
        print(f"model written to {path}", flush=True)


console_main = cli.entry_point(main)  # the console script (setup.py)


if __name__ == "__main__":
    console_main()
