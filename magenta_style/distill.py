r"""Distills a trained model into a smaller, faster network, resumably.

  python -m magenta_style.distill --content_dir DIR --output_dir DIR \
      [--teacher MODEL] [--paintings_dir DIR] [--architecture mobile] \
      [--alpha 0.25] [--steps N ...]

The student learns to reproduce the teacher's pastiches (the perceptual loss
with the teacher's pastiche as style target, and a pixel loss) for the
teacher's table styles, its predicted styles of
the paintings in --paintings_dir (every --holdout_every-th held out, as in
train_predictor) and of the content photos, and blends of them. It is
written as a model of its own (OUTPUT_DIR/model.keras) with the teacher's
styles, credits and predictor mapped into its embedding space
(training.distillation). Rerunning with the same --output_dir resumes.
"""

from __future__ import annotations

from absl import flags

from magenta_style import cli, constants
from magenta_style.cli import train_flags

flags.DEFINE_string("teacher", None,
                    "Model to distill (a training output folder or .keras "
                    "file); default: the model shipped with the package.")
flags.DEFINE_string("paintings_dir", None,
                    "Folder of paintings (searched recursively) whose "
                    "predicted styles the student learns too; needs a teacher "
                    "with a style predictor. Without it, only the teacher's "
                    "table styles and their blends.")
flags.DEFINE_integer("holdout_every", 10,
                     "Hold out every N-th painting in sorted order.",
                     lower_bound=2)
flags.DEFINE_float("alpha", 0.25, "Width multiplier of the student.",
                   lower_bound=0, upper_bound=4)
flags.DEFINE_enum("architecture", "mobile", list(constants.ARCHITECTURES),
                  "Architecture of the student (transformer module).")
flags.register_validator("alpha", lambda alpha: alpha > 0,
                         "--alpha must be in (0, 4]")
flags.adopt_module_key_flags(train_flags)
FLAGS = flags.FLAGS


def main(argv) -> None:
    """Flags → teacher, embedding bank → training.loop.distill. TensorFlow is
    imported here, so that --help is quick and quiet."""
    del argv
    from magenta_style.imaging.folders import list_images
    from magenta_style.network.model import load_model, model_file
    from magenta_style.training import distribute, paintings
    from magenta_style.training.distillation import (
        DistillationStudent,
        embedding_bank,
    )
    from magenta_style.training.loop import distill

    config = train_flags.train_config()
    strategy = distribute.create_strategy(config)  # before any other TF work
    output_dir = cli.writable_dir(FLAGS.output_dir)
    path = FLAGS.teacher and model_file(FLAGS.teacher)
    if path:
        cli.require_other_folder(path, output_dir, "teacher")
    teacher = load_model(path or None, vgg_weights=config.vgg_weights)
    styles = []
    if FLAGS.paintings_dir:
        styles, _ = paintings.corpus(FLAGS.paintings_dir, FLAGS.holdout_every)
        if FLAGS.content_dir:
            styles += list_images(FLAGS.content_dir)
    bank = embedding_bank(teacher, styles, output_dir)
    print(f"teacher: {teacher.architecture} network, alpha "
          f"{teacher.alpha:g}, {teacher.num_styles} styles; student: "
          f"{FLAGS.architecture}, alpha {FLAGS.alpha:g}; {len(bank)} "
          "embeddings to learn", flush=True)

    def build_student():
        return DistillationStudent(teacher.embedding_layout, FLAGS.alpha,
                                   FLAGS.architecture)

    path = distill(config, build_student, teacher, bank, teacher.num_styles,
                   train_flags.content_source(), output_dir, strategy,
                   validation=train_flags.validation_photos())
    if path:
        print(f"model written to {path}", flush=True)


console_main = cli.entry_point(main)  # the console script (setup.py)


if __name__ == "__main__":
    console_main()
