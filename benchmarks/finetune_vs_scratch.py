r"""A new style by fine-tuning its embedding vs. a new network from scratch.

  python -m benchmarks.finetune_vs_scratch \
      [--base_model DIR | --base_styles starry_night,the_scream --base_steps 400] \
      [--new_style udnie] [--steps_list 50,200,500] [--image_size 128] \
      [--batch_size 4] [--work_dir DIR]

Both arms run ``magenta_style.training.loop.train`` with one TrainConfig
(``dataclasses.replace`` sets each arm's rate and steps: the same data pipeline, losses,
seed, learning rate, precision and image size): fine-tuning trains only the
new style's row of a trained multi-style model (``python -m
magenta_style.finetune``), the baseline trains a fresh single-style network.
Each arm resumes from its own checkpoint from one K to the next, so the K
rows are points on one run per arm, and records its losses at each K in
``losses.json``; with the same --work_dir, a rerun (e.g. with another
--finetune_learning_rate or --base_model) reuses what was measured. Losses are
the training objective on center crops (``--image_size``) of held-out
photos (``--eval_dir``), with the new style's Gram targets; K = 0 is the
base model with the new row at γ = 1, β = 0, and the untrained network. The base model is trained inside
the script on --base_styles unless --base_model is given (it must not have
--new_style).
"""

import dataclasses
import math
import os
import tempfile

from absl import app, flags

from benchmarks import DATA
from magenta_style import constants
from magenta_style.cli import loss_flags
from magenta_style.network.precision import PRECISIONS

flags.DEFINE_string("styles_dir", os.path.join(DATA, "styles"),
                    "Style images (the base styles and --new_style).")
flags.DEFINE_string("content_dir", os.path.join(DATA, "photos"),
                    "Training photos.")
flags.DEFINE_integer("image_size", 128, "Training crop side, px.")
flags.DEFINE_integer("batch_size", 4, "Images per step.")
flags.DEFINE_integer("style_size", constants.DEFAULT_STYLE_SIZE,
                     "Longer side of the style images, px (train's default).")
flags.DEFINE_float("learning_rate", constants.DEFAULT_LEARNING_RATE,
                   "Learning rate of the scratch arm (that of train).")
flags.DEFINE_enum("precision", "auto", list(PRECISIONS), "Training precision.")
flags.DEFINE_float("alpha", 1.0, "Width of the base network trained here.")
flags.DEFINE_enum("architecture", constants.DEFAULT_ARCHITECTURE,
                  list(constants.ARCHITECTURES),
                  "Network of the base model trained here.")

flags.DEFINE_string("base_model", None,
                    "A trained model (folder or .keras) to fine-tune; default: "
                    "train one here on --base_styles for --base_steps.")
flags.DEFINE_list("base_styles", ["starry_night", "the_scream"],
                  "Styles of the base model trained here (from --styles_dir).")
flags.DEFINE_integer("base_steps", 400, "Steps of the base model trained here.")
flags.DEFINE_string("new_style", "udnie", "The new style (from --styles_dir).")
flags.DEFINE_list("steps_list", ["50", "200", "500"],
                  "K: the step counts at which both arms are measured.")
flags.DEFINE_string("eval_dir", os.path.join(DATA, "content"),
                    "Held-out photos for the losses (center crops).")
flags.DEFINE_float("finetune_learning_rate",
                   constants.DEFAULT_FINETUNE_LEARNING_RATE,
                   "Learning rate of the fine-tuning arm (default: that of "
                   "python -m magenta_style.finetune; the scratch arm uses "
                   "--learning_rate, that of train).")
flags.DEFINE_string("work_dir", None,
                    "Folder for the runs (default: a new temporary folder). "
                    "Rerunning on the same folder resumes every run (and "
                    "reuses the base and scratch runs).")
FLAGS = flags.FLAGS

FLAGS.set_default("vgg_weights", os.path.join(DATA, "vgg19_notop.h5"))


