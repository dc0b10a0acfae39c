"""Padding and geometry layers: mirror padding, padding to a size multiple
and cropping back, upsampling and space-to-depth, each in
the ops that convert to TFLite builtins for any input size.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from magenta_style import constants
from magenta_style.errors import MagentaStyleError
from magenta_style.network.serialization import PACKAGE, current_config


def _mirror_rows(x: tf.Tensor, axis: int, before: int, after: int
                 ) -> tf.Tensor:
    """Mirror-pads axis 1 or 2 of [B, H, W, C], the edge row not repeated."""
    def row(index) -> tf.Tensor:
        begin, size = [0, 0, 0, 0], [-1, -1, -1, x.shape[-1]]
        begin[axis], size[axis] = index, 1
        return tf.slice(x, tf.stack(begin), size)

    last = tf.shape(x)[axis] - 1
    rows = ([row(i) for i in range(before, 0, -1)] + [x] +
            [row(last - i) for i in range(1, after + 1)])
    return tf.concat(rows, axis=axis) if len(rows) > 1 else x


def crop_to(x: tf.Tensor, height, width) -> tf.Tensor:
    """The top-left height×width of [B, H, W, C].

    A SLICE, not the STRIDED_SLICE that ``x[:, :h, :w]`` converts to: TFLite
    runs SLICE as row copies, 5× faster at 512² (1.1 against 5.7 ms).
    """
    return tf.slice(x, [0, 0, 0, 0],
                    tf.stack([-1, height, width, x.shape[-1]]))


def mirror_pad(x: tf.Tensor, top: int, bottom: int, left: int, right: int,
               with_slices: bool = False) -> tf.Tensor:
    """Reflection padding of H and W (the edge row is not repeated).

    Each pad must be smaller than its side. ``with_slices`` traces it as
    SLICE and CONCATENATION row copies instead of one MirrorPad: TFLite's
    MIRROR_PAD kernel copies element by element and took 9.8 ms to pad
    128²×128 by 1 pixel, against 1.8 ms for the row copies, which halves the
    network's time at 512²; TensorFlow pads 1024×768×32 by 4 in 17 ms with
    them against 23 ms. TensorFlow's MirrorPad and its gradient are faster in
    training (a step takes 5% less). Both give the same values
    (benchmarks/RESULTS.md).
    """
    if not with_slices:
        return tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]],
                      mode="REFLECT")
    return _mirror_rows(_mirror_rows(x, 1, top, bottom), 2, left, right)


@keras.saving.register_keras_serializable(PACKAGE)
class ReflectionPadding2D(keras.layers.Layer):
    """Mirror padding by ``padding`` pixels on each side of H and W: row
    copies outside training, MirrorPad in training (see mirror_pad)."""

    def __init__(self, padding: int, **kwargs):
        super().__init__(**kwargs)
        if padding < 0:
            raise ValueError(f"padding must be >= 0, got {padding}")
        self.padding = int(padding)

    def call(self, x, training=None):
        p = self.padding
        return mirror_pad(x, p, p, p, p, with_slices=not training)

    def compute_output_shape(self, input_shape):
        def grow(dim):
            return None if dim is None else dim + 2 * self.padding

        b, h, w, c = input_shape
        return (b, grow(h), grow(w), c)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


@keras.saving.register_keras_serializable(PACKAGE)
class Upsampling2D(keras.layers.Layer):
    """Upsampling by an integer factor, nearest-neighbour or bilinear
    (constants.UPSAMPLING), for any H×W.

    Built on ``tf.image.resize`` because it converts to TFLite's
    RESIZE_NEAREST_NEIGHBOR or RESIZE_BILINEAR with a dynamic size (Keras'
    UpSampling2D does not).
    """

    def __init__(self, factor: int = 2,
                 interpolation: str = constants.DEFAULT_UPSAMPLING, **kwargs):
        super().__init__(**kwargs)
        if interpolation not in constants.UPSAMPLING:
            raise MagentaStyleError(
                f"unknown upsampling '{interpolation}'; choose one of "
                f"{', '.join(constants.UPSAMPLING)}",
                arguments=["interpolation"])
        self.factor = int(factor)
        self.interpolation = interpolation

    def call(self, x):
        size = tf.shape(x)[1:3] * self.factor
        y = tf.image.resize(x, size, method=self.interpolation)
        return tf.cast(y, x.dtype)

    def compute_output_shape(self, input_shape):
        def grow(dim):
            return None if dim is None else dim * self.factor

        b, h, w, c = input_shape
        return (b, grow(h), grow(w), c)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor,
                "interpolation": self.interpolation}


@keras.saving.register_keras_serializable(PACKAGE)
class SpaceToDepth(keras.layers.Layer):
    """Moves each ``block``×``block`` patch of pixels into the channels.

    [B, H, W, C] → [B, H/block, W/block, C·block²]; H and W must divide.
    Converts to TFLite's SPACE_TO_DEPTH.
    """

    def __init__(self, block: int, **kwargs):
        super().__init__(**kwargs)
        self.block = int(block)

    def call(self, x):
        return tf.nn.space_to_depth(x, self.block)

    def compute_output_shape(self, input_shape):
        def shrink(dim):
            return None if dim is None else dim // self.block

        b, h, w, c = input_shape
        return (b, shrink(h), shrink(w), c * self.block ** 2)

    def get_config(self):
        return {**super().get_config(), "block": self.block}


@keras.saving.register_keras_serializable(PACKAGE)
class PadToMultiple(keras.layers.Layer):
    """Mirror-pads H and W at the bottom/right up to a multiple of ``multiple``.

    Pads by a constant ``multiple - 1`` and slices back to the rounded-up size:
    a pad with data-dependent amounts would lose the static channel count,
    which TFLite's CONV_2D needs. H and W must be at least ``multiple``.
    Row copies outside training, MirrorPad in training (see mirror_pad).
    """

    def __init__(self, multiple: int = constants.SIZE_MULTIPLE, **kwargs):
        super().__init__(**kwargs)
        if multiple < 1:
            raise ValueError(f"multiple must be >= 1, got {multiple}")
        self.multiple = int(multiple)

    def call(self, x, training=None):
        m = self.multiple
        hw = tf.shape(x)[1:3]
        target = (hw + m - 1) // m * m
        padded = mirror_pad(x, 0, m - 1, 0, m - 1, with_slices=not training)
        return crop_to(padded, target[0], target[1])

    def compute_output_shape(self, input_shape):
        def grow(dim):
            return None if dim is None else dim + (-dim) % self.multiple

        b, h, w, c = input_shape
        return (b, grow(h), grow(w), c)

    def get_config(self):
        return {**super().get_config(), "multiple": self.multiple}

    @classmethod
    def from_config(cls, config):
        return cls(**current_config(config))


@keras.saving.register_keras_serializable(PACKAGE)
class CropToReference(keras.layers.Layer):
    """Crops ``x`` to the H×W of ``reference`` (undoes PadToMultiple)."""

    def call(self, inputs):
        x, reference = inputs
        hw = tf.shape(reference)[1:3]
        return crop_to(x, hw[0], hw[1])

    def compute_output_shape(self, input_shape):
        x_shape, ref_shape = input_shape
        return (x_shape[0], ref_shape[1], ref_shape[2], x_shape[3])
