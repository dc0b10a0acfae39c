"""Conditional instance normalization (Dumoulin et al.): instance
normalization whose γ and β are read from the style embedding."""

from __future__ import annotations

import keras
import tensorflow as tf

from magenta_style import constants
from magenta_style.network.embedding import check_slot
from magenta_style.network.serialization import PACKAGE


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
