r"""Evaluates a model's style predictor on held-out paintings.

  python -m magenta_style.evaluate_predictor --model DIR \
      --paintings_dir DIR --content_dir EVAL_PHOTOS --output_dir DIR \
      [--finetune_photos TRAINING_PHOTOS] [--vgg_weights vgg19_notop.h5]

For each of --paintings held-out paintings (the held-out part of
train_predictor's split, evenly spaced), the pastiches of the evaluation
photos with the predicted embedding are scored against the painting (its
predictor view): style loss, and its ratio to the photos' own style loss;
content loss, against the unrelated-photo level. With --finetune_photos,
the first --finetune_count of them are also fine-tuned (the transformer
frozen, as ``finetune``, at its default rate for each start) from γ = 1,
β = 0 and from the prediction, and the style loss on the evaluation photos
is recorded at each of --finetune_checkpoints steps (from the prediction,
only until it is as low as the identity start's last). --strength_paintings
paintings get the strength study. Writes predictor_report.json and
predictor_sheet.jpg.
"""

from __future__ import annotations

import dataclasses
import json
import os

import numpy as np
from absl import flags

from magenta_style import cli, constants
from magenta_style.cli import model_flags

flags.DEFINE_string("paintings_dir", None,
                    "The painting corpus train_predictor was given.")
flags.DEFINE_integer("holdout_every", 10,
                     "The hold-out rule of train_predictor.", lower_bound=2)
flags.DEFINE_integer("paintings", 24,
                     "How many held-out paintings to evaluate (evenly "
                     "spaced).", lower_bound=1)
flags.DEFINE_string("content_dir", None,
                    "Evaluation photos (not training ones).")
flags.DEFINE_string("output_dir", None, "Folder for the report and sheet.")
flags.DEFINE_integer("size", 256, "Longer side of the evaluation photos, px.",
                     lower_bound=constants.MIN_IMAGE_SIDE)
flags.DEFINE_string("finetune_photos", None,
                    "Training photos for the fine-tuning comparison "
                    "(omitted: no fine-tuning).")
flags.DEFINE_integer("finetune_count", 8,
                     "Paintings to fine-tune (the first evaluated ones).",
                     lower_bound=1)
flags.DEFINE_list("finetune_checkpoints", ["25", "50", "100", "150", "200"],
                  "Fine-tuning steps per painting at which the style loss is "
                  "measured (the paintings train together, so the run takes "
                  "this many steps per painting: each sees as many crops as "
                  "in a one-style fine-tune of this length).")
flags.DEFINE_integer("finetune_image_size", 128,
                     "Crop side of the fine-tuning photos, px.",
                     lower_bound=constants.MIN_IMAGE_SIDE)
flags.DEFINE_integer("finetune_batch_size", 4, "Fine-tuning batch.",
                     lower_bound=1)
flags.DEFINE_integer("strength_paintings", 3,
                     "Paintings in the strength study.", lower_bound=0)
flags.adopt_module_key_flags(model_flags)
FLAGS = flags.FLAGS


def evenly_spaced(items: list, count: int) -> list:
    """``count`` items spread over ``items`` (all if there are fewer)."""
    if count >= len(items):
        return list(items)
    return [items[i] for i in np.linspace(0, len(items) - 1, count).round()
            .astype(int)]


