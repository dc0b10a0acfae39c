"""Keras layers of the style transfer network.

Every conditional layer takes ``[x, style_embedding]``: the embedding is one
flat vector per example in which each conditional instance normalization
(CIN) layer reads its own slot (network.embedding), so one interface serves
training (one-hot style rows), blending (convex mixtures), new-style
fine-tuning and the TFLite export (the embedding is an input tensor).
"""

from __future__ import annotations

from typing import Sequence

import keras
import numpy as np
import tensorflow as tf

from magenta_style import constants
from magenta_style.network.embedding import EmbeddingLayout, check_slot

PACKAGE = "magenta_style"


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
class NearestUpsampling2D(keras.layers.Layer):
    """Nearest-neighbour upsampling by an integer factor, for any H×W.

    Built on ``tf.image.resize`` because it converts to TFLite's
    RESIZE_NEAREST_NEIGHBOR with a dynamic size (Keras' UpSampling2D does not).
    """

    def __init__(self, factor: int = 2, **kwargs):
        super().__init__(**kwargs)
        self.factor = int(factor)

    def call(self, x):
        size = tf.shape(x)[1:3] * self.factor
        y = tf.image.resize(x, size, method="nearest")
        return tf.cast(y, x.dtype)

    def compute_output_shape(self, input_shape):
        def grow(dim):
            return None if dim is None else dim * self.factor

        b, h, w, c = input_shape
        return (b, grow(h), grow(w), c)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


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


def _spatial_mean(x: tf.Tensor) -> tf.Tensor:
    """Mean over H and W as a mean of row means.

    Equal to one mean over H·W, but a runtime that sums naively in float32
    (TFLite's MEAN) accumulates over W then H values instead of H·W, which
    keeps its result within ~1e-6 of TensorFlow's at 512² instead of ~1e-4.
    """
    return tf.reduce_mean(tf.reduce_mean(x, axis=2, keepdims=True), axis=1,
                          keepdims=True)


# Channels from which the fused kernel normalizes faster than separate ops
# (in bfloat16 at 1024×768: 3 channels 18 against 12 ms, 8 channels 6 against
# 14 ms, 32 channels 32 against 55 ms).
FUSED_NORMALIZATION_MIN_CHANNELS = 8


