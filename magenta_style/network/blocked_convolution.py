"""A stride-1 convolution computed on 2×2 pixel blocks (SpaceToDepthConv2D),
for convolutions with few filters, which oneDNN runs slowly."""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from magenta_style.network.geometry import crop_to
from magenta_style.network.serialization import PACKAGE

# Filters up to which a stride-1 convolution runs on 2×2 pixel blocks
# (SpaceToDepthConv2D): oneDNN computes 3 output channels as slowly as 8.
SPACE_TO_DEPTH_MAX_FILTERS = 4


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
