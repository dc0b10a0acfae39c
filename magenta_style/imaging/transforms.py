"""Resizing and cropping float RGB images: the one owner of each operation.

Images are float32 [H, W, 3] in [0, 1]; results are clipped back into that
range (bicubic filters overshoot slightly). Pillow resamples each channel as
a 32-bit float image, so nothing is rounded to 8 bits, and no TensorFlow is
needed (the runtime install has none). Its filters are antialiased: the
kernel widens with the reduction, as TensorFlow's ``antialias=True``.
"""

from __future__ import annotations

import numpy as np
from PIL import Image


def _resample(image: np.ndarray, width: int, height: int,
              method: Image.Resampling) -> np.ndarray:
    """``image`` resampled to width × height by Pillow's ``method``, channel
    by channel in float32 (near the borders the filter is renormalized over
    the pixels inside)."""
    image = np.asarray(image, np.float32)
    channels = [np.asarray(Image.fromarray(np.ascontiguousarray(
        image[..., c]), mode="F").resize((width, height), method))
        for c in range(image.shape[-1])]
    return np.clip(np.stack(channels, axis=-1), 0.0, 1.0)


def resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """``image`` at height × width: area (box) filter when shrinking,
    bicubic when enlarging."""
    h, w = image.shape[:2]
    if (h, w) == (height, width):
        return np.asarray(image, np.float32)
    method = (Image.Resampling.BOX if height <= h and width <= w
              else Image.Resampling.BICUBIC)
    return _resample(image, width, height, method)


def with_longer_side(image: np.ndarray, size: int) -> np.ndarray:
    """Enlarges an image whose longer side is below ``size``; a larger one is
    returned as it is (shrinking happens when it is read: open_image)."""
    h, w = image.shape[:2]
    if max(h, w) >= size:
        return image
    scale = size / max(h, w)
    return resize(image, max(1, round(h * scale)), max(1, round(w * scale)))


def center_crop(image: np.ndarray, size: int) -> np.ndarray:
    """The largest central square of ``image``, resized to size × size with
    an antialiased bilinear (triangle) filter."""
    h, w = image.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    return _resample(image[top:top + side, left:left + side], size, size,
                     Image.Resampling.BILINEAR)
