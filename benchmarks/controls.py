r"""Stroke size and intensity, measured: does --stroke move the strokes' scale,
and does --strength above 1 add style without losing the photo?

  python -m benchmarks.controls --model M [--style_images DIR] [--content DIR] \
      [--size 512] [--sheet docs/controls_sheet.jpg] [--report FILE.json]

Stroke scale of a pastiche (objective.evaluation.stroke_scale): the longer
side of the painting, among SIDES (128 to 2048 px in steps of 2^¼), whose
Gram matrices the pastiche matches best: the argmin of its style loss
(default weights) against the painting resized to each side, refined by a
parabola in log side. A pastiche whose strokes are twice as large matches
the painting at about twice the side. For every style with controls, on
every photo of --content at --size, at each of STROKES: the scale, its
median over the photos, Spearman's ρ between the setting and that median
(and the smallest ρ of a single photo), and the range (largest ÷ smallest
median). Intensity: at each of STRENGTHS, the mean style loss against the
painting at the style's own size (512 px for the bundled styles), its ρ with
the strength, and the mean content loss beside the unrelated-photo level
(the content loss between different photos). The CPU model is printed first.
"""

from __future__ import annotations

import json
import os

from absl import app, flags

from benchmarks import DATA, cpu_model

flags.DEFINE_string("model", "fast", "The model (a name or a .keras file).")
flags.DEFINE_string("style_images", "../runs/curated",
                    "Folder of the styles' paintings, named as the styles.")
flags.DEFINE_string("content", os.path.join(DATA, "content"),
                    "Folder of the photos.")
flags.DEFINE_integer("size", 512, "Longer side of the photos (pixels).")
flags.DEFINE_list("styles", None, "Styles to measure; default: all with "
                  "controls. The sheet shows all with controls either way.")
flags.DEFINE_string("vgg_weights", os.path.join(DATA, "vgg19_notop.h5"),
                    "VGG-19 weights of the loss.")
flags.DEFINE_string("sheet", None, "Write the contact sheet (JPEG) here.")
flags.DEFINE_string("report", None, "Write the figures (JSON) here.")
FLAGS = flags.FLAGS

SIDES = [round(128 * 2 ** (k / 4)) for k in range(17)]  # px, 128 … 2048
STROKES = [0.5, 0.625, 0.75, 0.875, 1.0, 1.25, 1.5, 1.75, 2.0]
STRENGTHS = [0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]
SHEET_STROKES = [0.5, 0.75, 1.0, 1.5, 2.0]
SHEET_STRENGTHS = [1.5, 2.0]


def measure_style(model, perceptual, name: str, painting, photos) -> dict:
    """Stroke scales and intensity losses of one style on the photos."""
    import numpy as np
    from scipy.stats import spearmanr

    from magenta_style.objective.evaluation import (
        losses_against,
        scale_grams,
        stroke_scale,
    )

    grams = scale_grams(perceptual, painting, SIDES)
    scales = [[stroke_scale(perceptual, model.stylize(p, name, stroke=s),
                            grams, SIDES) for s in STROKES] for p in photos]
    medians = np.exp(np.median(np.log(scales), axis=0))
    own = SIDES.index(512)
    own_grams = {k: v[own:own + 1] for k, v in grams.items()}
    style_loss, content_loss = [], []
    for strength in STRENGTHS:
        losses = [losses_against(perceptual,
                                 model.stylize(p, name, strength)[None],
                                 p[None], own_grams, 0) for p in photos]
        style_loss.append(float(np.mean([l["style"] for l in losses])))
        content_loss.append(float(np.mean([l["content"] for l in losses])))
    return {
        "style": name, "scales": scales, "median_scale": medians.tolist(),
        "stroke_rho": float(spearmanr(STROKES, medians).statistic),
        "worst_photo_rho": float(min(spearmanr(STROKES, s).statistic
                                     for s in scales)),
        "scale_range": float(medians.max() / medians.min()),
        "style_loss": style_loss, "content_loss": content_loss,
        "strength_rho": float(spearmanr(STRENGTHS, style_loss).statistic)}


