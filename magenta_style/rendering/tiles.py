"""Tiled rendering: a photo of any size through the network layer by layer,
in row tiles, with the exact instance-normalization statistics of the whole
image, in bounded memory.

Every CIN layer normalizes with the mean and variance of its input over the
whole image, so tiles rendered through the whole network one at a time
would each use their own and differ in colour and stroke (the seams of naive
tiling); statistics measured on a share of the image are not enough either
(sample windows covering a quarter of a 1024² photo gave 21–30 dB against
the whole-image pass). Here each layer runs over the whole image before the
next, one tile of rows at a time: its convolution's output is written to a
feature (``FeatureFile``: in memory, or in a file past the memory the
render plan gives) while its mean and variance are summed, and the next
layer reads it back normalized with them. Each tile's input carries the
kernel's halo of rows, mirror-padded at the image's borders as in the
whole-image pass, so the result is the whole-image pass up to float
rounding (and float16's, for features in files), and only a few tiles,
the features the plan has room for and the photo are in memory at once;
the files live in the page cache or on disk, which bounds the image size
(``scratch_bytes``).

Only a transformer of ``network.transformer`` is walked (PadToMultiple,
SpaceToDepth, ConvCIN, ResidualBlock and CropToReference in a chain);
another layer raises.
"""

from __future__ import annotations

import bisect
import os
import shutil
import tempfile
from typing import Callable, Iterator

import keras
import numpy as np
import tensorflow as tf

from magenta_style import constants
from magenta_style.errors import MagentaStyleError
from magenta_style.network.blocks import ConvCIN, ResidualBlock
from magenta_style.network.geometry import (
    CropToReference,
    PadToMultiple,
    SpaceToDepth,
    mirror_pad,
)

# Values of one tile's convolution input, which sets the rows per tile of
# each layer. Fewer, larger tiles cost less time; the working set grows with
# them. Render alone at 2048², fast network, float32, Xeon Ice Lake 2 cores:
# 2^22 (16 MB) 2.1-2.3 s, 2^23 1.8 s, 2^24 1.7-1.8 s (whole pass 1.1-1.4 s);
# peak at 8000x6000 in files, 2^22: 1.15 GB, 2^24: 1.69 GB.
TILE_VALUES = 2 ** 23
# Bytes of features kept in memory at once where the caller gives no room
# (a RenderPlan gives its own): the rest go to files, which cost time (at
# 8000x6000, fast network, float32: 9.6 of the 41 s of a render).
IN_MEMORY_BYTES = 256 * 2 ** 20

# The dtype of features in files: float16 halves the bytes written and read
# back, which dominate a render whose features do not fit in memory:
# 20000x20000, fast network, float32, 426 s with float32 files, 374 s with
# float16 (benchmarks.big_photos); all features in float16 files leave the
# pastiche 61-75 dB from the whole pass at 2048² and 4096².
FILE_DTYPE = np.dtype(np.float16)

# Reads rows [start, stop) of a source: [stop - start, W, C] float32.
RowReader = Callable[[int, int], np.ndarray]


