"""Reading and writing images as float32 RGB arrays in [0, 1].

Reading applies the EXIF orientation and accepts any mode Pillow decodes:
grayscale, palette, CMYK, 8- and 16-bit, and alpha (composited over white).
Every tool reads through ``open_image``, so one size rule holds for all:
a shorter side of at least constants.MIN_IMAGE_SIDE pixels.
"""

from __future__ import annotations

import contextlib
import io
import os
from typing import Iterable, Iterator

import numpy as np
import png
from PIL import Image, ImageOps, UnidentifiedImageError

from magenta_style import constants
from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.files import atomic_file

_SIXTEEN_BIT_MODES = ("I", "I;16", "I;16L", "I;16B", "I;16N")
_EXIF_ORIENTATION = 0x0112
_EXIF_QUARTER_TURNS = (5, 6, 7, 8)  # orientations that swap width and height
# zlib level of the PNGs written (Pillow's default is 6): a 1024×768
# pastiche takes 0.07 s and 1.51 MB at 1, 0.21 s and 1.37 MB at 6.
PNG_COMPRESS_LEVEL = 1


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


@contextlib.contextmanager
def _reading(path: str) -> Iterator[None]:
    """Turns the errors of reading ``path`` into a MagentaStyleError naming it."""
    try:
        yield
    except FileNotFoundError:
        raise MagentaStyleError(f"image not found: {path}") from None
    except IsADirectoryError:
        raise MagentaStyleError(f"expected an image file, got a folder: {path}"
                                ) from None
    except (UnidentifiedImageError, OSError, ValueError,
            Image.DecompressionBombError) as error:
        raise MagentaStyleError(f"cannot read image {path}: {error}") from None


def stored_size(path: str) -> tuple[int, int]:
    """Width and height of the upright image, from the file's header only."""
    with ImageFile(path) as image:
        return image.size


def _upright_size(image: Image.Image) -> tuple[int, int]:
    """Width and height of an opened image once its EXIF rotation is applied."""
    width, height = image.size
    if image.getexif().get(_EXIF_ORIENTATION) in _EXIF_QUARTER_TURNS:
        return height, width
    return width, height


def fitted_size(size: tuple[int, int], max_side: int | None
                ) -> tuple[int, int]:
    """``size`` (width, height) shrunk so its longer side is at most
    ``max_side`` pixels (unchanged if it already is, or without a limit)."""
    if not max_side or max(size) <= max_side:
        return tuple(size)
    return _scaled(size, max_side / max(size))


class ImageTooSmallError(MagentaStyleError):
    """An image below the one size rule (constants.MIN_IMAGE_SIDE)."""


def check_image_size(size: tuple[int, int], path: str,
                     stored: tuple[int, int] | None = None) -> None:
    """Raises unless the image ``path`` of ``size`` (width, height; shrunk
    from ``stored`` if given) has a shorter side of MIN_IMAGE_SIDE or more."""
    if min(size) >= constants.MIN_IMAGE_SIDE:
        return
    shrunk = (f" after shrinking to {max(size)} (from {stored[0]}x{stored[1]})"
              if stored and tuple(stored) != tuple(size) else "")
    raise ImageTooSmallError(
        f"image {path} is {size[0]}x{size[1]} pixels{shrunk}: too small, its "
        f"shorter side must be at least {constants.MIN_IMAGE_SIDE} pixels")


@contextlib.contextmanager
def _pixel_limit_lifted() -> Iterator[None]:
    """Pillow's decompression-bomb limit (Image.MAX_IMAGE_PIXELS) off."""
    limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        yield
    finally:
        Image.MAX_IMAGE_PIXELS = limit


