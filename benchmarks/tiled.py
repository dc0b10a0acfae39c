r"""Tiled rendering against the whole-image pass, where that still fits.

  python -m benchmarks.tiled [--model fast] [--sizes 2048,4096] \
      [--styles starry_night,klimt_the_kiss,matisse_dance]

For each size, a photo enlarged to a square of that side is rendered in each
style whole (the network's own pass) and in tiles (rendering.tiles, as the
render plan keeps features in memory), in the same precision, one after the
other (median of --runs each). Prints the
PSNR of the tiled pastiche against the whole one, the mean absolute
vertical gradient across the borders of the output's tiles ÷ the whole
pass's across the same rows (a seam would raise it; each layer has tiles of
its own, and the output's are those of the last), and seconds per megapixel
of both; the CPU and its measured peaks first.
"""

from __future__ import annotations

import os
import time

import numpy as np
from absl import app, flags

from benchmarks import DATA, cpu_model, print_markdown_table

flags.DEFINE_string("model", None, "Model (default: the bundled one).")
flags.DEFINE_list("sizes", ["2048", "4096"], "Square sides (px).")
flags.DEFINE_list("styles", ["starry_night", "klimt_the_kiss",
                             "matisse_dance"], "Styles rendered.")
flags.DEFINE_string("photo", os.path.join(DATA, "content", "tubingen.jpg"),
                    "The photo enlarged to each size.")
flags.DEFINE_string("precision", "auto", "Precision of both passes.")
flags.DEFINE_integer("runs", 1, "Timed runs of each pass (median).")
FLAGS = flags.FLAGS


def border_gradient(image: np.ndarray, borders: list[int]) -> float:
    """Mean |row r − row r−1| over the rows r at ``borders``."""
    steps = np.abs(np.diff(image, axis=0)).mean(axis=(1, 2))  # row r+1 − r
    return float(steps[[b - 1 for b in borders]].mean())


def main(argv) -> None:
    del argv
    from benchmarks.common import format_peaks, peaks
    from magenta_style.imaging.images import open_image
    from magenta_style.measurement import psnr
    from magenta_style.network.model import load_model
    from magenta_style.rendering.plan import plan_render

    print(f"CPU: {cpu_model()}")
    print(format_peaks(peaks()), flush=True)
    model = load_model(FLAGS.model, FLAGS.precision)
    print(f"model: {model.network}, precision "
          f"{model.transformer.dtype_policy.compute_dtype}", flush=True)
    rows = []
    for side in (int(s) for s in FLAGS.sizes):
        photo = open_image(FLAGS.photo, enlarge_to=side)[:side, :side]
        for style in FLAGS.styles:
            embedding = model.embedding(style)
            tiled_plan = plan_render((side, side), None, model.network, 1,
                                     "the photo", tiled=True)
            whole_times, tiled_times = [], []
            if style == FLAGS.styles[0]:  # traced at this size, not timed
                model.stylize(photo, style)
            for _ in range(FLAGS.runs):
                start = time.perf_counter()
                whole = model.stylize(photo, style)
                whole_times.append(time.perf_counter() - start)
                start = time.perf_counter()
                parts = list(next(model.render_rows(
                    photo, embedding[None], tiled_plan)))
                tiled_times.append(time.perf_counter() - start)
            tiled = np.concatenate(parts)
            borders = list(np.cumsum([len(p) for p in parts])[:-1])
            megapixels = side * side / 1e6
            # A seam would raise the gradient across a border above the
            # whole pass's at the same rows (a ratio to the rest of the
            # image would measure the photo instead, with so few rows).
            row = (side, style, psnr(tiled, whole),
                   border_gradient(tiled, borders)
                   / border_gradient(whole, borders) if borders
                   else float("nan"),
                   np.median(whole_times) / megapixels,
                   np.median(tiled_times) / megapixels)
            rows.append(row)
            print(f"{side}² {style}: {row[2]:.1f} dB, border gradient "
                  f"{row[3]:.3f}×, whole {row[4]:.3f} s/MP, tiled "
                  f"{row[5]:.3f} s/MP ({row[5] / row[4]:.2f}×)", flush=True)
            del whole, tiled, parts
    print_markdown_table(
        ["size", "style", "PSNR tiled vs whole",
         "gradient at tile borders, tiled ÷ whole", "whole s/MP",
         "tiled s/MP", "tiled ÷ whole"],
        [[f"{side}²", style, f"{db:.1f} dB", f"{ratio:.3f}",
          f"{whole_s:.3f}", f"{tiled_s:.3f}", f"{tiled_s / whole_s:.2f}"]
         for side, style, db, ratio, whole_s, tiled_s in rows])


if __name__ == "__main__":
    app.run(main)
