r"""Trains stroke-size and intensity points for styles of a model, so that
stylize --stroke and --strength above 1 work for them.

  python -m magenta_style.train_controls --model DIR --style_images A.jpg[,B.jpg] \
      --content_dir DIR --output_dir DIR [--vgg_weights vgg19_notop.h5] \
      [--steps N ...]

Each image's file name (without extension) names a style of the model, and
the image is that style's painting. Per style, three points of the
embedding space are trained, each starting at the style's own embedding and
with every convolution frozen (runtime.controls): the painting at half and
at twice the style size the style was trained at (--stroke_scales), and the
style loss at 4x its weight. That is three fine-tuning runs
(OUTPUT_DIR/stroke_small, stroke_large, intense) of --steps each, shared by
all the styles given: with the defaults (600 steps, batch 4, 128 px crops)
about 8 minutes per run for the fast network on 2 CPU cores, 12 for the
full one. Rerunning resumes.
Writes OUTPUT_DIR/model.keras: the model with those styles' points.
"""

from __future__ import annotations

from absl import flags

from magenta_style import cli, constants
from magenta_style.cli import model_flags, train_flags
from magenta_style.errors import MagentaStyleError
from magenta_style.runtime.controls import (
    STROKE_LARGE,
    STROKE_SMALL,
    check_stroke_scales,
)

flags.DEFINE_list("style_images", None,
                  "The paintings of the styles to control; each file's name "
                  "without extension is the style's name in the model.")
flags.mark_flag_as_required("style_images")
flags.DEFINE_list("stroke_scales", ["0.5", "2"],
                  "SMALL,LARGE: the stroke points' painting sizes ÷ the "
                  "style's own (--stroke 0.5 and 2 render those points). "
                  "Wider than the default for a style whose strokes follow "
                  "less (README, 'Stroke size and intensity').")


def stroke_scales(values: list[str]) -> dict[str, float]:
    """--stroke_scales as runtime.controls' mapping; raises ValueError or
    MagentaStyleError (check_stroke_scales) for a wrong value."""
    small, large = map(float, values)
    scales = {STROKE_SMALL: small, STROKE_LARGE: large}
    check_stroke_scales(scales)
    return scales


def _valid_stroke_scales(values: list[str]) -> bool:
    try:
        stroke_scales(values)
    except ValueError:
        raise flags.ValidationError("must be two numbers SMALL,LARGE")
    except MagentaStyleError as error:
        raise flags.ValidationError(str(error))
    return True


flags.register_validator("stroke_scales", _valid_stroke_scales)
flags.adopt_module_key_flags(train_flags)
flags.adopt_module_key_flags(model_flags)
FLAGS = flags.FLAGS
# Defaults of a control point's run (training.controls).
FLAGS.set_default("steps", constants.CONTROL_STEPS)
FLAGS.set_default("learning_rate", constants.CONTROL_LEARNING_RATE)
FLAGS.set_default("image_size", constants.CONTROL_IMAGE_SIZE)
FLAGS.set_default("batch_size", constants.CONTROL_BATCH_SIZE)
FLAGS.set_default("checkpoint_every", constants.CONTROL_CHECKPOINT_EVERY)


def main(argv) -> None:
    """Flags → training.controls.train_control_points → OUTPUT_DIR/model.keras."""
    del argv
    import os

    from magenta_style.imaging.folders import style_name
    from magenta_style.stylebook import table
    from magenta_style.training import distribute
    from magenta_style.training.controls import train_control_points

    config = train_flags.train_config()
    strategy = distribute.create_strategy(config)
    output_dir = cli.writable_dir(FLAGS.output_dir)
    model = model_flags.base_model(output_dir)
    names = [style_name(p) for p in FLAGS.style_images]
    for name in names:
        model.style_index(name)  # an unknown name fails here, not after training
    print(f"controls for {', '.join(names)} of the {model.architecture} "
          f"network (alpha {model.alpha:g})", flush=True)
    controlled = train_control_points(
        model, names, FLAGS.style_images, config,
        train_flags.content_source(), output_dir, strategy,
        stroke_scales(FLAGS.stroke_scales))
    path = os.path.join(output_dir, constants.MODEL_FILENAME)
    table.save_model(controlled, path)
    print(f"model written to {path}", flush=True)


console_main = cli.entry_point(main)  # the console script (setup.py)


if __name__ == "__main__":
    console_main()