class ImageFile:
    """An image file opened once: its upright size from the header
    (``size``), then its pixels at a size of the caller's choice (``read``,
    or ``row_reader`` for tiles of rows). A context manager; errors name the
    file.

    An image of more pixels than Pillow's decompression-bomb limit
    (Image.MAX_IMAGE_PIXELS) has its header read like any other, but is
    decoded only at its stored size, which the caller asked for; a smaller
    size of it is refused, as Pillow refuses it.
    """

    def __init__(self, path: str):
        self.path = path
        with _reading(path), _pixel_limit_lifted():
            self._image = Image.open(path)
            self.size = _upright_size(self._image)
        limit = Image.MAX_IMAGE_PIXELS
        self.oversized = limit is not None and \
            self.size[0] * self.size[1] > limit

    def __enter__(self) -> "ImageFile":
        return self

    def __exit__(self, *exc) -> None:
        if self._image is not None:
            self._image.close()

    def read(self, size: tuple[int, int] | None = None,
             enlarge_to: int | None = None) -> np.ndarray:
        """The pixels as float32 RGB [H, W, 3] in [0, 1], upright, resized
        to ``size`` (width, height; default the stored size), which must
        have a shorter side of MIN_IMAGE_SIDE or more (check_image_size);
        ``enlarge_to`` then enlarges it so its shorter side is at least that.
        A JPEG much larger than ``size`` is decoded at a reduced scale."""
        return _to_rgb_array(self._decoded(size, enlarge_to))

    def row_reader(self, size: tuple[int, int] | None = None
                   ) -> "ImageRows":
        """As ``read``, but rows on demand: the decoded image stays in
        Pillow's 8-bit form (about 4 bytes per pixel), not whole as floats,
        and outlives the ImageFile (it is the rows' to keep)."""
        image = self._decoded(size, None)
        if image is self._image:  # not resized: not closed with the file
            self._image = None
        return ImageRows(image)

    def _decoded(self, size: tuple[int, int] | None,
                 enlarge_to: int | None) -> Image.Image:
        """The decoded Pillow image at ``size`` (see ``read``)."""
        size = tuple(size or self.size)
        check_image_size(size, self.path, self.size)
        if self.oversized and size != self.size:
            raise MagentaStyleError(
                f"image {self.path} is {self.size[0]}x{self.size[1]} "
                f"pixels, more than Pillow's decompression-bomb limit of "
                f"{Image.MAX_IMAGE_PIXELS}: it is decoded only to be "
                "rendered at its full size")
        lifted = _pixel_limit_lifted() if self.oversized \
            else contextlib.nullcontext()
        with _reading(self.path), lifted:
            image = self._image
            if image.format == "JPEG" and size != self.size:
                # Decoded at the smallest 1/2^k scale that keeps both sides
                # at least the longer side asked for, then resized.
                image.draft("RGB", (max(size), max(size)))
            # In place: otherwise Pillow returns a copy even of an image it
            # need not turn (two decoded images of a 400 MP photo).
            ImageOps.exif_transpose(image, in_place=True)
            if image.size != size:
                image = image.resize(size, Image.Resampling.LANCZOS)
            if enlarge_to and min(image.size) < enlarge_to:
                scale = enlarge_to / min(image.size)
                image = image.resize(_scaled(image.size, scale),
                                     Image.Resampling.BICUBIC)
            return image


class ImageRows:
    """A decoded image read by rows: ``rows(start, stop)`` (also the call)
    is float32 RGB [stop - start, W, 3] in [0, 1]; ``preview(max_side)`` a
    reduced copy of it all."""

    def __init__(self, image: Image.Image):
        self._image = image
        self.size = image.size

    def __call__(self, start: int, stop: int) -> np.ndarray:
        return self.rows(start, stop)

    def rows(self, start: int, stop: int) -> np.ndarray:
        return _to_rgb_array(self._image.crop((0, start, self.size[0],
                                               stop)))

    def preview(self, max_side: int) -> np.ndarray:
        image = self._image
        size = fitted_size(self.size, max_side)
        if size != self.size:
            image = image.resize(size, Image.Resampling.LANCZOS)
        return _to_rgb_array(image)


def open_image(path: str, max_side: int | None = None,
               enlarge_to: int | None = None) -> np.ndarray:
    """Reads ``path`` as float32 RGB [H, W, 3] in [0, 1], upright.

    ``max_side`` shrinks the image so its longer side is at most that many
    pixels; an image whose shorter side is then below MIN_IMAGE_SIDE is
    refused (check_image_size); ``enlarge_to`` then enlarges it so its shorter
    side is at least that. Raises MagentaStyleError naming the file if it
    cannot be read or is too small.
    """
    with ImageFile(path) as image:
        return image.read(fitted_size(image.size, max_side), enlarge_to)


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


def save_rows(rows: Iterable[np.ndarray], size: tuple[int, int], path: str
              ) -> None:
    """Writes an image given as tiles of rows (float RGB [n, W, 3] in
    [0, 1], top to bottom; ``size`` is (width, height)) to ``path``
    atomically. A PNG is streamed (pypng), so only a tile is in memory; other
    formats (Pillow writes whole images) hold the 8-bit image."""
    width, height = size
    with atomic_file(path) as tmp:
        if os.path.splitext(path)[1].lower() != ".png":
            Image.fromarray(np.concatenate([to_uint8(r) for r in rows])
                            ).save(tmp)
            return
        writer = png.Writer(width, height, greyscale=False, bitdepth=8,
                            compression=PNG_COMPRESS_LEVEL)
        with open(tmp, "wb") as f:
            writer.write_packed(f, (row.tobytes() for tile in rows
                                    for row in to_uint8(tile)))


def save_image(image: np.ndarray, path: str) -> None:
    """Writes float RGB [H, W, 3] in [0, 1] to ``path`` atomically.

    The format follows the extension (PNG, JPEG, WebP); a PNG is
    compressed for speed (PNG_COMPRESS_LEVEL), about a tenth larger than
    Pillow's default.
    """
    save_rows([image], (image.shape[1], image.shape[0]), path)
