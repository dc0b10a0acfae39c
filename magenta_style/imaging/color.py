"""Colour preservation: style on luminance only, colours of the content.

Gatys, Bethge, Hertzmann and Shechtman, *Preserving Color in Neural Artistic
Style Transfer* (2016), "luminance-only transfer": the pastiche keeps its
luminance (strokes, texture, shading) and takes the content photo's
chrominance, so a painting's palette does not replace the photo's colours.

The luma/chroma space is YIQ (the NTSC 1953 definition, as in that paper),
on RGB in [0, 1]. The forward matrix is the standard one; the inverse is its
exact matrix inverse computed in float64 (not the rounded coefficients often
published for YIQ → RGB), so RGB → YIQ → RGB round-trips to float64 rounding.
"""

from __future__ import annotations

import numpy as np

from magenta_style.errors import MagentaStyleError

# Rows: Y (luma), I and Q (chroma) as combinations of R, G, B in [0, 1].
RGB_TO_YIQ = np.array([
    [0.299, 0.587, 0.114],
    [0.595716, -0.274453, -0.321263],
    [0.211456, -0.522591, 0.311135],
], dtype=np.float64)
YIQ_TO_RGB = np.linalg.inv(RGB_TO_YIQ)


def rgb_to_yiq(rgb: np.ndarray) -> np.ndarray:
    """RGB [..., 3] in [0, 1] → YIQ [..., 3] in float64.

    Y lies in [0, 1]; I in about ±0.596 and Q in about ±0.523.
    """
    return _channels_last(rgb) @ RGB_TO_YIQ.T


def yiq_to_rgb(yiq: np.ndarray) -> np.ndarray:
    """YIQ [..., 3] → RGB [..., 3] in float64, not clipped (exact inverse)."""
    return _channels_last(yiq) @ YIQ_TO_RGB.T


def preserve_colors(content: np.ndarray, pastiche: np.ndarray) -> np.ndarray:
    """The pastiche's luminance with the content's colours, float32 in [0, 1].

    ``content`` and ``pastiche`` are RGB [H, W, 3] (or [B, H, W, 3]) of the
    same shape, float in [0, 1] or uint8. The result is the pastiche's Y with
    the content's I and Q, converted back to RGB and clipped to [0, 1].
    """
    content, pastiche = _as_unit_float(content), _as_unit_float(pastiche)
    if content.shape != pastiche.shape:
        raise MagentaStyleError(
            f"preserve_colors needs a content and a pastiche of the same "
            f"shape, got {content.shape} and {pastiche.shape}")
    yiq = rgb_to_yiq(content)
    yiq[..., 0] = rgb_to_yiq(pastiche)[..., 0]
    return np.clip(yiq_to_rgb(yiq), 0.0, 1.0).astype(np.float32)


def _channels_last(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image, dtype=np.float64)
    if image.ndim < 1 or image.shape[-1] != 3:
        raise MagentaStyleError(
            f"expected an array with 3 colour channels last, got {image.shape}")
    return image


def _as_unit_float(image: np.ndarray) -> np.ndarray:
    """uint8 → [0, 1]; other types are taken as [0, 1] already."""
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image.astype(np.float64) / 255.0
    return _channels_last(image)