def evaluate(model, perceptual, grams, photos, row: int) -> dict:
    """Mean weighted content/style losses of ``model``'s style ``row``."""
    import numpy as np

    from magenta_style.objective.evaluation import losses_against

    pastiches = model.stylize(photos, row)
    losses = losses_against(perceptual, pastiches, photos, grams, 0)
    content, style = float(np.mean(losses["content"])), float(
        np.mean(losses["style"]))
    return {"content": content, "style": style, "total": content + style}


def main(argv):
    del argv
    import keras
    import numpy as np
    import tensorflow as tf

    from magenta_style.imaging import folders as data
    from magenta_style.imaging.transforms import center_crop
    from magenta_style.network.model import StylizationModel, load_model
    from magenta_style.objective.losses import PerceptualLoss
    from magenta_style.objective.vgg import load_vgg19
    from magenta_style.studies.staged import train_to
    from magenta_style.stylebook import table
    from magenta_style.stylebook.table import style_record
    from magenta_style.training import distribute
    from magenta_style.training.config import TrainConfig
    from magenta_style.training.pipeline import PhotoFolder

    tf.get_logger().setLevel("ERROR")  # retracing notes of each new model
    ks = sorted({int(k) for k in FLAGS.steps_list})
    if not ks or ks[0] < 1:
        raise app.UsageError("--steps_list must be positive integers")
    config = TrainConfig(
        image_size=FLAGS.image_size, style_size=FLAGS.style_size,
        batch_size=FLAGS.batch_size, learning_rate=FLAGS.learning_rate,
        checkpoint_every=math.gcd(*ks),  # every K ends an epoch
        precision=FLAGS.precision, loss=loss_flags.loss_config(),
        vgg_weights=FLAGS.vgg_weights)
    strategy = distribute.create_strategy(config)
    content = PhotoFolder(FLAGS.content_dir)
    work = FLAGS.work_dir or tempfile.mkdtemp(prefix="finetune_vs_scratch-")
    os.makedirs(work, exist_ok=True)
    print(f"work folder: {work}", flush=True)

    _, images, paths = data.load_style_images(
        FLAGS.styles_dir, FLAGS.style_size, [FLAGS.new_style])
    new_image, new_info = images[0], style_record(paths[0], images[0],
                                                  "finetune", ks[-1])

    base_seconds = 0.0
    if FLAGS.base_model:
        base_file = FLAGS.base_model
    else:
        base_names, base_images, base_paths = data.load_style_images(
            FLAGS.styles_dir, FLAGS.style_size, FLAGS.base_styles)
        info = [style_record(p, i, "train", FLAGS.base_steps)
                for p, i in zip(base_paths, base_images)]
        base_file, base_seconds = train_to(
            dataclasses.replace(config, steps=FLAGS.base_steps),
            lambda: StylizationModel(base_names, FLAGS.alpha, info,
                                     FLAGS.architecture),
            base_images, content, os.path.join(work, "base"), strategy)
    base = load_model(base_file)
    if FLAGS.new_style in base.style_names:
        raise app.UsageError(f"the base model already has {FLAGS.new_style}; "
                             "pick another --new_style")
    row = base.num_styles

    keras.mixed_precision.set_global_policy("float32")
    perceptual = PerceptualLoss(load_vgg19(FLAGS.vgg_weights), config.loss)
    grams = perceptual.style_grams([new_image])
    photos = np.stack([center_crop(p, FLAGS.image_size)
                       for p in data.sample_images(FLAGS.eval_dir, 100)])

    results = {0: {
        "finetune": evaluate(table.add_new_styles(base, [FLAGS.new_style],
                                                    [new_info]),
                             perceptual, grams, photos, row),
        "scratch": evaluate(StylizationModel([FLAGS.new_style], base.alpha,
                                             architecture=base.architecture),
                            perceptual, grams, photos, 0)}}
    seconds = {"finetune": 0.0, "scratch": 0.0}
    learning_rate = FLAGS.learning_rate
    finetune_rate = FLAGS.finetune_learning_rate
    base_tag = os.path.splitext(os.path.basename(os.path.normpath(base_file)))[0]
    arms = {
        "finetune": (os.path.join(work, f"finetune-{base_tag}-style"
                                        f"{FLAGS.style_size}-lr"
                                        f"{finetune_rate:g}"), finetune_rate,
                     row, lambda: table.add_new_styles(
                         base, [FLAGS.new_style], [new_info]), [row]),
        "scratch": (os.path.join(work, f"scratch-style{FLAGS.style_size}-lr"
                                       f"{learning_rate:g}"),
                    learning_rate, 0, lambda: StylizationModel(
                        [FLAGS.new_style], base.alpha, [new_info],
                        base.architecture), None),
    }
    for k in ks:
        results[k] = {}
        for arm, (output_dir, rate, style_row, build, rows) in arms.items():
            recorded = read_losses(output_dir)
            if str(k) in recorded:  # measured by an earlier run of this script
                results[k][arm] = recorded[str(k)]
                continue
            path, took = train_to(
                dataclasses.replace(config, steps=k, learning_rate=rate),
                build, [new_image], content, output_dir, strategy, rows)
            keras.mixed_precision.set_global_policy("float32")
            seconds[arm] += took
            results[k][arm] = evaluate(load_model(path), perceptual, grams,
                                       photos, style_row)
            write_losses(output_dir, {**recorded, str(k): results[k][arm]})
        print(f"K={k}: " + "; ".join(
            f"{arm} style {r['style']:.4g} content {r['content']:.4g}"
            for arm, r in results[k].items()), flush=True)

    unstyled = evaluate_photos(perceptual, grams, photos)
    print()
    print(f"new style {FLAGS.new_style}; base: "
          f"{FLAGS.base_model or ', '.join(FLAGS.base_styles)} "
          f"({', '.join(base.style_names)}; alpha {base.alpha:g}"
          + (f"; trained here for {FLAGS.base_steps} steps in "
             f"{base_seconds:.0f} s" if not FLAGS.base_model else "") + ")")
    print(f"{FLAGS.image_size} px crops, batch {FLAGS.batch_size}, learning "
          f"rate {finetune_rate:g} (fine-tune) / {learning_rate:g} (scratch),"
          f" {FLAGS.precision}; losses on "
          f"{len(photos)} held-out photos ({FLAGS.eval_dir}), center crops "
          f"{FLAGS.image_size} px; the unstylized photos: style "
          f"{unstyled['style']:.3g}")
    print()
    print("| K | fine-tune style | fine-tune content | fine-tune total "
          "| scratch style | scratch content | scratch total |")
    print("|---|---|---|---|---|---|---|")
    for k in [0] + ks:
        f, s = results[k]["finetune"], results[k]["scratch"]
        print(f"| {k} | {f['style']:.3g} | {f['content']:.3g} | "
              f"{f['total']:.3g} | {s['style']:.3g} | {s['content']:.3g} | "
              f"{s['total']:.3g} |")
    print()
    print(f"training time in this run up to K={ks[-1]}: fine-tune "
          f"{seconds['finetune']:.0f} s, scratch {seconds['scratch']:.0f} s "
          "(each including start-up and VGG loading per K; 0: reused)")


def read_losses(output_dir: str) -> dict:
    """The losses an arm recorded at each K it reached, {"K": losses}.

    An arm trains from one K to the next, so its folder holds only its last
    model: losses at smaller K are known only from this record.
    """
    import json

    path = os.path.join(output_dir, "losses.json")
    if not os.path.isfile(path):
        return {}
    with open(path) as f:
        return json.load(f)


def write_losses(output_dir: str, losses: dict) -> None:
    import json

    from magenta_style.imaging.files import atomic_file

    with atomic_file(os.path.join(output_dir, "losses.json")) as tmp, \
            open(tmp, "w") as f:
        json.dump(losses, f, indent=1)


def evaluate_photos(perceptual, grams, photos) -> dict:
    """The losses of the photos themselves (style only: content is 0)."""
    import numpy as np

    from magenta_style.objective.evaluation import losses_against

    losses = losses_against(perceptual, photos, photos, grams, 0)
    return {"style": float(np.mean(losses["style"]))}


if __name__ == "__main__":
    app.run(main)
