"""Tiled rendering: a photo of any size in windows, in bounded memory, with
the instance-normalization statistics of the whole image.

Every CIN layer normalizes with the mean and variance of its input over the
whole image. A window rendered alone would use its own, and neighbouring
windows would differ in colour and stroke (the seams of naive tiling). Here
the network runs window by window with *given* statistics, in two passes:

1. ``measure_statistics``: a set of sample windows goes through the network
   layer by layer, together; each layer's mean and variance are taken over
   the windows' cores at once, and the layer is normalized with them before
   the next is measured. When the samples cover the whole image the
   statistics are exact, as in the whole-image pass (up to float rounding);
   otherwise they are estimated from an evenly spread share of it.
2. ``render_windows``: every window is rendered alone with those statistics.

Each window carries a halo of the network's receptive field (``halo``),
except at the image's borders, where each layer mirror-pads as in the
whole-image pass: every pixel of a window's core is what the whole-image
pass computes with the same statistics, so windows meet without seams.

Only the transformer of ``network.transformer`` is walked (a chain of
PadToMultiple, SpaceToDepth, ConvCIN, ResidualBlock and CropToReference);
another layer raises.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Iterator, Sequence

import keras
import numpy as np
import tensorflow as tf

from magenta_style import constants
from magenta_style.network.blocks import ConvCIN, ResidualBlock
from magenta_style.network.geometry import (
    CropToReference,
    PadToMultiple,
    SpaceToDepth,
    mirror_pad,
)

# Statistics of one network pass: per CIN layer (in network order) the mean
# and variance [C] of its convolution's output over the image.
Statistics = list[tuple[np.ndarray, np.ndarray]]


@dataclasses.dataclass(frozen=True)
class Extent:
    """Rows (or columns) [start, stop) of a layer's frame of ``size``."""

    start: int
    stop: int
    size: int

    def scaled(self, factor: int) -> "Extent":
        """The extent after nearest upsampling by ``factor``."""
        return Extent(self.start * factor, self.stop * factor,
                      self.size * factor)

    def divided(self, block: int) -> "Extent":
        """The extent after space-to-depth by ``block`` (aligned to it)."""
        return Extent(self.start // block, self.stop // block,
                      self.size // block)

    def border_pads(self, pad: int) -> tuple[int, int]:
        """Mirror padding before and after: only at the frame's borders."""
        return (pad if self.start == 0 else 0,
                pad if self.stop == self.size else 0)

    def convolved(self, kernel: int, stride: int) -> tuple["Extent", int,
                                                          int]:
        """The outputs a ``kernel``-wide, ``stride`` convolution computes
        exactly from this extent mirror-padded at the borders by kernel // 2,
        and the offset and length of the padded input that yields them."""
        pad = kernel // 2
        before, after = self.border_pads(pad)
        low, high = self.start - before, self.stop + after
        first = -((-low - pad) // stride)  # ceil((low + pad) / stride)
        last = (high - 1 - pad) // stride + 1
        if last <= first:
            raise ValueError(f"extent {self} is too short for a {kernel}-wide "
                             "convolution")
        offset = stride * first - pad - low
        length = stride * (last - first - 1) + kernel
        size = (self.size - 1) // stride + 1
        return Extent(first, last, size), offset, length


@dataclasses.dataclass(frozen=True)
class Window:
    """One window of the padded image: its input ``rows`` and ``cols`` and
    the ``core`` rows and cols [start, stop) of the output it owns."""

    rows: Extent
    cols: Extent
    core: tuple[tuple[int, int], tuple[int, int]]


def _stages(transformer: keras.Model) -> list[keras.layers.Layer]:
    """The transformer's layers between its input and its final crop."""
    stages = []
    for layer in transformer.layers:
        if isinstance(layer, (keras.layers.InputLayer, CropToReference)):
            continue
        if not isinstance(layer, (PadToMultiple, SpaceToDepth, ConvCIN,
                                  ResidualBlock)):
            raise ValueError(f"tiled rendering does not know layer "
                             f"{layer.name} ({type(layer).__name__})")
        stages.append(layer)
    return stages


def _conv_extents(layer: ConvCIN, rows: Extent, cols: Extent):
    """(rows, cols) of a ConvCIN's output and the slices of its padded
    input that compute them."""
    if layer.upsampling is not None:
        rows, cols = rows.scaled(2), cols.scaled(2)
    out_rows, row_offset, row_length = rows.convolved(layer.kernel_size,
                                                      layer.strides)
    out_cols, col_offset, col_length = cols.convolved(layer.kernel_size,
                                                      layer.strides)
    return (rows, cols, out_rows, out_cols,
            (row_offset, row_length), (col_offset, col_length))


def _output_extents(transformer: keras.Model, rows: Extent, cols: Extent
                    ) -> tuple[Extent, Extent]:
    """The output rows and cols a window of input ``rows``, ``cols`` (of
    the padded frame) computes exactly."""
    for layer in _stages(transformer):
        if isinstance(layer, SpaceToDepth):
            rows, cols = rows.divided(layer.block), cols.divided(layer.block)
        elif isinstance(layer, ConvCIN):
            rows, cols = _conv_extents(layer, rows, cols)[2:4]
        elif isinstance(layer, ResidualBlock):
            for conv in (layer.first, layer.second):
                rows, cols = _conv_extents(conv, rows, cols)[2:4]
    return rows, cols


def halo(transformer: keras.Model) -> int:
    """Input pixels a window needs on each inner side of its core: the
    receptive field's radius, rounded up to constants.SIZE_MULTIPLE."""
    multiple = constants.SIZE_MULTIPLE
    core, size = 64 * multiple, 1024 * multiple
    start = size // 2
    for margin in range(multiple, size // 2, multiple):
        window = Extent(start - margin, start + core + margin, size)
        out, _ = _output_extents(transformer, window, window)
        if out.start <= start and out.stop >= start + core:
            return margin
    raise ValueError("the receptive field is larger than half of "
                     f"{size} pixels")


def padded_size(height: int, width: int) -> tuple[int, int]:
    """The image's size in the network's padded frame (PadToMultiple)."""
    multiple = constants.SIZE_MULTIPLE
    return (-(-height // multiple) * multiple, -(-width // multiple) * multiple)


def window_grid(height: int, width: int, core: int, margin: int
                ) -> list[list[Window]]:
    """Windows, row by row, whose cores of ``core`` pixels (a multiple of
    constants.SIZE_MULTIPLE) tile a height×width image, each with
    ``margin`` pixels of halo inside the padded frame."""
    if core % constants.SIZE_MULTIPLE or core <= 0:
        raise ValueError(f"core must be a positive multiple of "
                         f"{constants.SIZE_MULTIPLE}, got {core}")
    padded = padded_size(height, width)

    def spans(size: int) -> list[tuple[int, int]]:
        return [(start, min(start + core, size))
                for start in range(0, size, core)]

    def extent(span: tuple[int, int], size: int) -> Extent:
        return Extent(max(0, span[0] - margin), min(size, span[1] + margin),
                      size)

    return [[Window(extent(r, padded[0]), extent(c, padded[1]), (r, c))
             for c in spans(padded[1])] for r in spans(padded[0])]


def sample_windows(grid: Sequence[Sequence[Window]], count: int
                   ) -> list[Window]:
    """``count`` windows of ``grid`` (all if it has no more), evenly spread
    over its rows and columns."""
    every = [w for row in grid for w in row]
    if count >= len(every):
        return every
    rows, cols = len(grid), len(grid[0])
    picked = np.linspace(0, rows * cols - 1, count)
    # Walk the grid along a skewed raster, so that the picks fall in every
    # row and, shifted from row to row, in every column.
    return [grid[int(i) % rows][(int(i) // rows + int(i)) % cols]
            for i in picked]


def _window_pixels(image: np.ndarray, window: Window) -> np.ndarray:
    """The window's input [1, h, w, 3] in [0, 1], float32, cut from the
    image (uint8 or float in [0, 1]) with PadToMultiple's mirror padding."""
    height, width = image.shape[:2]

    def indices(extent: Extent, size: int) -> np.ndarray:
        index = np.arange(extent.start, extent.stop)
        return np.where(index < size, index, 2 * (size - 1) - index)

    part = image[indices(window.rows, height)][:, indices(window.cols, width)]
    if part.dtype == np.uint8:
        part = part.astype(np.float32) / np.float32(255.0)
    return np.asarray(part, np.float32)[None]


def _convolve(layer: ConvCIN, x: tf.Tensor, rows: Extent, cols: Extent):
    """A ConvCIN's convolution of a window: (raw output, rows, cols)."""
    if layer.upsampling is not None:
        x = layer.upsampling(x)
    rows, cols, out_rows, out_cols, (r0, rn), (c0, cn) = _conv_extents(
        layer, rows, cols)
    pad = layer.kernel_size // 2
    x = mirror_pad(x, *rows.border_pads(pad), *cols.border_pads(pad))
    x = x[:, r0:r0 + rn, c0:c0 + cn]
    return layer.conv(x), out_rows, out_cols


def _normalize(layer: ConvCIN, z: tf.Tensor, embedding: tf.Tensor,
               mean: np.ndarray, variance: np.ndarray) -> tf.Tensor:
    """The layer's CIN with given statistics, then its activation."""
    norm = layer.norm
    c, o = norm.channels, norm.offset
    gamma, beta = embedding[0, o:o + c], embedding[0, o + c:o + 2 * c]
    scale = gamma * tf.math.rsqrt(tf.constant(variance, tf.float32)
                                  + norm.epsilon)
    shift = beta - tf.constant(mean, tf.float32) * scale
    y = tf.cast(z, tf.float32) * scale + shift
    return layer.activation(tf.cast(y, z.dtype))


def _core_moments(z: tf.Tensor, rows: Extent, cols: Extent, core,
                  frame: tuple[int, int]) -> tuple[np.ndarray, np.ndarray,
                                                   int]:
    """Sum and sum of squares [C] (float64) and the count of a window's
    core pixels in a layer's frame of ``frame`` (height, width) pixels."""
    (r0, r1), (c0, c1) = core
    padded_rows, padded_cols = frame
    # The core in this frame: the padded image's frame scaled to it.
    fr, fc = rows.size / padded_rows, cols.size / padded_cols
    top, bottom = int(r0 * fr) - rows.start, int(r1 * fr) - rows.start
    left, right = int(c0 * fc) - cols.start, int(c1 * fc) - cols.start
    part = tf.cast(z[0, top:bottom, left:right], tf.float64)
    return (tf.reduce_sum(part, [0, 1]).numpy(),
            tf.reduce_sum(tf.square(part), [0, 1]).numpy(),
            (bottom - top) * (right - left))


def _conv_layers(transformer: keras.Model) -> list[ConvCIN]:
    """The ConvCIN layers in network order (a residual block's two)."""
    convs = []
    for layer in _stages(transformer):
        if isinstance(layer, ConvCIN):
            convs.append(layer)
        elif isinstance(layer, ResidualBlock):
            convs += [layer.first, layer.second]
    return convs


def _walk(transformer: keras.Model, windows: Sequence[Window],
          image: np.ndarray, embedding: tf.Tensor,
          statistics: Statistics | None) -> tuple[list, Statistics]:
    """The transformer on ``windows`` together, layer by layer: normalized
    with ``statistics``, or (None) with those measured over the windows'
    cores. Returns each window's (output, rows, cols) and the statistics."""
    padded = padded_size(*image.shape[:2])
    states = [(tf.constant(_window_pixels(image, w)), w.rows, w.cols)
              for w in windows]
    used: Statistics = []

    def conv_cin(layer: ConvCIN, states):
        raw = [_convolve(layer, x, rows, cols) for x, rows, cols in states]
        if statistics is not None:
            mean, variance = statistics[len(used)]
        else:
            moments = [_core_moments(z, rows, cols, w.core, padded)
                       for (z, rows, cols), w in zip(raw, windows)]
            count = sum(m[2] for m in moments)
            mean = sum(m[0] for m in moments) / count
            variance = np.maximum(sum(m[1] for m in moments) / count
                                  - mean ** 2, 0.0)
        used.append((mean, variance))
        return [(_normalize(layer, z, embedding, mean, variance), rows, cols)
                for z, rows, cols in raw]

    for layer in _stages(transformer):
        if isinstance(layer, SpaceToDepth):
            states = [(layer(x), rows.divided(layer.block),
                       cols.divided(layer.block)) for x, rows, cols in states]
        elif isinstance(layer, ConvCIN):
            states = conv_cin(layer, states)
        elif isinstance(layer, ResidualBlock):
            inner = conv_cin(layer.second, conv_cin(layer.first, states))
            states = [(x[:, rows.start - x_rows.start:rows.stop - x_rows.start,
                         cols.start - x_cols.start:cols.stop - x_cols.start]
                       + h, rows, cols)
                      for (x, x_rows, x_cols), (h, rows, cols)
                      in zip(states, inner)]
    return states, used


def measure_statistics(transformer: keras.Model, image: np.ndarray,
                       embedding: np.ndarray, windows: Sequence[Window]
                       ) -> Statistics:
    """Each CIN layer's mean and variance over the cores of ``windows``
    (exact when they tile the whole image), for ``image`` [H, W, 3] (uint8
    or float in [0, 1]) in the style ``embedding`` [D]."""
    embedding = tf.constant(np.asarray(embedding, np.float32)[None])
    return _walk(transformer, windows, image, embedding, None)[1]


def render_windows(transformer: keras.Model, image: np.ndarray,
                   embedding: np.ndarray, statistics: Statistics,
                   grid: Sequence[Sequence[Window]]
                   ) -> Iterator[tuple[int, np.ndarray]]:
    """The pastiche, one row of windows at a time: (first image row, rows
    [h, W, 3] float32 in [0, 1]), cropped to the image's size."""
    height, width = image.shape[:2]
    embedding = tf.constant(np.asarray(embedding, np.float32)[None])
    for row in grid:
        (top, bottom), _ = row[0].core
        if top >= height:
            break
        band = []
        for window in row:
            [(y, rows, cols)], _ = _walk(transformer, [window], image,
                                         embedding, statistics)
            (r0, r1), (c0, c1) = window.core
            band.append(np.asarray(
                y[0, r0 - rows.start:r1 - rows.start,
                  c0 - cols.start:c1 - cols.start], np.float32))
        yield top, np.concatenate(band, axis=1)[:min(bottom, height) - top,
                                                :width]


def windows_for_budget(pixels: int, margin: int) -> int:
    """The core side (a multiple of constants.SIZE_MULTIPLE) of windows of
    about ``pixels`` input pixels each, halo of ``margin`` included."""
    side = int(math.sqrt(pixels)) - 2 * margin
    multiple = constants.SIZE_MULTIPLE
    return max(multiple, side // multiple * multiple)
