"""Figures of a study: image grids and contact sheets, loss plots."""

from __future__ import annotations

from typing import Sequence

import numpy as np
from PIL import Image

from magenta_style.imaging.images import to_uint8
from magenta_style.network.model import StylizationModel


def image_grid(rows: Sequence[Sequence[np.ndarray | None]],
               column_labels: Sequence[str], cell: int = 192,
               captions: Sequence[Sequence[str]] | None = None) -> np.ndarray:
    """Images [H, W, 3] in [0, 1] in a grid of cell² tiles under a header of
    column labels, with an optional caption at the top of each tile (None
    leaves a tile empty). uint8 RGB."""
    from PIL import ImageDraw

    header = 24
    columns = max(len(column_labels), max(len(r) for r in rows))
    sheet = Image.new("RGB", (columns * cell, header + len(rows) * cell),
                      "white")
    draw = ImageDraw.Draw(sheet)
    for c, label in enumerate(column_labels):
        draw.text((c * cell + 4, 6), label, fill="black")
    for r, row in enumerate(rows):
        for c, image in enumerate(row):
            if image is None:
                continue
            tile = Image.fromarray(to_uint8(image))
            tile.thumbnail((cell - 4, cell - 4), Image.Resampling.LANCZOS)
            sheet.paste(tile, (c * cell + (cell - tile.width) // 2,
                               header + r * cell + (cell - tile.height) // 2))
            if captions and captions[r][c]:
                draw.text((c * cell + 4, header + r * cell + 2),
                          captions[r][c], fill="black")
    return np.asarray(sheet)


def plot_interpolation(study: dict, path: str) -> None:
    """A PNG of both style losses against the weight of style a."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.figure(figsize=(6, 3.5))
    plt.plot(study["weight_a"], study["style_loss_a"], "o-",
             label=f"style loss w.r.t. {study['a']}")
    plt.plot(study["weight_a"], study["style_loss_b"], "s-",
             label=f"style loss w.r.t. {study['b']}")
    plt.xlabel(f"weight of {study['a']} (1 − weight of {study['b']})")
    plt.ylabel("style loss")
    plt.yscale("log")
    plt.legend()
    plt.tight_layout()
    plt.savefig(path, dpi=100)
    plt.close()


def contact_sheet(model: StylizationModel, photos: Sequence[np.ndarray],
                  blends: Sequence[dict], cell: int = 192) -> np.ndarray:
    """A grid: a header of style names; a row per photo (the photo, then each
    style); a last row of the first photo in each blend. uint8 RGB."""
    rows = [[photo, *model.stylize_styles(photo)] for photo in photos]
    rows.append([photos[0], *[model.stylize(photos[0], b) for b in blends]])
    captions = [[""] * len(r) for r in rows[:-1]]
    captions.append([""] + [" + ".join(
        f"{model.style_names[k] if isinstance(k, int) else k} {w:.0%}"
        for k, w in blend.items())[:30] for blend in blends])
    return image_grid(rows, ["photo", *model.style_names], cell, captions)


def side_by_side(models: Sequence[tuple[str, StylizationModel]],
                 photos: Sequence[np.ndarray], cell: int = 160) -> np.ndarray:
    """A grid: a row per photo; the photo, then for each style of the first
    model the pastiche of each (label, model) in turn (each must have that
    style), under headers "style (label)". uint8 RGB."""
    styles = models[0][1].style_names
    pastiches = [[m.stylize_styles(photo) for photo in photos]
                 for _, m in models]
    rows = [[photo] + [pastiches[k][p][m.style_index(style)]
                       for style in styles
                       for k, (_, m) in enumerate(models)]
            for p, photo in enumerate(photos)]
    labels = ["photo"] + [f"{style[:14]} ({label})" for style in styles
                          for label, _ in models]
    return image_grid(rows, labels, cell)