def main(argv) -> None:
    del argv
    for name in ("paintings_dir", "content_dir", "output_dir"):
        cli.require(getattr(FLAGS, name) is not None, f"--{name} is required")
    steps = sorted({int(s) for s in FLAGS.finetune_checkpoints})
    cli.require(all(s > 0 for s in steps), "--finetune_checkpoints must be > 0")
    output_dir = cli.writable_dir(FLAGS.output_dir)

    from magenta_style.imaging.files import atomic_file
    from magenta_style.imaging.folders import decode_each, list_images
    from magenta_style.imaging.images import open_image, save_image
    from magenta_style.network.model import load_model, model_file
    from magenta_style.runtime.contract import read_style_view
    from magenta_style.objective import evaluation
    from magenta_style.objective.loss_config import LossConfig
    from magenta_style.objective.losses import PerceptualLoss
    from magenta_style.objective.vgg import load_vgg19
    from magenta_style.studies import figures, staged
    from magenta_style.training import paintings
    from magenta_style.training.config import TrainConfig
    from magenta_style.training.pipeline import PhotoFolder

    model = load_model(FLAGS.model, vgg_weights=FLAGS.vgg_weights)
    cli.require(model.has_predictor, "the model has no style predictor")
    _, held_out = paintings.corpus(FLAGS.paintings_dir, FLAGS.holdout_every)
    chosen = evenly_spaced(held_out, FLAGS.paintings)
    names = [os.path.basename(p) for p in chosen]
    views = [read_style_view(p) for p in chosen]
    photos, photo_paths, _ = decode_each(
        list_images(FLAGS.content_dir),
        lambda p: open_image(p, max_side=FLAGS.size))
    cli.require(bool(photos), f"no readable image in {FLAGS.content_dir}")
    perceptual = PerceptualLoss(load_vgg19(FLAGS.vgg_weights))
    grams = perceptual.grams(np.stack(views))
    predicted = model.predict_embeddings(views)
    print(f"{len(chosen)} held-out paintings, {len(photos)} photos at "
          f"{FLAGS.size} px", flush=True)

    def scores(rows: np.ndarray) -> list[dict]:
        return [evaluation.embedding_losses(model, perceptual, photos, grams,
                                            i, row)
                for i, row in enumerate(rows)]

    rows = []
    for name, result in zip(names, scores(predicted)):
        rows.append({"painting": name, **result,
                     "ratio": result["style"] / result["photo_style"]})
        print(f"{name[:28]:<28} style {result['style']:8.3f}  photo "
              f"{result['photo_style']:8.3f}  ratio {rows[-1]['ratio']:.3f}"
              f"  content {result['content']:.3f}", flush=True)
    report = {
        "model": os.path.abspath(model_file(FLAGS.model or constants.DEFAULT_MODEL_NAME)),
        "photos": [os.path.basename(p) for p in photo_paths],
        "size": FLAGS.size, "paintings": rows,
        "median_ratio": float(np.median([r["ratio"] for r in rows])),
        "unrelated_content": evaluation.unrelated_content(perceptual, photos,
                                                          grams),
    }
    print(f"median ratio {report['median_ratio']:.3f}; content loss median "
          f"{np.median([r['content'] for r in rows]):.3f} (unrelated photos "
          f"{report['unrelated_content']:.3f})", flush=True)

    report["strength"] = [
        {"painting": names[i], **evaluation.strength_study(
            model, perceptual, photos, grams, i, predicted[i])}
        for i in range(min(FLAGS.strength_paintings, len(chosen)))]
    for study in report["strength"]:
        print(f"strength {study['painting']}: Spearman "
              f"{study['spearman']:.3f}", flush=True)

    finetuned = None
    if FLAGS.finetune_photos:
        count = min(FLAGS.finetune_count, len(chosen))
        sub = {k: v[:count] for k, v in grams.items()}
        # finetune_curve sets the steps of each stage, run() the rate of
        # each start (finetune's defaults).
        config = TrainConfig(
            image_size=FLAGS.finetune_image_size,
            batch_size=FLAGS.finetune_batch_size,
            checkpoint_every=steps[0] * count, strategy="default",
            loss=LossConfig(),
            vgg_weights=FLAGS.vgg_weights)
        content = PhotoFolder(FLAGS.finetune_photos)
        curves, rates = {}, constants.DEFAULT_FINETUNE_LEARNING_RATES

        def measure(new_rows):
            return [evaluation.embedding_losses(
                model, perceptual, photos, sub, i, row)["style"]
                for i, row in enumerate(new_rows)]

        def run(label, start, enough=None):
            print(f"fine-tuning {count} paintings from {label} ...",
                  flush=True)
            return staged.finetune_curve(
                model, names[:count], views[:count], start, steps,
                dataclasses.replace(config, learning_rate=rates[label]),
                content, os.path.join(output_dir, f"finetune_{label}"),
                measure, enough)

        curves["identity"], finetuned = run("identity", None)
        identity_final = float(np.median(curves["identity"][steps[-1]]))

        def as_low_as_identity(scores) -> bool:
            return np.median(scores) <= identity_final

        # The predicted start stops once it is as good as identity's end.
        curves["predicted"], _ = run("predicted", predicted[:count],
                                     as_low_as_identity)
        report["finetune"] = {
            "paintings": names[:count], "steps": [0, *steps],
            "learning_rate": {label: rates[label] for label in curves},
            "style_loss_median": {label: [float(np.median(scores))
                                          for scores in curve.values()]
                                  for label, curve in curves.items()},
            "predicted_over_finetuned": [
                r["style"] / f for r, f in zip(rows, curves["identity"][
                    steps[-1]])],
            "predicted_start_reaches_identity_final_at": next(
                (s for s, scores in curves["predicted"].items()
                 if as_low_as_identity(scores)), None),
        }
        report["finetune"]["predicted_over_finetuned_median"] = float(
            np.median(report["finetune"]["predicted_over_finetuned"]))
        print(json.dumps(report["finetune"], indent=1), flush=True)

    sheet_rows, shown = [], min(len(chosen), 10)
    for i in range(shown):
        row = [views[i]]
        for photo in photos[:2]:
            row.append(model.stylize(photo, predicted[i]))
            if finetuned is not None:
                row.append(model.stylize(photo, finetuned[i])
                           if i < len(finetuned) else None)
        sheet_rows.append(row)
    labels = ["painting (held out)"] + (
        ["predicted", f"fine-tuned {steps[-1]}"] if finetuned is not None
        else ["predicted"]) * 2
    sheet = figures.image_grid(sheet_rows, labels)
    save_image(sheet.astype("float32") / 255.0,
               os.path.join(output_dir, "predictor_sheet.jpg"))
    with atomic_file(os.path.join(output_dir, "predictor_report.json")) as tmp, \
            open(tmp, "w") as f:
        json.dump(report, f, indent=1)
    print(f"wrote predictor_report.json and predictor_sheet.jpg to "
          f"{output_dir}", flush=True)


console_main = cli.entry_point(main)  # the console script (setup.py)


if __name__ == "__main__":
    console_main()
