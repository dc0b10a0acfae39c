r"""Adds styles to a trained model by training only their embeddings.

  python -m magenta_style.finetune --model DIR --style_images A.jpg[,B.jpg] \
      --content_dir DIR --output_dir DIR [--vgg_weights vgg19_notop.h5] \
      [--steps N ...]

The transformer (every convolution) stays frozen and the existing styles'
rows of the style table stay bit for bit as they were; one new row per
style image, starting at γ = 1, β = 0 (or, with --init predicted, at the
embedding the model's style predictor gives the image), is trained with
the objective, data pipeline, checkpoints and flags of ``train`` (only the
new styles are sampled; the default --learning_rate is 20x train's, as
only embeddings train, and 5x train's from a prediction, which starts near
the end). Rerunning with the same --output_dir resumes. Writes
OUTPUT_DIR/model.keras: the old styles plus the new ones, named after the
image files. With --controls the new styles also get their stroke and
intensity points afterwards (train_controls' three runs, in
OUTPUT_DIR/controls, at its default steps and rate: about 25 minutes more
for the fast network on 2 CPU cores, 36 for the full one).
"""

from __future__ import annotations

import dataclasses
import os

from absl import flags

from magenta_style import cli, constants
from magenta_style.cli import model_flags, train_flags

flags.DEFINE_list("style_images", None,
                  "Image file(s) of the new style(s); the file names without "
                  "extension become the style names.")
flags.DEFINE_enum("init", "identity", ["identity", "predicted"],
                  "Where new styles start: identity (γ = 1, β = 0) or "
                  "predicted (the style predictor's embedding of the image; "
                  "fewer steps, and --learning_rate defaults to "
                  f"{constants.DEFAULT_PREDICTED_FINETUNE_LEARNING_RATE:g}).")
flags.DEFINE_bool("controls", False,
                  "Then train the new styles' stroke and intensity points "
                  "(stylize --stroke, --strength above 1; see train_controls "
                  "for their cost).")
flags.mark_flag_as_required("style_images")
flags.adopt_module_key_flags(train_flags)  # and loss_flags: listed by --help
flags.adopt_module_key_flags(model_flags)
FLAGS = flags.FLAGS
# Only a few thousand embedding values train: a larger step than train's.
FLAGS.set_default("learning_rate", constants.DEFAULT_FINETUNE_LEARNING_RATE)


def main(argv) -> None:
    """Flags → TrainConfig → training.loop.train on the new rows. TensorFlow is
    imported here, not with the module, so that --help is quick and quiet."""
    del argv
    from magenta_style.imaging.folders import load_style_image, style_name
    from magenta_style.network.model import load_model
    from magenta_style.runtime.contract import read_style_image
    from magenta_style.stylebook import table
    from magenta_style.stylebook.table import style_record
    from magenta_style.training import distribute

    config = train_flags.train_config()
    if not FLAGS["learning_rate"].present:  # the default of this start
        rate = constants.DEFAULT_FINETUNE_LEARNING_RATES[FLAGS.init]
        config = dataclasses.replace(config, learning_rate=rate)
    strategy = distribute.create_strategy(config)  # before any other TF work
    output_dir = cli.writable_dir(FLAGS.output_dir)
    base = model_flags.base_model(output_dir)
    names = [style_name(p) for p in FLAGS.style_images]
    images = [load_style_image(p, config.style_size)
              for p in FLAGS.style_images]
    info = [{**style_record(p, image, "finetune", config.steps,
                             config.style_size),
             "init": FLAGS.init}
            for p, image in zip(FLAGS.style_images, images)]
    table.check_new_style_names(base, names)
    start = (base.predict_embeddings([read_style_image(p)
                                      for p in FLAGS.style_images])
             if FLAGS.init == "predicted" else None)
    print(f"base: {base.num_styles} style(s) ({', '.join(base.style_names)}),"
          f" {base.architecture} network, alpha {base.alpha:g}; new: "
          f"{', '.join(names)}", flush=True)

    def build_stylizer():
        return table.add_new_styles(base, names, info, start)

    new_rows = range(base.num_styles, base.num_styles + len(names))
    path = train_flags.train_and_report(config, build_stylizer, images,
                                        output_dir, strategy,
                                        trainable_styles=new_rows)
    if FLAGS.controls and path:
        from magenta_style.stylebook.table import save_model
        from magenta_style.training.controls import train_control_points

        controlled = train_control_points(
            load_model(path, vgg_weights=FLAGS.vgg_weights), names,
            FLAGS.style_images, dataclasses.replace(
                config, steps=constants.CONTROL_STEPS,
                learning_rate=constants.CONTROL_LEARNING_RATE),
            train_flags.content_source(), os.path.join(output_dir, "controls"),
            strategy)
        save_model(controlled, path)
        print(f"stroke and intensity points added to {path}", flush=True)


console_main = cli.entry_point(main)  # the console script (setup.py)


if __name__ == "__main__":
    console_main()