class FeatureFile:
    """A [rows, cols, channels] array of ``dtype``, written and read by
    ranges of rows as tensors: ``in_memory`` (the written tiles themselves,
    so no copy is made), else in a temporary file of ``folder`` (the page
    cache, then the disk); close() frees it."""

    def __init__(self, folder: str, rows: int, cols: int, channels: int,
                 dtype: np.dtype = np.float32, in_memory: bool = True,
                 released: Callable[[int], None] = lambda count: None):
        self.rows, self.cols, self.channels = rows, cols, channels
        self.dtype = np.dtype(dtype)
        self._row_bytes = cols * channels * self.dtype.itemsize
        # Called once on close() with the bytes it held in memory.
        self._released = released
        self._file = None
        self._starts: list[int] = []  # in memory: first row of each tile
        self._tiles: list[tf.Tensor] = []
        if in_memory:
            return
        handle, self.path = tempfile.mkstemp(prefix="magenta_style-",
                                             suffix=".features", dir=folder)
        self._file = os.fdopen(handle, "w+b")

    def write(self, start: int, values: tf.Tensor) -> None:
        """Writes rows [start, start + len(values)); in memory, tiles are
        written in order, each starting where the last stopped."""
        values = tf.cast(values, self.dtype)
        if self._file is None:
            self._starts.append(start)
            self._tiles.append(values)
            return
        self._file.seek(start * self._row_bytes)
        values.numpy().tofile(self._file)

    def read(self, start: int, stop: int) -> tf.Tensor:
        """Rows [start, stop), float32."""
        if self._file is None:
            first = bisect.bisect_right(self._starts, start) - 1
            last = bisect.bisect_left(self._starts, stop)
            parts = [tile[max(0, start - tile_start):stop - tile_start]
                     for tile_start, tile in zip(self._starts[first:last],
                                                 self._tiles[first:last])]
            values = parts[0] if len(parts) == 1 else tf.concat(parts, 0)
            return tf.cast(values, tf.float32)
        self._file.seek(start * self._row_bytes)
        count = (stop - start) * self.cols * self.channels
        values = np.fromfile(self._file, self.dtype, count)
        return tf.constant(values.reshape(stop - start, self.cols,
                                          self.channels), tf.float32)

    def close(self) -> None:
        if self._file is None and self._released is not None:
            self._released(self.rows * self._row_bytes)
        self._released = None
        self._starts, self._tiles = [], []
        if self._file is not None:
            self._file.close()
            os.remove(self.path)


def mirrored(index: np.ndarray, size: int) -> np.ndarray:
    """Indices of a frame of ``size`` mirror-padded on both sides (the edge
    not repeated), mapped into [0, size)."""
    index = np.abs(index)
    return np.where(index < size, index, 2 * (size - 1) - index)


class _Source:
    """Rows of one layer's input frame, normalized and activated: ``read``
    (start, stop) is a float32 tensor [stop - start, cols, channels]."""

    def __init__(self, rows: int, cols: int, channels: int,
                 read: Callable[[int, int], tf.Tensor],
                 closing: Callable[[], None] = lambda: None):
        self.rows, self.cols, self.channels = rows, cols, channels
        self.read, self.close = read, closing


