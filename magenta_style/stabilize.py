r"""Fine-tunes a trained model's network for video: steadier strokes under
motion, the same styles, resumably.

  python -m magenta_style.stabilize --model fast --content_dir DIR \
      --output_dir DIR [--temporal_weight 300] [--steps N ...]

The transformer learns that a small motion of the input (a turn, a zoom, a
shift of a few pixels, with a little noise) moves its pastiche by the same
motion, while each pastiche keeps the original network's look
(training.temporal: the content loss and the style loss against the
original's Grams, VGG-19 in the step). Its styles, credits and predictor are
kept. Writes OUTPUT_DIR/model.keras; rerunning with the same --output_dir
resumes. Steadiness costs style: constants.DEFAULT_TEMPORAL_WEIGHT gives the
measured trade-off. --upsampling bilinear also swaps the decoder's
nearest-neighbour upsampling, whose grid-locked strokes are most of the
flicker that fine-tuning alone leaves (the bundled video network:
--model fast --upsampling bilinear --steps 1500).
"""

from __future__ import annotations

from absl import flags

from magenta_style import cli, constants
from magenta_style.cli import model_flags, train_flags

flags.DEFINE_float("temporal_weight", constants.DEFAULT_TEMPORAL_WEIGHT,
                   "Weight of the temporal term (squared pixel difference "
                   "under motion) beside the losses that keep the original "
                   "network's look (content, style against its Grams, "
                   "--pixel_weight × L1).",
                   lower_bound=0.0)
flags.DEFINE_float("pixel_weight", constants.DEFAULT_STABILIZE_PIXEL_WEIGHT,
                   "Weight of the L1 pixel loss against the original "
                   "network's pastiches. It pins each stroke where the "
                   "original network draws it, which is what the temporal "
                   "term has to move; the style loss against the "
                   "original's Grams keeps the look without it.",
                   lower_bound=0.0)
flags.DEFINE_enum("upsampling", None, constants.UPSAMPLING,
                  "The decoder's ×2 upsampling of the fine-tuned network; "
                  "default: the model's own. bilinear frees the strokes from "
                  "the pixel grid, whose sub-pixel jumps are most of the "
                  "flicker left after fine-tuning a nearest network; the "
                  "network has to relearn its texture, so give it more "
                  "--steps (README \"Video without flicker\").")
flags.adopt_module_key_flags(model_flags)
flags.adopt_module_key_flags(train_flags)
FLAGS = flags.FLAGS
# Its own content weight: see constants.DEFAULT_TEMPORAL_WEIGHT.
FLAGS.set_default("content_weight", constants.DEFAULT_STABILIZE_CONTENT_WEIGHT)


def main(argv) -> None:
    """Flags → the model to stabilize → training.loop.stabilize."""
    del argv
    from magenta_style.network.model import load_model, model_file, rebuilt
    from magenta_style.training import distribute
    from magenta_style.training.loop import stabilize

    config = train_flags.train_config()
    strategy = distribute.create_strategy(config)  # before any other TF work
    output_dir = cli.writable_dir(FLAGS.output_dir)
    path = model_file(FLAGS.model or constants.DEVICE_MODEL_NAME)
    cli.require_other_folder(path, output_dir, "model")
    reference = load_model(path, vgg_weights=config.vgg_weights)
    upsampling = FLAGS.upsampling or reference.upsampling
    print(f"stabilizing {reference.architecture} network, alpha "
          f"{reference.alpha:g}, {reference.num_styles} styles, "
          f"{upsampling} upsampling", flush=True)

    def build_stylizer():
        return rebuilt(reference, reference.style_names,
                       reference.style_info,
                       reference.style_rows(), reference.predictor,
                       reference.control_rows(), upsampling)

    path = stabilize(config, build_stylizer, reference, FLAGS.temporal_weight,
                     FLAGS.pixel_weight, train_flags.content_source(),
                     output_dir, strategy,
                     validation=train_flags.validation_photos())
    if path:
        print(f"model written to {path}", flush=True)


console_main = cli.entry_point(main)  # the console script (setup.py)


if __name__ == "__main__":
    console_main()
