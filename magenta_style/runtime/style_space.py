"""Styles as points of one embedding space: a table style by name or index,
an embedding predicted from any image, convex blends of both, strength
(identity interpolation, and past 1 the intense point) and stroke size
(runtime.controls), with the passes that render them. The Keras model
(network.model.StylizationModel) and an exported model
(runtime.exported_model.ExportedModel) share this arithmetic; each supplies
its table, its predictor and one batched pass of its transformer.
"""

from __future__ import annotations

from typing import Mapping, Sequence, Union

import numpy as np

from magenta_style.errors import MagentaStyleError
from magenta_style.rendering.plan import styles_per_pass
from magenta_style.runtime.controls import (
    CONTROL_POINTS,
    OWN,
    check_setting,
    needs_points,
    point_weights,
)

# One style: a table style by name or index, or an embedding [D].
SingleStyle = Union[str, int, np.ndarray]
# A style, or a blend: {name or index: weight}, or [(single style, weight)].
Style = Union[SingleStyle, Mapping[Union[str, int], float],
              Sequence[tuple[SingleStyle, float]]]


class StyleSpace:
    """Mixin: the styles of a model and the passes that render them.

    A subclass has ``style_names``, ``style_info`` and ``embedding_size``
    and implements ``style_rows`` (the table [N, D]), ``control_rows``
    (the control points [N, K, D], or None), ``predict_embeddings`` (images
    → [B, D]; may raise where there is no predictor) and
    ``render_embeddings`` (one batched pass of the transformer).
    """

    style_names: list[str]
    style_info: list[dict]
    embedding_size: int
    # Whether rendering.tiles can run its network layer by layer (Keras).
    renders_tiles = False

    def style_rows(self) -> np.ndarray:
        """The style table [N, D], float32."""
        raise NotImplementedError

    def control_rows(self) -> np.ndarray | None:
        """The control points [N, len(CONTROL_POINTS), D] of every style,
        float32 (meaningful where ``has_controls``), or None if no style has
        them."""
        raise NotImplementedError

    def predict_embeddings(self, images: Sequence[np.ndarray] | np.ndarray
                           ) -> np.ndarray:
        """Predicted style embeddings [B, D] of style images of any size."""
        raise NotImplementedError

    def render_embeddings(self, content: np.ndarray,
                          embeddings: np.ndarray) -> np.ndarray:
        """Pastiches [B, H, W, 3] of content [B, H, W, 3] in [0, 1] with
        embeddings [B, D], float32 in [0, 1]."""
        raise NotImplementedError

    @property
    def num_styles(self) -> int:
        return len(self.style_names)

    def style_index(self, style: str | int) -> int:
        """The row of a style given by name or index."""
        if isinstance(style, (int, np.integer)) and not isinstance(style, bool):
            if not 0 <= style < self.num_styles:
                raise MagentaStyleError(
                    f"style index {style} out of range 0..{self.num_styles - 1}")
            return int(style)
        if style in self.style_names:
            return self.style_names.index(style)
        raise MagentaStyleError(f"unknown style '{style}'; the model has: "
                                f"{', '.join(self.style_names)}")

    def has_controls(self, style: str | int) -> bool:
        """Whether a table style has its stroke and intensity points."""
        return bool(self.style_info[self.style_index(style)].get("controls"))

    def style_weights(self, style: Style) -> np.ndarray:
        """Weights [N] over the table styles: one-hot, or a normalised blend
        (each style at most once) of table styles only."""
        weights = np.zeros(self.num_styles, np.float32)
        for part, weight in self._weighted_parts(style):
            if isinstance(part, np.ndarray):
                raise MagentaStyleError(
                    "an embedding is not a table style: use embedding()")
            weights[part] = weight
        return weights

    def embedding(self, style: Style, stroke: float = 1.0,
                  strength: float = 1.0) -> np.ndarray:
        """The style embedding [D] (γ, β of every CIN layer) of a table style,
        an embedding, or a convex blend of them, at a stroke size and (above
        1) a strength: Σᵢ Σₚ ((wᵢ / Σw) · cₚ) · eᵢₚ in float64 over the
        parts i and their points p (own, then CONTROL_POINTS, skipping
        cₚ = 0; runtime.controls.point_weights), then float32: the order
        of operations the Android core and the web page keep. Strength
        below 1 needs the photo: ``target_embeddings``."""
        coefficients = point_weights(stroke, max(strength, 1.0))
        rows = self.style_rows()
        use_points = needs_points(stroke, strength)
        controls = self.control_rows() if use_points else None
        total = np.zeros(self.embedding_size, np.float64)
        for part, weight in self._weighted_parts(style):
            if isinstance(part, np.ndarray):
                if use_points:
                    raise MagentaStyleError(
                        "a style predicted from an image has no stroke or "
                        "intensity points: use stroke=1 and strength <= 1")
                total += weight * part
                continue
            if not use_points:
                total += weight * rows[part].astype(np.float64)
                continue
            if controls is None or not self.has_controls(part):
                raise MagentaStyleError(
                    f"style '{self.style_names[part]}' has no stroke or "
                    "intensity points (train_controls trains them): use "
                    "stroke=1 and strength <= 1")
            points = [rows[part]] + list(controls[part])
            for name, point in zip((OWN,) + CONTROL_POINTS, points):
                if coefficients[name]:
                    total += (weight * coefficients[name]
                              ) * point.astype(np.float64)
        return total.astype(np.float32)

    def _weighted_parts(self, style: Style
                        ) -> list[tuple[int | np.ndarray, float]]:
        """A style or blend as [(table row or embedding, weight)], weights
        summing to 1; weights must be finite and >= 0, and no table style
        may repeat."""
        if isinstance(style, Mapping):
            parts = list(style.items())
        elif isinstance(style, (list, tuple)):
            parts = [tuple(part) for part in style]
        else:
            parts = [(style, 1.0)]
        if not parts:
            raise MagentaStyleError("a blend needs at least one style")
        resolved, seen = [], set()
        for key, value in parts:
            if isinstance(key, np.ndarray):
                label, part = "an embedding", self._checked_embedding(key)
            else:
                label, part = key, self.style_index(key)
                if part in seen:
                    raise MagentaStyleError(
                        f"style '{self.style_names[part]}' is in the blend "
                        "twice")
                seen.add(part)
            if not np.isfinite(value) or value < 0:
                raise MagentaStyleError(f"blend weight of '{label}' must be a "
                                        f"number >= 0, got {value}")
            resolved.append((part, float(value)))
        total = sum(value for _, value in resolved)
        if total <= 0:
            raise MagentaStyleError("blend weights are all zero")
        return [(part, value / total) for part, value in resolved]

    def _checked_embedding(self, embedding: np.ndarray) -> np.ndarray:
        if embedding.shape != (self.embedding_size,) or not np.all(
                np.isfinite(embedding)):
            raise MagentaStyleError(
                f"a style embedding of this model is {self.embedding_size} "
                f"finite values, got an array of shape {embedding.shape}")
        return embedding.astype(np.float64)

    def stylize(self, images: np.ndarray, style: Style = 0,
                strength: float = 1.0, stroke: float = 1.0) -> np.ndarray:
        """Pastiches of images [B, H, W, 3] (or one [H, W, 3]) in one style.

        Images are float in [0, 1] or uint8; the result is float32 in [0, 1]
        with the input's shape. ``strength`` in [0, 1] moves each image's
        embedding from its own predicted style (0) to ``style`` (1), and on
        to the style's intense point (runtime.controls.MAX_STRENGTH);
        ``stroke`` scales the strokes (runtime.controls.STROKE_RANGE).
        """
        batch = as_batch(images)
        targets = self._with_strength(
            batch, self.embedding(style, stroke, strength)[None], strength)
        targets = np.broadcast_to(targets, (len(batch), self.embedding_size))
        out = self.render_embeddings(batch, targets)
        return out if np.ndim(images) == 4 else out[0]

    def stylize_styles(self, image: np.ndarray,
                       styles: Sequence[Style] | None = None,
                       strength: float = 1.0,
                       per_pass: int | None = None,
                       stroke: float = 1.0) -> np.ndarray:
        """One image in several styles (all by default), ``per_pass`` at a
        time (default: rendering.plan.styles_per_pass; a RenderPlan's own
        figure also fits the memory).

        Returns [len(styles), H, W, 3].
        """
        styles = range(self.num_styles) if styles is None else styles
        photo = as_batch(image)
        targets = self.target_embeddings(photo[0], styles, strength, stroke)
        per_pass = per_pass or styles_per_pass(
            photo.shape[1] * photo.shape[2], len(targets))
        return np.concatenate([
            self.render_embeddings(np.repeat(photo, len(part), axis=0), part)
            for part in np.split(targets, range(per_pass, len(targets),
                                                per_pass))])

    def target_embeddings(self, photo: np.ndarray | None,
                          styles: Sequence[Style],
                          strength: float = 1.0,
                          stroke: float = 1.0) -> np.ndarray:
        """The embeddings [len(styles), D] that render ``photo`` [H, W, 3]
        in ``styles`` at ``strength`` (below 1, towards the photo's own
        predicted style; a reduced copy of the photo predicts the same
        within the predictor's resampling) and ``stroke``. At strength >= 1
        the photo is not needed and may be None."""
        targets = np.stack([self.embedding(s, stroke, strength)
                            for s in styles])
        if photo is None and strength >= 1.0:
            return targets
        return self._with_strength(as_batch(photo), targets, strength)

    def _with_strength(self, photos: np.ndarray, targets: np.ndarray,
                       strength: float) -> np.ndarray:
        """Embeddings P(photo) + strength · (target − P(photo)), broadcast
        over photos [B] and targets [B or 1, D] (identity interpolation);
        at strength >= 1 the targets themselves (``embedding`` applied the
        intense point)."""
        check_setting(1.0, strength)
        if strength >= 1.0:
            return targets
        own = self.predict_embeddings(photos)
        return own + np.float32(strength) * (targets - own)


def as_batch(images: np.ndarray) -> np.ndarray:
    """[H, W, 3] or [B, H, W, 3], uint8 or float → float32 batch in [0, 1]."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        images = images.astype(np.float32) / 255.0
    images = images.astype(np.float32)
    if images.ndim == 3:
        images = images[None]
    if images.ndim != 4 or images.shape[-1] != 3:
        raise MagentaStyleError(
            f"expected RGB images [B, H, W, 3] or [H, W, 3], got {images.shape}")
    return images
