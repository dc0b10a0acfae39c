"""Styles as points of one embedding space: a table style by name or index,
an embedding predicted from any image, convex blends of both, strength
(identity interpolation, and past 1 the intense point) and stroke size
(runtime.controls), with the passes that render them. The Keras model
(network.model.StylizationModel) and an exported model
(runtime.exported_model.ExportedModel) share this arithmetic; each supplies
its table, its predictor and one batched pass of its transformer.
"""

from __future__ import annotations

from typing import Iterable, Iterator, Mapping, Sequence, Union

import numpy as np

from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.color import preserve_colors
from magenta_style.imaging.images import ImageRows
from magenta_style.rendering.plan import RenderPlan, plan_render
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
        Rendered as ``render_plan`` says: in batched passes, or one image at
        a time in tiles where the batch does not fit in memory.
        """
        batch = as_batch(images)
        targets = self._with_strength(
            batch, self.embedding(style, stroke, strength)[None], strength)
        targets = np.broadcast_to(targets, (len(batch), self.embedding_size))
        out = self.render(batch, targets,
                          self.render_plan(batch.shape[1:3], len(batch)))
        return out if np.ndim(images) == 4 else out[0]

    def stylize_styles(self, image: np.ndarray,
                       styles: Sequence[Style] | None = None,
                       strength: float = 1.0, stroke: float = 1.0,
                       plan: RenderPlan | None = None) -> np.ndarray:
        """One image in several styles (all by default), rendered as
        ``plan`` says (default: ``render_plan``).

        Returns [len(styles), H, W, 3].
        """
        styles = range(self.num_styles) if styles is None else styles
        photo = as_batch(image)[0]
        targets = self.target_embeddings(photo, styles, strength, stroke)
        return self.render(photo, targets, plan or self.render_plan(
            photo.shape[:2], len(targets)))

    def render_plan(self, shape: tuple[int, int], pastiches: int
                    ) -> RenderPlan:
        """rendering.plan.plan_render for ``pastiches`` pastiches of an
        image of ``shape`` (height, width) already in memory, at its size,
        with all the memory available; any size the network takes (the
        size rule, constants.MIN_IMAGE_SIDE, is for photos read from
        files)."""
        height, width = shape
        return plan_render((width, height), None, self.network, pastiches,
                           "in memory", can_tile=self.renders_tiles,
                           check_size=False)

    def render(self, photo: np.ndarray, embeddings: np.ndarray,
               plan: RenderPlan) -> np.ndarray:
        """``render_rows`` of a photo in memory, as pastiches
        [len(embeddings), H, W, 3] float32 in [0, 1]."""
        return np.stack([np.concatenate(list(rows)) for rows in
                         self.render_rows(photo, embeddings, plan)])

    def render_rows(self, photo: np.ndarray | ImageRows,
                    embeddings: np.ndarray, plan: RenderPlan,
                    keep_colors: bool = False, folder: str | None = None
                    ) -> Iterator[Iterator[np.ndarray]]:
        """The pastiches of ``photo`` in ``embeddings`` [S, D], rendered as
        ``plan`` says, in order: each one as its rows top to bottom (float32
        [n, W, 3] in [0, 1]; one block where rendered whole). ``photo`` is
        one image [H, W, 3] (every embedding renders it), S images
        [S, H, W, 3] (one each), or, for a tiled plan, an ImageRows. Whole:
        batched passes of ``plan.per_pass``. Tiled: one at a time, each
        consumed before the next is rendered, with feature files in
        ``folder`` (rendering.tiles). ``keep_colors``: in the photo's
        colours (imaging.color.preserve_colors)."""
        images = photo if isinstance(photo, ImageRows) else as_batch(photo)
        if not isinstance(images, ImageRows) and len(images) not in (
                1, len(embeddings)):
            raise MagentaStyleError(
                f"{len(images)} images for {len(embeddings)} embeddings: "
                "give one image, or one per embedding")
        if plan.tiled:
            for index, embedding in enumerate(embeddings):
                one = _one_of(images, index)
                yield _colored(one, self.tiled_rows(
                    one, embedding, folder, plan.feature_memory), keep_colors)
            return
        if isinstance(images, ImageRows):
            images = images(0, images.size[1])[None]
        for part in plan.passes(len(embeddings)):
            content = images[part] if len(images) > 1 else np.repeat(
                images, part.stop - part.start, axis=0)
            pastiches = self.render_embeddings(content, embeddings[part])
            for image, pastiche in zip(content, pastiches):
                yield _colored(image, [pastiche], keep_colors)

    def tiled_rows(self, photo: np.ndarray | ImageRows,
                   embedding: np.ndarray, folder: str | None = None,
                   memory: int | None = None) -> Iterator[np.ndarray]:
        """The pastiche of one photo ([H, W, 3] or ImageRows) in
        ``embedding`` [D], rendered layer by layer in tiles
        (rendering.tiles.render_tiled, with features in ``memory`` bytes and
        files in ``folder``), as its rows top to bottom; only a runtime that
        ``renders_tiles`` has it."""
        raise NotImplementedError

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


def _one_of(images: np.ndarray | ImageRows, index: int
            ) -> np.ndarray | ImageRows:
    """The photo of pastiche ``index``: the one photo, or the index-th."""
    if isinstance(images, ImageRows):
        return images
    return images[0] if len(images) == 1 else images[index]


def _colored(photo: np.ndarray | ImageRows, rows: Iterable[np.ndarray],
             keep_colors: bool) -> Iterator[np.ndarray]:
    """``rows`` of a pastiche of ``photo`` ([H, W, 3] or ImageRows), top to
    bottom, in the photo's colours if ``keep_colors``."""
    start = 0
    for block in rows:
        stop = start + len(block)
        if keep_colors:
            block = preserve_colors(photo[start:stop] if isinstance(
                photo, np.ndarray) else photo(start, stop), block)
        start = stop
        yield block
