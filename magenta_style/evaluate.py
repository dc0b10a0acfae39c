r"""Evaluates a trained model: losses per style, interpolation, contact sheet.

  python -m magenta_style.evaluate --model DIR --styles_dir DIR \
      --content_dir PHOTOS --output_dir DIR [--vgg_weights vgg19_notop.h5]

Writes report.json, interpolation.png and contact_sheet.png, and prints the
tables. Evaluation photos must not be training photos. --optimum_photos N
adds the distance to the optimum: the network's total loss as a multiple of
what the optimization method (``optimize``) reaches with the same loss.
--precision float32 computes the pastiches exactly (auto: bfloat16 where the
CPU has it, 50-58 dB from float32). --compare_with MODEL adds
side_by_side.png: each photo in each style from both models.
"""

from __future__ import annotations

import json
import os

import numpy as np
from absl import flags

from magenta_style import cli, constants
from magenta_style.cli import model_flags, precision_flags
from magenta_style.errors import MagentaStyleError

flags.DEFINE_string("styles_dir", None,
                    "Folder holding the model's style images (by file name).")
flags.DEFINE_string("content_dir", None, "Evaluation photos (not training ones).")
flags.DEFINE_string("output_dir", None, "Folder for the report and images.")
flags.DEFINE_integer("size", 512, "Longer side of the evaluation photos, px.",
                     lower_bound=constants.MIN_IMAGE_SIDE)
flags.DEFINE_integer("style_size", 512, "Longer side of the style images, px.",
                     lower_bound=constants.MIN_IMAGE_SIDE)
flags.DEFINE_list("interpolate", None,
                  "Two styles for the interpolation study (default: the "
                  "first two).")
flags.DEFINE_integer("seed", 0, "Seed of the untrained baseline network.")
flags.DEFINE_integer("optimum_photos", 0,
                     "Distance to the optimum: for this many photos (0: not "
                     "measured) and --optimum_styles, the network's loss as "
                     "a multiple of what the optimization method reaches.",
                     lower_bound=0)
flags.DEFINE_list("optimum_styles", None,
                  "Styles for the distance to the optimum (default: all).")
flags.DEFINE_integer("optimum_size", 256,
                     "Longer side of the photos for the optimum, px.",
                     lower_bound=constants.MIN_IMAGE_SIDE)
flags.DEFINE_integer("optimum_iterations",
                     constants.DEFAULT_OPTIMIZE_ITERATIONS,
                     "L-BFGS iterations of the optimization method.",
                     lower_bound=1)
flags.DEFINE_string("compare_with", None,
                    "Another model with the same style names: side_by_side.png "
                    "shows each photo in each style from both.")
flags.DEFINE_string("optimum_from", None,
                    "report.json of an earlier run with the same style "
                    "images, loss, --optimum_size and --optimum_iterations: "
                    "its optima are reused (pairs it lacks are computed), "
                    "to compare models without optimizing again.")
flags.adopt_module_key_flags(model_flags)
flags.adopt_module_key_flags(precision_flags)
FLAGS = flags.FLAGS


def print_tables(report: dict) -> None:
    """The report as readable tables on stdout."""
    print(f"{'style':<18} {'pastiche':>9} {'photo':>9} {'untrained':>9} "
          f"{'ratio':>6} | {'content':>8} {'untrained':>9} {'unrelated':>9}")
    for r in report["styles"]:
        print(f"{r['style'][:18]:<18} {r['pastiche_style']:>9.3f} "
              f"{r['photo_style']:>9.3f} {r['untrained_style']:>9.3f} "
              f"{r['pastiche_style'] / r['photo_style']:>6.3f} | "
              f"{r['pastiche_content']:>8.3f} {r['untrained_content']:>9.3f} "
              f"{r['unrelated_content']:>9.3f}")
    study = report["interpolation"]
    print(f"\ninterpolation {study['a']} → {study['b']}")
    print(f"{'w(a)':>5} {'L_style(a)':>11} {'L_style(b)':>11}")
    for w, la, lb in zip(study["weight_a"], study["style_loss_a"],
                         study["style_loss_b"]):
        print(f"{w:>5.1f} {la:>11.3f} {lb:>11.3f}")
    print(f"Spearman ρ(weight a, loss a) = {study['spearman_a']:.3f}, "
          f"ρ(weight b, loss b) = {study['spearman_b']:.3f}")


def optimum_rows(model, perceptual, paths: list[str], references: list,
                 grams: dict, known: dict[tuple[str, str], dict]) -> dict:
    """Distance to the optimum for --optimum_photos photos and
    --optimum_styles (``references``: the style images, ``grams``: their
    Gram targets, by table row), printed as it goes; optima not ``known`` by
    (photo, style) are computed (minutes each)."""
    from magenta_style.imaging.images import open_image
    from magenta_style.objective import evaluation

    styles = [model.style_index(s) for s in FLAGS.optimum_styles
              or model.style_names]
    rows = []
    for path in paths[:FLAGS.optimum_photos]:
        photo = open_image(path, max_side=FLAGS.optimum_size)
        name = os.path.basename(path)
        for index in styles:
            optimum = known.get((name, model.style_names[index])) or (
                evaluation.optimum(perceptual, photo, references[index],
                                   FLAGS.optimum_iterations))
            row = {"photo": name, **evaluation.distance_to_optimum(
                model, perceptual, photo, index, grams, optimum)}
            rows.append(row)
            print(f"optimum {row['photo']} {row['style']}: network "
                  f"{row['network_total']:.3f} vs optimum "
                  f"{row['optimum_total']:.3f} = {row['ratio']:.2f}x "
                  f"(passed at iteration {row['optimum_passes_network_at']})",
                  flush=True)
    return {"size": FLAGS.optimum_size, "rows": rows,
            "median_ratio": float(np.median([r["ratio"] for r in rows]))}