@keras.saving.register_keras_serializable(PACKAGE)
class ConditionalInstanceNormalization(keras.layers.Layer):
    """z = γ_s · (x − μ) / σ + β_s, with μ, σ per image and channel over H, W.

    γ_s and β_s are read from the style embedding at ``offset``:
    ``embedding[:, offset:offset+C]`` is γ and the next C values are β.
    Statistics are computed in float32 even under a bfloat16 policy.

    Outside training, with FUSED_NORMALIZATION_MIN_CHANNELS channels or
    more, TensorFlow's fused batch normalization kernel computes it:
    statistics and affine map in one kernel, 1.7× faster for one image (a
    batch goes as one image of B·C channels).
    Training (whose step was measured with them), ``for_tflite`` (TFLite
    has no such kernel) and fewer channels trace separate mean, variance
    and affine ops. Both give the same values.
    """

    def __init__(self, offset: int, epsilon: float = constants.CIN_EPSILON,
                 for_tflite: bool = False, **kwargs):
        super().__init__(**kwargs)
        if offset < 0 or epsilon <= 0:
            raise ValueError(f"offset must be >= 0 and epsilon > 0, got "
                             f"{offset} and {epsilon}")
        self.offset = int(offset)
        self.epsilon = float(epsilon)
        self.for_tflite = bool(for_tflite)

    def build(self, input_shape):
        x_shape, embedding_shape = input_shape
        self.channels = int(x_shape[-1])
        if embedding_shape[-1] is not None:
            check_slot(self.offset, self.channels, int(embedding_shape[-1]))

    def call(self, inputs, training=None):
        x, embedding = inputs
        c, o = self.channels, self.offset
        embedding = tf.cast(embedding, tf.float32)
        gamma, beta = embedding[:, o:o + c], embedding[:, o + c:o + 2 * c]
        if (training or self.for_tflite
                or self.channels < FUSED_NORMALIZATION_MIN_CHANNELS):
            return self._separate_ops(x, gamma, beta)
        return tf.cond(tf.shape(x)[0] == 1,
                       lambda: self._fused_kernel(x, gamma[0], beta[0]),
                       lambda: self._fused_kernel_on_batch(x, gamma, beta))

    def _separate_ops(self, x, gamma, beta):
        """The normalization as mean, variance and affine ops over [B, ...]."""
        x32 = tf.cast(x, tf.float32)
        mean = _spatial_mean(x32)
        variance = _spatial_mean(tf.math.squared_difference(x32, mean))
        scale = gamma[:, tf.newaxis, tf.newaxis] * tf.math.rsqrt(
            variance + self.epsilon)
        shift = beta[:, tf.newaxis, tf.newaxis] - mean * scale
        return tf.cast(x32 * scale + shift, x.dtype)

    def _fused_kernel(self, image, gamma, beta):
        """One image [1, H, W, C] normalized by the fused kernel, γ and β
        [C]."""
        empty = tf.zeros([0], tf.float32)
        return tf.raw_ops.FusedBatchNormV3(
            x=image, scale=gamma, offset=beta, mean=empty, variance=empty,
            epsilon=self.epsilon, is_training=True)[0]

    def _fused_kernel_on_batch(self, x, gamma, beta):
        """x [B, H, W, C] normalized by the fused kernel as one image of B·C
        channels. The two transposes make it 1.6× slower per image than
        one image at a time through tf.map_fn; but a map_fn (a While loop)
        inside the tf.cond makes Grappler log "topological sort failed" at
        every trace. They cost even for a batch of one (a 384×512 pass took
        206–223 ms against 185–193 ms), hence call's own branch for it."""
        shape = tf.shape(x)
        folded = tf.reshape(tf.transpose(x, [1, 2, 0, 3]),
                            [1, shape[1], shape[2], -1])
        normalized = self._fused_kernel(folded, tf.reshape(gamma, [-1]),
                                        tf.reshape(beta, [-1]))
        return tf.transpose(
            tf.reshape(normalized, [shape[1], shape[2], shape[0], shape[3]]),
            [2, 0, 1, 3])

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "offset": self.offset,
                "epsilon": self.epsilon, "for_tflite": self.for_tflite}


# Filters up to which a stride-1 convolution runs on 2×2 pixel blocks
# (SpaceToDepthConv2D): oneDNN computes 3 output channels as slowly as 8.
SPACE_TO_DEPTH_MAX_FILTERS = 4


def _current_config(config: dict) -> dict:
    """A layer config without ``pad_with_slices``, which models saved before
    2026-11-28 carry (always False): pads now pick their ops by
    ``training``."""
    return {k: v for k, v in config.items() if k != "pad_with_slices"}


def space_to_depth_kernel(kernel: tf.Tensor) -> tf.Tensor:
    """A stride-1 kernel [k, k, C, F] (k odd) rearranged as the kernel
    [n, n, 4C, 4F], n = (k + 1) / 2, of the same convolution between
    ``tf.nn.space_to_depth(·, 2)`` of its input and of its output.

    Block tap (q, p) links input phase (r, s) to output phase (a, b) through
    the original tap (2q + r − a, 2p + s − b), or zero outside the kernel.
    The taps are picked by a product with a 0/1 matrix, whose gradient is a
    product too (a gather's would be a scatter, nondeterministic on GPUs).
    """
    k, _, channels, filters = kernel.shape
    n = (k + 1) // 2
    q, p, r, s, a, b = np.ix_(*[np.arange(m) for m in (n, n, 2, 2, 2, 2)])
    i, j = 2 * q + r - a, 2 * p + s - b
    inside = (i >= 0) & (i < k) & (j >= 0) & (j < k)
    picks = (np.where(inside, i * k + j, -1)[..., None]
             == np.arange(k * k)).astype(np.float32)  # [n, n, r, s, a, b, k²]
    taps = tf.reshape(kernel, [k * k, channels * filters])
    picked = tf.tensordot(tf.constant(picks, kernel.dtype), taps, 1)
    blocks = tf.reshape(picked, [n, n, 2, 2, 2, 2, channels, filters])
    blocks = tf.transpose(blocks, [0, 1, 2, 3, 6, 4, 5, 7])
    return tf.reshape(blocks, [n, n, 4 * channels, 4 * filters])