def sheet(model, styles, photo, cell: int = 224):
    """Rows: styles; columns: SHEET_STROKES, then SHEET_STRENGTHS; each
    tile the central cell² of the pastiche at 1:1, where strokes show."""
    from magenta_style.studies.figures import image_grid

    h, w = photo.shape[:2]
    top, left = (h - cell) // 2, (w - cell) // 2

    def detail(pastiche):
        return pastiche[top:top + cell, left:left + cell]

    rows = [[detail(model.stylize(photo, s, stroke=k)) for k in SHEET_STROKES]
            + [detail(model.stylize(photo, s, strength))
               for strength in SHEET_STRENGTHS] for s in styles]
    labels = ([f"stroke {k:g}" for k in SHEET_STROKES]
              + [f"strength {k:g}" for k in SHEET_STRENGTHS])
    captions = [[s] + [""] * (len(labels) - 1) for s in styles]
    return image_grid(rows, labels, cell=cell, captions=captions)


def main(argv) -> None:
    del argv
    import numpy as np

    from magenta_style.imaging.folders import list_images, style_name
    from magenta_style.imaging.images import open_image, save_image
    from magenta_style.network.model import load_model
    from magenta_style.objective.evaluation import unrelated_content
    from magenta_style.objective.losses import PerceptualLoss
    from magenta_style.objective.vgg import load_vgg19

    print(f"CPU: {cpu_model()}", flush=True)
    model = load_model(FLAGS.model, vgg_weights=FLAGS.vgg_weights)
    controlled = [n for n in model.style_names if model.has_controls(n)]
    styles = FLAGS.styles or controlled
    paintings = {style_name(p): p for p in list_images(FLAGS.style_images)}
    photos = [open_image(p, max_side=FLAGS.size)
              for p in list_images(FLAGS.content)]
    perceptual = PerceptualLoss(load_vgg19(FLAGS.vgg_weights))
    unrelated = unrelated_content(perceptual, photos, perceptual.style_grams(
        [photos[0]]))
    print(f"{len(styles)} styles, {len(photos)} photos at {FLAGS.size} px; "
          f"unrelated-photo content loss {unrelated:.2f}", flush=True)
    print("style | median stroke scale (px) at stroke "
          + " ".join(f"{s:g}" for s in STROKES)
          + " | rho | worst photo rho | range | style loss at strength "
          + " ".join(f"{s:g}" for s in STRENGTHS) + " | rho | content at 2")
    rows = []
    for name in styles:
        row = measure_style(model, perceptual, name,
                            open_image(paintings[name]), photos)
        rows.append(row)
        print(f"{name} | " + " ".join(f"{m:.0f}" for m in row["median_scale"])
              + f" | {row['stroke_rho']:.2f} | {row['worst_photo_rho']:.2f}"
              f" | {row['scale_range']:.2f}x | "
              + " ".join(f"{l:.2f}" for l in row["style_loss"])
              + f" | {row['strength_rho']:.2f} | {row['content_loss'][-1]:.2f}",
              flush=True)
    print(f"all styles: stroke rho min {min(r['stroke_rho'] for r in rows):.2f}"
          f", range min {min(r['scale_range'] for r in rows):.2f}x, strength "
          f"rho max {max(r['strength_rho'] for r in rows):.2f}, content at "
          f"strength 2 max {max(r['content_loss'][-1] for r in rows):.2f} "
          f"(unrelated {unrelated:.2f})", flush=True)
    if FLAGS.report:
        with open(FLAGS.report, "w") as f:
            json.dump({"sides": SIDES, "strokes": STROKES,
                       "strengths": STRENGTHS, "unrelated_content": unrelated,
                       "styles": rows}, f, indent=1)
    if FLAGS.sheet:
        grid = sheet(model, controlled, photos[-1])
        save_image(grid.astype(np.float32) / 255, FLAGS.sheet)
        print(f"wrote {FLAGS.sheet}", flush=True)


if __name__ == "__main__":
    app.run(main)
