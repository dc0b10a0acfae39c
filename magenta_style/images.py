"""Reading and writing images as float32 RGB arrays in [0, 1].

Reading applies the EXIF orientation and accepts any mode Pillow decodes:
grayscale, palette, CMYK, 8- and 16-bit, and alpha (composited over white).
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from magenta_style.errors import MagentaStyleError
from magenta_style.fileio import atomic_file

_SIXTEEN_BIT_MODES = ("I", "I;16", "I;16L", "I;16B", "I;16N")


def _to_rgb_array(image: Image.Image) -> np.ndarray:
    """A decoded Pillow image of any mode → float32 [H, W, 3] in [0, 1]."""
    if image.mode in _SIXTEEN_BIT_MODES:
        gray = np.asarray(image, dtype=np.float32) / 65535.0
        return np.repeat(np.clip(gray, 0.0, 1.0)[..., None], 3, axis=-1)
    if image.mode == "F":
        gray = np.clip(np.asarray(image, dtype=np.float32), 0.0, 1.0)
        return np.repeat(gray[..., None], 3, axis=-1)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0


def open_image(path: str, max_side: int | None = None,
               min_side: int | None = None) -> np.ndarray:
    """Reads ``path`` as float32 RGB [H, W, 3] in [0, 1], upright.

    ``max_side`` shrinks the image so its longer side is at most that many
    pixels; ``min_side`` then enlarges it so its shorter side is at least that.
    Raises MagentaStyleError naming the file if it cannot be read.
    """
    try:
        with Image.open(path) as image:
            if max_side and image.format == "JPEG":
                image.draft("RGB", (max_side, max_side))
            image = ImageOps.exif_transpose(image)
            image.load()
            if max_side and max(image.size) > max_side:
                scale = max_side / max(image.size)
                image = image.resize(_scaled(image.size, scale),
                                     Image.Resampling.LANCZOS)
            if min_side and min(image.size) < min_side:
                scale = min_side / min(image.size)
                image = image.resize(_scaled(image.size, scale),
                                     Image.Resampling.BICUBIC)
            return _to_rgb_array(image)
    except FileNotFoundError:
        raise MagentaStyleError(f"image not found: {path}") from None
    except IsADirectoryError:
        raise MagentaStyleError(f"expected an image file, got a folder: {path}"
                                ) from None
    except (UnidentifiedImageError, OSError, ValueError,
            Image.DecompressionBombError) as error:
        raise MagentaStyleError(f"cannot read image {path}: {error}") from None


def _scaled(size: tuple[int, int], scale: float) -> tuple[int, int]:
    return tuple(max(1, round(s * scale)) for s in size)


def to_uint8(image: np.ndarray) -> np.ndarray:
    """Float [0, 1] → uint8 with rounding to nearest."""
    return np.round(np.clip(image, 0.0, 1.0) * 255.0).astype(np.uint8)


def thumbnail_jpeg(image: np.ndarray, max_side: int = 128) -> bytes:
    """A small JPEG of a float RGB image, longer side ``max_side`` pixels."""
    pil = Image.fromarray(to_uint8(image))
    pil.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    pil.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def save_image(image: np.ndarray, path: str) -> None:
    """Writes float RGB [H, W, 3] in [0, 1] to ``path`` atomically.

    The format follows the extension (PNG, JPEG, WebP).
    """
    with atomic_file(path) as tmp:
        Image.fromarray(to_uint8(image)).save(tmp)