@keras.saving.register_keras_serializable(PACKAGE)
class SpaceToDepthConv2D(keras.layers.Conv2D):
    """A stride-1, odd-sized, "valid" Conv2D computed on 2×2 pixel blocks:
    space-to-depth, the convolution with ``space_to_depth_kernel``, then
    depth-to-space. Same weights and values as Conv2D.

    For few filters: oneDNN pads the output channels of a convolution, so
    the RGB output's 9×9 convolution (32 → 3 channels at full resolution)
    took 159 ms at 1024×768 in bfloat16, and 67 ms as 128 → 12 channels
    on blocks (benchmarks/RESULTS.md), 24% more multiplications included.
    """

    def __init__(self, filters: int, kernel_size: int, **kwargs):
        super().__init__(filters, kernel_size, **kwargs)
        if (self.strides != (1, 1) or self.padding != "valid"
                or self.kernel_size[0] != self.kernel_size[1]
                or self.kernel_size[0] % 2 == 0
                or self.dilation_rate != (1, 1)
                or self.data_format != "channels_last"):
            raise ValueError("SpaceToDepthConv2D is a square, odd-sized, "
                             "stride-1, undilated 'valid' channels-last "
                             f"convolution, got {self.get_config()}")

    def convolution_op(self, inputs, kernel):
        height, width = tf.shape(inputs)[1], tf.shape(inputs)[2]
        even = tf.pad(inputs, [[0, 0], [0, height % 2], [0, width % 2],
                               [0, 0]])
        blocks = tf.nn.conv2d(tf.nn.space_to_depth(even, 2),
                              space_to_depth_kernel(kernel), 1, "VALID")
        out = tf.nn.depth_to_space(blocks, 2)
        size = self.kernel_size[0] - 1
        return crop_to(out, height - size, width - size)


@keras.saving.register_keras_serializable(PACKAGE)
class ConvCIN(keras.layers.Layer):
    """[×2 nearest upsampling] → mirror pad → conv (no bias) → CIN → activation.

    ``for_tflite`` traces the ops TFLite has and runs fastest: CIN's
    statistics as separate ops, and a plain convolution where TensorFlow
    gets a SpaceToDepthConv2D.
    """

    def __init__(self, filters: int, kernel_size: int, offset: int,
                 strides: int = 1, upsample: bool = False,
                 activation: str | None = "relu",
                 for_tflite: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)
        self.offset = int(offset)
        self.strides = int(strides)
        self.upsample = bool(upsample)
        self.activation = keras.activations.get(activation)
        self.upsampling = NearestUpsampling2D(2) if upsample else None
        self.for_tflite = bool(for_tflite)
        self.pad = ReflectionPadding2D(self.kernel_size // 2)
        blocked = (self.filters <= SPACE_TO_DEPTH_MAX_FILTERS
                   and self.strides == 1 and self.kernel_size % 2 == 1
                   and not self.for_tflite)
        self.conv = (SpaceToDepthConv2D if blocked else keras.layers.Conv2D)(
            self.filters, self.kernel_size, strides=self.strides,
            padding="valid", use_bias=False,
            kernel_initializer=keras.initializers.RandomNormal(
                stddev=constants.CONV_INIT_STDDEV))
        self.norm = ConditionalInstanceNormalization(
            self.offset, for_tflite=self.for_tflite)

    def build(self, input_shape):
        x_shape, e_shape = input_shape
        if self.upsampling is not None:
            self.upsampling.build(x_shape)
            x_shape = self.upsampling.compute_output_shape(x_shape)
        self.pad.build(x_shape)
        x_shape = self.pad.compute_output_shape(x_shape)
        self.conv.build(x_shape)
        y_shape = self.conv.compute_output_shape(x_shape)
        self.norm.build([y_shape, e_shape])

    def call(self, inputs):
        x, embedding = inputs
        if self.upsampling is not None:
            x = self.upsampling(x)
        x = self.conv(self.pad(x))
        return self.activation(self.norm([x, embedding]))

    def compute_output_shape(self, input_shape):
        x_shape = input_shape[0]
        if self.upsampling is not None:
            x_shape = self.upsampling.compute_output_shape(x_shape)
        return self.conv.compute_output_shape(
            self.pad.compute_output_shape(x_shape))

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "offset": self.offset,
                "strides": self.strides, "upsample": self.upsample,
                "activation": keras.activations.serialize(self.activation),
                "for_tflite": self.for_tflite}

    @classmethod
    def from_config(cls, config):
        return cls(**_current_config(config))


