"""Measuring a trained model: losses of its pastiches, interpolation, sheets.

Losses are the training objective's (PerceptualLoss with the model's own
style targets), measured on whole photos at a fixed size, so numbers from
different models and baselines compare directly.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import tensorflow as tf
from PIL import Image
from scipy.stats import spearmanr

from magenta_style.imaging.images import to_uint8
from magenta_style.network.model import StylizationModel
from magenta_style.objective.losses import PerceptualLoss


def losses_against(perceptual: PerceptualLoss, images: np.ndarray,
                   photos: np.ndarray, grams: dict, style: int
                   ) -> dict[str, np.ndarray]:
    """Per-image weighted content/style losses of ``images`` [B, H, W, 3].

    Content targets are ``photos`` (same shape); style targets are row
    ``style`` of ``grams``.
    """
    targets = {k: tf.repeat(v[style:style + 1], len(images), axis=0)
               for k, v in grams.items()}
    out = perceptual.losses(tf.constant(images),
                            perceptual.content_features(tf.constant(photos)),
                            targets)
    return {k: v.numpy() for k, v in out.items()}


def style_table(model: StylizationModel, untrained: StylizationModel,
                perceptual: PerceptualLoss, grams: dict,
                photos: Sequence[np.ndarray]) -> list[dict]:
    """Per style: mean losses of pastiches, unstylized photos and an untrained net.

    Also the content loss between different photos ("unrelated"), the scale
    at which content counts as lost.
    """
    rows = []
    unrelated = [losses_against(
        perceptual, tf.image.resize(photos[j], photos[i].shape[:2])[None].numpy(),
        photos[i][None], grams, 0)["content"][0]
        for i in range(len(photos)) for j in range(len(photos)) if i != j]
    for index, name in enumerate(model.style_names):
        row = {"style": name}
        for label, net in (("pastiche", model), ("untrained", untrained)):
            losses = [losses_against(perceptual,
                                     net.stylize(p, index)[None], p[None],
                                     grams, index) for p in photos]
            row[f"{label}_style"] = float(np.mean([l["style"] for l in losses]))
            row[f"{label}_content"] = float(np.mean([l["content"]
                                                     for l in losses]))
        row["photo_style"] = float(np.mean([
            losses_against(perceptual, p[None], p[None], grams, index)["style"]
            for p in photos]))
        row["unrelated_content"] = float(np.mean(unrelated)) if unrelated else 0.0
        rows.append(row)
    return rows


def interpolation(model: StylizationModel, perceptual: PerceptualLoss,
                  grams: dict, photos: Sequence[np.ndarray], a: str, b: str,
                  steps: int = 11) -> dict:
    """Style losses w.r.t. ``a`` and ``b`` as ``a``'s weight goes 0 → 1."""
    ia, ib = model.style_index(a), model.style_index(b)
    weights = np.linspace(0.0, 1.0, steps)
    loss_a, loss_b = [], []
    for w in weights:
        blend = {ia: float(w), ib: float(1 - w)}
        la, lb = [], []
        for p in photos:
            pastiche = model.stylize(p, blend)[None]
            la.append(losses_against(perceptual, pastiche, p[None], grams,
                                     ia)["style"][0])
            lb.append(losses_against(perceptual, pastiche, p[None], grams,
                                     ib)["style"][0])
        loss_a.append(float(np.mean(la)))
        loss_b.append(float(np.mean(lb)))
    return {"a": a, "b": b, "weight_a": weights.tolist(),
            "style_loss_a": loss_a, "style_loss_b": loss_b,
            "spearman_a": float(spearmanr(weights, loss_a).statistic),
            "spearman_b": float(spearmanr(1 - weights, loss_b).statistic)}


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
    from PIL import ImageDraw

    columns = 1 + max(model.num_styles, len(blends))
    header = 24
    sheet = Image.new("RGB", (columns * cell, header + (len(photos) + 1) * cell),
                      "white")
    draw = ImageDraw.Draw(sheet)
    for c, name in enumerate(["photo", *model.style_names]):
        draw.text((c * cell + 4, 6), name, fill="black")

    def paste(image, row, column):
        tile = Image.fromarray(to_uint8(image))
        tile.thumbnail((cell - 4, cell - 4), Image.Resampling.LANCZOS)
        sheet.paste(tile, (column * cell + (cell - tile.width) // 2,
                           header + row * cell + (cell - tile.height) // 2))

    for r, photo in enumerate(photos):
        for c, image in enumerate([photo, *model.stylize_styles(photo)]):
            paste(image, r, c)
    last = len(photos)
    paste(photos[0], last, 0)
    for c, blend in enumerate(blends, 1):
        paste(model.stylize(photos[0], blend), last, c)
        label = " + ".join(f"{model.style_names[k] if isinstance(k, int) else k}"
                           f" {w:.0%}" for k, w in blend.items())
        draw.text((c * cell + 4, header + last * cell + 2), label[:30],
                  fill="black")
    return np.asarray(sheet)