def recorded_optima(path: str) -> dict[tuple[str, str], dict]:
    """The optima of an earlier report by (photo, style), if they were made
    at --optimum_size with --optimum_iterations (rows of reports older than
    the optimum curve are left out, and computed again)."""
    from magenta_style.objective.evaluation import OPTIMUM_KEYS

    try:
        with open(path) as f:
            section = json.load(f)["optimum"]
        size, rows = section["size"], section["rows"]
        optima = {(row["photo"], row["style"]):
                  {k: row[k] for k in OPTIMUM_KEYS}
                  for row in rows if "optimum_curve" in row}
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise MagentaStyleError(
            f"cannot read the optima of --optimum_from {path}: "
            f"{type(error).__name__} {error}") from None
    cli.require(size == FLAGS.optimum_size,
                f"the optima in {path} are at {size} px, not "
                f"--optimum_size {FLAGS.optimum_size}")
    return {key: row for key, row in optima.items()
            if row["iterations"] == FLAGS.optimum_iterations}


def main(argv) -> None:
    del argv
    for name in ("styles_dir", "content_dir", "output_dir"):
        cli.require(getattr(FLAGS, name) is not None, f"--{name} is required")
    output_dir = cli.writable_dir(FLAGS.output_dir)

    import keras

    from magenta_style.imaging.files import atomic_file
    from magenta_style.imaging.folders import (
        decode_each,
        find_style_images,
        list_images,
    )
    from magenta_style.imaging.images import open_image, save_image
    from magenta_style.network.model import (
        StylizationModel,
        load_model,
        model_file,
    )
    from magenta_style.objective import evaluation
    from magenta_style.objective.losses import PerceptualLoss
    from magenta_style.objective.vgg import load_vgg19
    from magenta_style.studies import figures
    from magenta_style.training.loop import recorded_loss_config

    known = recorded_optima(FLAGS.optimum_from) if FLAGS.optimum_from else {}
    model = load_model(FLAGS.model, FLAGS.precision, FLAGS.vgg_weights)
    pair = FLAGS.interpolate or model.style_names[:2]
    cli.require(len(pair) == 2, "--interpolate takes two style names")
    for name in pair:
        model.style_index(name)
    photos, paths, _ = decode_each(
        list_images(FLAGS.content_dir),
        lambda p: open_image(p, max_side=FLAGS.size))
    cli.require(bool(paths), f"no readable image in {FLAGS.content_dir}")
    loss = recorded_loss_config(FLAGS.model and model_file(FLAGS.model))
    print("loss: " + ("as recorded by the model's training run" if loss
                      else "the default weights and layers"), flush=True)
    perceptual = PerceptualLoss(load_vgg19(FLAGS.vgg_weights),
                                *([loss] if loss else []))
    references = find_style_images(model.style_names, model.style_info,
                                   FLAGS.styles_dir, FLAGS.style_size)
    grams = perceptual.style_grams(references)
    keras.utils.set_random_seed(FLAGS.seed)
    untrained = StylizationModel(model.style_names, model.alpha,
                                  architecture=model.architecture)

    print(f"evaluating {model.num_styles} styles on {len(photos)} photos ...",
          flush=True)
    report = {
        "model": os.path.abspath(model_file(FLAGS.model or constants.DEFAULT_MODEL_NAME)),
        "photos": [
            os.path.basename(p) for p in paths], "size": FLAGS.size,
        "styles": evaluation.style_table(model, untrained, perceptual, grams,
                                         photos),
        "interpolation": evaluation.interpolation(model, perceptual, grams,
                                                  photos, *pair),
    }
    if FLAGS.optimum_photos:
        report["optimum"] = optimum_rows(model, perceptual, paths,
                                         references, grams, known)
    figures.plot_interpolation(report["interpolation"], os.path.join(
        output_dir, "interpolation.png"))
    n = model.num_styles
    blends = [{i: 0.5, (i + 1) % n: 0.5} for i in range(n)] if n > 1 else []
    sheet = figures.contact_sheet(model, photos, blends)
    save_image(sheet.astype("float32") / 255.0,
               os.path.join(output_dir, "contact_sheet.png"))
    if FLAGS.compare_with:
        other = load_model(FLAGS.compare_with, FLAGS.precision,
                           FLAGS.vgg_weights)
        sheet = figures.side_by_side(
            [(FLAGS.model or constants.DEFAULT_MODEL_NAME, model),
             (FLAGS.compare_with, other)], photos)
        save_image(sheet.astype("float32") / 255.0,
                   os.path.join(output_dir, "side_by_side.png"))
    with atomic_file(os.path.join(output_dir, "report.json")) as tmp, \
            open(tmp, "w") as f:
        json.dump(report, f, indent=1)
    print_tables(report)
    print(f"wrote report.json, interpolation.png, contact_sheet.png to "
          f"{output_dir}", flush=True)


console_main = cli.entry_point(main)  # the console script (setup.py)


if __name__ == "__main__":
    console_main()
