"""Measuring a trained model: losses of its pastiches, interpolation.

Losses are the training objective's (PerceptualLoss with the model's own
style targets), measured on whole photos at a fixed size, so numbers from
different models and baselines compare directly.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import tensorflow as tf
from scipy.stats import spearmanr

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
    unrelated = unrelated_content(perceptual, photos, grams)
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
        row["unrelated_content"] = unrelated
        rows.append(row)
    return rows


def unrelated_content(perceptual: PerceptualLoss,
                      photos: Sequence[np.ndarray], grams: dict) -> float:
    """Mean content loss between different photos (each resized to the
    other's size): the level at which content counts as lost (0 for one
    photo)."""
    losses = [losses_against(
        perceptual, tf.image.resize(photos[j], photos[i].shape[:2])[None].numpy(),
        photos[i][None], grams, 0)["content"][0]
        for i in range(len(photos)) for j in range(len(photos)) if i != j]
    return float(np.mean(losses)) if losses else 0.0


def embedding_losses(model: StylizationModel, perceptual: PerceptualLoss,
                     photos: Sequence[np.ndarray], grams: dict, index: int,
                     style, strength: float = 1.0) -> dict[str, float]:
    """Mean style loss (against row ``index`` of ``grams``) and content loss
    of the photos' pastiches in ``style`` (a style, embedding or blend), and
    the photos' own style loss against that row."""
    pastiche = [losses_against(perceptual,
                               model.stylize(p, style, strength)[None],
                               p[None], grams, index) for p in photos]
    own = [losses_against(perceptual, p[None], p[None], grams, index)
           for p in photos]
    return {"style": float(np.mean([l["style"] for l in pastiche])),
            "content": float(np.mean([l["content"] for l in pastiche])),
            "photo_style": float(np.mean([l["style"] for l in own]))}


# What ``optimum`` measures: a report's rows keep them, so that another
# model can be compared with the same optima (``evaluate --optimum_from``).
OPTIMUM_KEYS = ("optimum_total", "optimum_content", "optimum_style",
                "iterations", "optimum_curve")


def optimum(perceptual: PerceptualLoss, photo: np.ndarray,
            style_image: np.ndarray, iterations: int) -> dict:
    """What the optimization method (L-BFGS from the photo) reaches on
    ``photo`` in the style of ``style_image`` after ``iterations``: its
    losses, and its total after each iteration (``optimum_curve``; entry 0
    is the photo itself)."""
    from magenta_style.objective.optimization import optimize_pastiche

    result = optimize_pastiche(perceptual, photo, style_image, iterations)
    best = result.history[-1]
    return {"optimum_total": best["total"], "optimum_content": best["content"],
            "optimum_style": best["style"], "iterations": best["iteration"],
            "optimum_curve": [h["total"] for h in result.history]}


def distance_to_optimum(model: StylizationModel, perceptual: PerceptualLoss,
                        photo: np.ndarray, style: int, grams: dict,
                        optimum_row: dict) -> dict:
    """The network's losses on ``photo`` in table style ``style`` (style
    targets: row ``style`` of ``grams``) against ``optimum_row`` (what
    ``optimum`` gave for that photo and the style's image, with the same
    loss): the total as a multiple of the optimum's, and the first iteration
    at which the optimization passes the network's total (None: never)."""
    network = losses_against(perceptual, model.stylize(photo, style)[None],
                             photo[None], grams, style)
    network_total = float(network["content"][0] + network["style"][0])
    passed = next((i for i, total in enumerate(optimum_row["optimum_curve"])
                   if total <= network_total), None)
    return {"style": model.style_names[style],
            "network_total": network_total,
            "network_content": float(network["content"][0]),
            "network_style": float(network["style"][0]),
            **optimum_row,
            "ratio": network_total / optimum_row["optimum_total"],
            "optimum_passes_network_at": passed}


def strength_study(model: StylizationModel, perceptual: PerceptualLoss,
                   photos: Sequence[np.ndarray], grams: dict, index: int,
                   style, steps: int = 11) -> dict:
    """Style loss against row ``index`` as the strength goes 0 → 1, and its
    Spearman ρ with the strength (−1: it falls monotonically)."""
    strengths = np.linspace(0.0, 1.0, steps)
    losses = [embedding_losses(model, perceptual, photos, grams, index,
                               style, float(s))["style"] for s in strengths]
    return {"strength": strengths.tolist(), "style_loss": losses,
            "spearman": float(spearmanr(strengths, losses).statistic)}


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


def scale_grams(perceptual: PerceptualLoss, painting: np.ndarray,
                sides: Sequence[int]) -> dict:
    """Gram targets [len(sides), C, C] per style layer of ``painting``
    resized to each longer side in ``sides`` (px)."""
    from magenta_style.imaging.transforms import resize

    h, w = painting.shape[:2]
    return perceptual.style_grams([
        resize(painting, max(1, round(h * side / max(h, w))),
               max(1, round(w * side / max(h, w)))) for side in sides])


def stroke_scale(perceptual: PerceptualLoss, pastiche: np.ndarray,
                 grams: dict, sides: Sequence[int]) -> float:
    """The scale of a pastiche's strokes: the painting's longer side (px)
    whose Gram matrices (``grams``, from ``scale_grams`` at ``sides``,
    ascending) it matches best, the argmin of its style loss refined by a
    parabola through the neighbours in log side. At an end of ``sides``
    it is that end (the true scale may lie beyond)."""
    return refined_argmin(np.log(np.asarray(sides, np.float64)),
                          _style_losses(perceptual, pastiche, grams))


def _style_losses(perceptual: PerceptualLoss, pastiche: np.ndarray,
                  grams: dict) -> np.ndarray:
    """Weighted style loss of one pastiche against every row of ``grams``."""
    from magenta_style.objective.losses import gram_matrix, mean_squared_error

    features = perceptual.extractor(tf.constant(pastiche[None]))
    cfg = perceptual.config
    total = 0.0
    for name, weight in zip(cfg.style_layers, cfg.style_weights):
        own = gram_matrix(features[name])
        total += weight * mean_squared_error(
            tf.repeat(own, grams[name].shape[0], axis=0), grams[name])
    return np.asarray(total, np.float64)


def refined_argmin(x: np.ndarray, y: np.ndarray) -> float:
    """exp of the minimum of the parabola through the smallest y and its two
    neighbours (x in log units), or the end point where the smallest y is
    at an end."""
    i = int(np.argmin(y))
    if i in (0, len(y) - 1):
        return float(np.exp(x[i]))
    (x0, x1, x2), (y0, y1, y2) = x[i - 1:i + 2], y[i - 1:i + 2]
    denominator = (x0 - x1) * (x0 - x2) * (x1 - x2)
    a = (x2 * (y1 - y0) + x1 * (y0 - y2) + x0 * (y2 - y1)) / denominator
    b = (x2 * x2 * (y0 - y1) + x1 * x1 * (y2 - y0) + x0 * x0 * (y1 - y2)
         ) / denominator
    return float(np.exp(np.clip(-b / (2 * a), x0, x2) if a > 0 else x[i]))