@keras.saving.register_keras_serializable(PACKAGE)
class ResidualBlock(keras.layers.Layer):
    """x + CIN(conv(ReLU(CIN(conv(x))))), both convolutions 3×3, same width.

    ``offsets`` are the embedding slots of its two CIN layers; ``for_tflite``
    as in ConvCIN.
    """

    def __init__(self, filters: int, offsets: Sequence[int],
                 for_tflite: bool = False, **kwargs):
        super().__init__(**kwargs)
        if len(offsets) != 2:
            raise ValueError(f"a residual block has 2 CIN slots, got {offsets}")
        self.filters = int(filters)
        self.offsets = tuple(int(o) for o in offsets)
        self.for_tflite = bool(for_tflite)
        self.first = ConvCIN(filters, constants.INNER_KERNEL_SIZE,
                             self.offsets[0], for_tflite=self.for_tflite)
        self.second = ConvCIN(filters, constants.INNER_KERNEL_SIZE,
                              self.offsets[1], activation=None,
                              for_tflite=self.for_tflite)

    def build(self, input_shape):
        self.first.build(input_shape)
        self.second.build(input_shape)

    def call(self, inputs):
        x, embedding = inputs
        h = self.first([x, embedding])
        return x + self.second([h, embedding])

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "offsets": list(self.offsets), "for_tflite": self.for_tflite}

    @classmethod
    def from_config(cls, config):
        """Also reads older models (_current_config), and those saved before
        the embedding layout had one owner: their config gives the first
        slot, the second followed it."""
        config = _current_config(config)
        if "offset" in config:
            first = config.pop("offset")
            config["offsets"] = [first, first + 2 * config["filters"]]
        return cls(**config)


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
        return cls(**_current_config(config))


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


@keras.saving.register_keras_serializable(PACKAGE)
class StyleTable(keras.layers.Layer):
    """N × D table of style embeddings; maps style weights [B, N] to [B, D].

    One-hot weights select a style (training); convex weights blend styles
    (γ = Σ wᵢ γᵢ, β = Σ wᵢ βᵢ). Rows start at γ = 1, β = 0.
    """

    def __init__(self, num_styles: int, cin_channels: Sequence[int], **kwargs):
        super().__init__(**kwargs)
        self.num_styles = int(num_styles)
        self.cin_channels = tuple(int(c) for c in cin_channels)

    @property
    def embedding_size(self) -> int:
        return EmbeddingLayout(self.cin_channels).size

    def build(self, input_shape=None):
        identity = EmbeddingLayout(self.cin_channels).identity()

        def initializer(shape, dtype=None):
            return tf.cast(tf.tile(identity[None], [shape[0], 1]), dtype)

        self.table = self.add_weight(
            name="table", shape=(self.num_styles, self.embedding_size),
            initializer=initializer, dtype="float32", autocast=False)

    def call(self, style_weights):
        return tf.matmul(tf.cast(style_weights, tf.float32), self.table)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.embedding_size)

    def get_config(self):
        return {**super().get_config(), "num_styles": self.num_styles,
                "cin_channels": list(self.cin_channels)}
