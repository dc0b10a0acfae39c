"""Resizing and cropping float RGB images: the one owner of each operation.

Images are float32 [H, W, 3] in [0, 1]; results are clipped back into that
range (bicubic and antialiased filters overshoot slightly).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf


def resize(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """``image`` at height × width: area filter when shrinking, bicubic when
    enlarging."""
    h, w = image.shape[:2]
    if (h, w) == (height, width):
        return np.asarray(image, np.float32)
    method = "area" if height <= h and width <= w else "bicubic"
    resized = tf.image.resize(image, [height, width], method=method)
    return np.clip(resized.numpy(), 0.0, 1.0).astype(np.float32)


def with_longer_side(image: np.ndarray, size: int) -> np.ndarray:
    """Enlarges an image whose longer side is below ``size``; a larger one is
    returned as it is (shrinking happens when it is read: open_image)."""
    h, w = image.shape[:2]
    if max(h, w) >= size:
        return image
    scale = size / max(h, w)
    return resize(image, max(1, round(h * scale)), max(1, round(w * scale)))


def center_crop(image: tf.Tensor | np.ndarray, size: int) -> tf.Tensor:
    """The largest central square of ``image``, resized (antialiased) to
    size × size."""
    shape = tf.shape(image)
    side = tf.minimum(shape[0], shape[1])
    top = (shape[0] - side) // 2
    left = (shape[1] - side) // 2
    crop = image[top:top + side, left:left + side]
    crop = tf.image.resize(crop, [size, size], antialias=True)
    crop.set_shape([size, size, 3])
    return tf.clip_by_value(crop, 0.0, 1.0)