def _image_source(read_image: RowReader, height: int, width: int) -> _Source:
    """The photo in the network's padded frame (PadToMultiple: mirrored up to
    constants.SIZE_MULTIPLE at the bottom and right), in [0, 1]."""
    multiple = constants.SIZE_MULTIPLE
    rows = -(-height // multiple) * multiple
    cols = -(-width // multiple) * multiple
    col_index = mirrored(np.arange(cols), width)

    def read(start: int, stop: int) -> tf.Tensor:
        index = mirrored(np.arange(start, stop), height)
        low, high = int(index.min()), int(index.max()) + 1
        part = np.asarray(read_image(low, high))[index - low][:, col_index]
        if part.dtype == np.uint8:
            return tf.constant(part, tf.float32) / 255.0
        return tf.constant(part, tf.float32)

    return _Source(rows, cols, 3, read)


def _space_to_depth(source: _Source, block: int) -> _Source:
    """SpaceToDepth of a source (its size divides by ``block``)."""
    def read(start: int, stop: int) -> tf.Tensor:
        rows = source.read(start * block, stop * block)
        return tf.nn.space_to_depth(rows[None], block)[0]

    return _Source(source.rows // block, source.cols // block,
                   source.channels * block ** 2, read, source.close)


def _stored(feature: FeatureFile, scale: np.ndarray, shift: np.ndarray,
            activation) -> _Source:
    """A FeatureFile read as activation(raw · scale + shift)."""
    def read(start: int, stop: int) -> tf.Tensor:
        return activation(feature.read(start, stop) * scale + shift)

    return _Source(feature.rows, feature.cols, feature.channels, read,
                   feature.close)


def _tile_rows(cols: int, channels: int) -> int:
    """Rows per tile for inputs of ``cols`` × ``channels`` values."""
    return max(8, TILE_VALUES // max(1, cols * channels))


def _input_tile(layer: ConvCIN, source: _Source, first: int, last: int
                ) -> tf.Tensor:
    """The padded input [1, h, w, C] from which the layer's convolution
    computes output rows [first, last): the source's rows, upsampled if
    the layer upsamples, mirror-padded where they pass the frame's edges
    (and on the left and right)."""
    up = 2 if layer.upsampling is not None else 1
    pad, stride = layer.kernel_size // 2, layer.strides
    frame_rows = source.rows * up
    low, high = stride * first - pad, stride * (last - 1) + pad + 1
    top, bottom = max(0, -low), max(0, high - frame_rows)
    low, high = low + top, high - bottom  # inside the frame
    start = low // up
    x = source.read(start, (high - 1) // up + 1)[None]
    if up > 1:
        x = layer.upsampling(x)[:, low - start * up:high - start * up]
    return mirror_pad(x, top, bottom, pad, pad)


class _Scratch:
    """Where features go: in memory while those open there take at most
    ``memory`` bytes, else in files of ``folder``; in ``dtype``."""

    def __init__(self, folder: str, dtype: np.dtype, memory: int):
        self.folder, self.dtype, self.room = folder, dtype, memory

    def feature(self, rows: int, cols: int, channels: int) -> FeatureFile:
        """A new FeatureFile, in memory in ``dtype`` where there is room,
        else in a file in FILE_DTYPE; its close() gives its memory back."""
        need = rows * cols * channels * self.dtype.itemsize
        in_memory = need <= self.room
        if in_memory:
            self.room -= need
        return FeatureFile(self.folder, rows, cols, channels,
                           self.dtype if in_memory else FILE_DTYPE,
                           in_memory, self._give_back)

    def _give_back(self, count: int) -> None:
        self.room += count


def _convolve(layer: ConvCIN, source: _Source, scratch: _Scratch
              ) -> tuple[FeatureFile, np.ndarray, np.ndarray]:
    """The layer's [upsampling →] mirror pad → convolution over the whole
    source, tile by tile, into a FeatureFile; with its mean and variance
    per channel (float64)."""
    up = 2 if layer.upsampling is not None else 1
    stride = layer.strides
    out_rows = (source.rows * up - 1) // stride + 1
    out_cols = (source.cols * up - 1) // stride + 1
    feature = scratch.feature(out_rows, out_cols, layer.filters)
    total = np.zeros(layer.filters)
    squares = np.zeros(layer.filters)
    step = max(1, _tile_rows(source.cols * up, source.channels) // stride)
    for first in range(0, out_rows, step):
        last = min(out_rows, first + step)
        z = tf.cast(layer.conv(_input_tile(layer, source, first, last)),
                    tf.float32)
        # Each tile's sums in float32, accumulated over tiles in float64.
        total += tf.reduce_sum(z, [0, 1, 2]).numpy()
        squares += tf.reduce_sum(tf.square(z), [0, 1, 2]).numpy()
        feature.write(first, z[0])
    count = out_rows * out_cols
    mean = total / count
    return feature, mean, np.maximum(squares / count - mean ** 2, 0.0)


def _affine(layer: ConvCIN, embedding: np.ndarray, mean: np.ndarray,
            variance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The layer's CIN as raw · scale + shift, from its γ, β in
    ``embedding`` and the statistics of the whole image (float32)."""
    norm = layer.norm
    c, o = norm.channels, norm.offset
    gamma, beta = embedding[o:o + c], embedding[o + c:o + 2 * c]
    scale = gamma / np.sqrt(variance + norm.epsilon)
    return (scale.astype(np.float32),
            (beta - mean * scale).astype(np.float32))


def _conv_cin(layer: ConvCIN, source: _Source, embedding: np.ndarray,
              scratch: _Scratch) -> _Source:
    feature, mean, variance = _convolve(layer, source, scratch)
    return _stored(feature, *_affine(layer, embedding, mean, variance),
                   layer.activation)


def _residual(block: ResidualBlock, source: _Source, embedding: np.ndarray,
              scratch: _Scratch) -> _Source:
    """x + CIN(conv(ReLU(CIN(conv(x))))), the sum stored as a feature."""
    inner = _conv_cin(block.first, source, embedding, scratch)
    feature, mean, variance = _convolve(block.second, inner, scratch)
    inner.close()
    scale, shift = _affine(block.second, embedding, mean, variance)
    total = scratch.feature(source.rows, source.cols, source.channels)
    step = _tile_rows(source.cols, source.channels)
    for first in range(0, source.rows, step):
        last = min(source.rows, first + step)
        total.write(first, source.read(first, last)
                    + feature.read(first, last) * scale + shift)
    feature.close()
    source.close()
    return _stored(total, np.float32(1), np.float32(0),
                   keras.activations.linear)


def _check_chain(transformer: keras.Model) -> list[keras.layers.Layer]:
    """The transformer's layers between its input and its final crop."""
    stages = []
    for layer in transformer.layers:
        if isinstance(layer, (keras.layers.InputLayer, CropToReference,
                              PadToMultiple)):
            continue
        if not isinstance(layer, (SpaceToDepth, ConvCIN, ResidualBlock)):
            raise ValueError(f"tiled rendering does not know layer "
                             f"{layer.name} ({type(layer).__name__})")
        stages.append(layer)
    return stages


def render_tiled(transformer: keras.Model, read_image: RowReader,
                 height: int, width: int, embedding: np.ndarray,
                 folder: str | None = None, memory: int | None = None
                 ) -> Iterator[np.ndarray]:
    """The pastiche of a height×width photo, whose rows [start, stop)
    ``read_image`` returns (uint8, or float in [0, 1]), in the style
    ``embedding`` [D]: yields its rows top to bottom, in tiles [n, W, 3]
    float32 in [0, 1]. Features stay in memory while they take at most
    ``memory`` bytes (default IN_MEMORY_BYTES); the rest go to files in
    ``folder`` (default: the system's temporary folder), every one removed
    at the end."""
    stages = _check_chain(transformer)
    embedding = np.asarray(embedding, np.float64)
    folder = folder or tempfile.gettempdir()
    memory = IN_MEMORY_BYTES if memory is None else memory
    check_scratch_room(folder, max(0, scratch_bytes(
        transformer, height, width) - memory), height, width)
    scratch = _Scratch(folder, storage_dtype(transformer), memory)
    source = _image_source(read_image, height, width)
    try:
        for layer in stages:
            if isinstance(layer, SpaceToDepth):
                source = _space_to_depth(source, layer.block)
            elif isinstance(layer, ConvCIN):
                previous = source
                source = _conv_cin(layer, previous, embedding, scratch)
                previous.close()
            else:
                source = _residual(layer, source, embedding, scratch)
        step = _tile_rows(source.cols, source.channels)
        for first in range(0, height, step):
            yield source.read(first, min(height, first + step)).numpy()[
                :, :width]
    finally:
        source.close()


def storage_dtype(transformer: keras.Model) -> np.dtype:
    """The dtype features are kept in, in memory (files: FILE_DTYPE):
    float32 for a float32 network; float16 (half the bytes to move) for one
    that computes in bfloat16 or float16, whose own rounding is coarser
    than float16's 11-bit mantissa."""
    compute = transformer.dtype_policy.compute_dtype
    return np.dtype(np.float32 if compute == "float32" else np.float16)


def check_scratch_room(folder: str, need: int, height: int, width: int
                       ) -> None:
    """Raises MagentaStyleError when ``folder`` cannot be used, or has not
    ``need`` bytes free, for the feature files of a height×width render."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError as error:
        raise MagentaStyleError(f"cannot use folder={folder} for the feature "
                                f"files of a tiled render: {error.strerror}",
                                arguments=["folder"]) from None
    if need > free:
        raise MagentaStyleError(
            f"a tiled render of {width}x{height} pixels needs about "
            f"{need / 1e9:.1f} GB for its feature files, but {folder} has "
            f"{free / 1e9:.1f} GB free: give another folder=",
            arguments=["folder"])


def scratch_bytes(transformer: keras.Model, height: int, width: int) -> int:
    """Bytes of features that render_tiled holds at once for a height×width
    photo (in memory or in files): the most of a layer's input and output
    together, or of a residual block's input, inner layer and sum."""
    pixels = height * width
    most = values = 0.0  # values per photo pixel: the current input's
    scale = 1.0  # pixels of the current frame per photo pixel
    for layer in _check_chain(transformer):
        if isinstance(layer, SpaceToDepth):
            scale /= layer.block ** 2  # a view of its input, not stored
            continue
        if isinstance(layer, ConvCIN):
            scale *= (4 if layer.upsampling is not None else 1) / \
                layer.strides ** 2
            out = scale * layer.filters
            most, values = max(most, values + out), out
        else:
            out = scale * layer.filters
            most, values = max(most, values + 2 * out), out
    return int(most * pixels * storage_dtype(transformer).itemsize)
