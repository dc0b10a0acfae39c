"""Stroke size and intensity: a style's control points and how a setting
blends them.

A feed-forward network's strokes follow the scale of the style image it was
trained against, and its intensity the weight of the style loss. A style
with controls has, besides its own embedding ("own", trained at its style
size and the default weights), three more points of the same space, each
its own embedding fine-tuned with every convolution frozen
(training.controls): at half and at twice its style size (STROKE_SCALES;
a style may have been given a wider pair), and at
INTENSE_STYLE_WEIGHT_FACTOR times the style weight. A setting (stroke,
strength) is an affine combination of the four points (``point_weights``),
so it costs nothing at render time and runs on the phone and in the browser.

What this cannot do: strokes outside STROKE_RANGE, or intensity past
MAX_STRENGTH, would be extrapolations (refused); an embedding predicted from
an image has no control points (only its own).
"""

from __future__ import annotations

import math
from typing import Mapping

from magenta_style.errors import MagentaStyleError

# The control points in the order every client sums them (the contract with
# the Android core and the web page), after the style's own embedding.
OWN = "own"
STROKE_SMALL = "stroke_small"
STROKE_LARGE = "stroke_large"
INTENSE = "intense"
CONTROL_POINTS = (STROKE_SMALL, STROKE_LARGE, INTENSE)
# Style-image size of the stroke points ÷ the style's own style size, by
# default (train_controls --stroke_scales widens them for a style whose
# strokes follow less than in proportion: README, "Stroke size").
STROKE_SCALES = {STROKE_SMALL: 0.5, STROKE_LARGE: 2.0}
# The largest stroke-point scale: 4x a 512 px style size is a 2048 px
# painting, the largest size benchmarks.controls measures strokes against.
MAX_STROKE_SCALE = 4.0
# --stroke S: the relative stroke size, 1 = as the style was trained; the
# points above bound it.
STROKE_RANGE = (STROKE_SCALES[STROKE_SMALL], STROKE_SCALES[STROKE_LARGE])
# Style-loss weight of the intense point ÷ the default's (content weight
# unchanged). The default's factor was itself chosen so that 2x "broke faces
# into blobs" (constants.DEFAULT_STYLE_WEIGHTS); the intense point is the
# far end of the slider, a deliberately strong look.
INTENSE_STYLE_WEIGHT_FACTOR = 4.0
# Strength of the intense point: strength in [0, 1] goes from the photo's own
# predicted style to the style (runtime.style_space), in [1, MAX_STRENGTH]
# from the style to its intense point.
MAX_STRENGTH = 2.0


def check_stroke_scales(stroke_scales: Mapping[str, float]) -> None:
    """Raises unless ``stroke_scales`` gives STROKE_SMALL a scale below 1 and
    STROKE_LARGE one above 1, at most MAX_STROKE_SCALE (style-image size ÷
    the style's own)."""
    small, large = (stroke_scales.get(STROKE_SMALL),
                    stroke_scales.get(STROKE_LARGE))
    if (set(stroke_scales) != set(STROKE_SCALES) or not 0 < small < 1
            or not 1 < large <= MAX_STROKE_SCALE):
        raise MagentaStyleError(
            f"stroke_scales must give {STROKE_SMALL} a scale in (0, 1) and "
            f"{STROKE_LARGE} one in (1, {MAX_STROKE_SCALE:g}], got "
            f"{dict(stroke_scales)}", arguments=["stroke_scales"])


def check_setting(stroke: float, strength: float) -> None:
    """Raises unless stroke is in STROKE_RANGE and strength in
    [0, MAX_STRENGTH]."""
    low, high = STROKE_RANGE
    if not (math.isfinite(stroke) and low <= stroke <= high):
        raise MagentaStyleError(
            f"stroke must be in [{low:g}, {high:g}] (1: as trained), got "
            f"{stroke}", arguments=["stroke"])
    if not (math.isfinite(strength) and 0.0 <= strength <= MAX_STRENGTH):
        raise MagentaStyleError(
            f"strength must be in [0, {MAX_STRENGTH:g}], got {strength}",
            arguments=["strength"])


def needs_points(stroke: float, strength: float) -> bool:
    """Whether a setting uses any control point (else a style's own
    embedding is the whole answer)."""
    return stroke != 1.0 or strength > 1.0


def point_weights(stroke: float, strength: float) -> dict[str, float]:
    """Coefficients of (own, stroke_small, stroke_large, intense), summing
    to 1: stroke interpolates linearly between own (1) and the stroke point
    on its side of 1; strength above 1 adds (strength − 1)·(intense − own).

    Only +, − and ÷ in double, in this order, so that the Android core and
    the web page compute the same bits (a logarithmic scale would not:
    their log functions differ in the last place)."""
    check_setting(stroke, strength)
    low, high = STROKE_RANGE
    if stroke < 1.0:
        t = (1.0 - stroke) / (1.0 - low)
        weights = {OWN: 1.0 - t, STROKE_SMALL: t, STROKE_LARGE: 0.0}
    else:
        t = (stroke - 1.0) / (high - 1.0)
        weights = {OWN: 1.0 - t, STROKE_SMALL: 0.0, STROKE_LARGE: t}
    push = max(strength, 1.0) - 1.0
    weights[OWN] = weights[OWN] - push
    weights[INTENSE] = push
    return weights
