"""Shared by the benchmark scripts: the machine's peak and analytic FLOPs."""

from __future__ import annotations

import keras
import tensorflow as tf

from magenta_style.measurement import median_seconds


def matmul_peak_gflops(dtype: tf.DType, n: int = 4096, runs: int = 5) -> float:
    """Measured TensorFlow n×n matmul throughput in GFLOP/s (2·n³ per call)."""
    a = tf.random.uniform([n, n], dtype=tf.float32)
    a = tf.cast(a, dtype)
    matmul = tf.function(lambda x: tf.matmul(x, x))
    seconds = median_seconds(lambda: matmul(a).numpy(), runs)
    return 2 * n ** 3 / seconds / 1e9


def conv_peak_gflops(dtype: tf.DType, size: int = 64, channels: int = 128,
                     batch: int = 8, runs: int = 5) -> float:
    """Measured 3×3 convolution throughput in GFLOP/s (NHWC, same padding):
    the transformer's residual-block convolution, the bound of its work."""
    x = tf.cast(tf.random.uniform([batch, size, size, channels]), dtype)
    kernel = tf.cast(tf.random.uniform([3, 3, channels, channels]), dtype)
    conv = tf.function(lambda v: tf.nn.conv2d(v, kernel, 1, "SAME"))
    seconds = median_seconds(lambda: conv(x).numpy(), runs)
    return 2.0 * batch * size * size * 9 * channels * channels / seconds / 1e9


def peaks() -> dict[str, float]:
    """Matmul 4096² and 3×3 convolution peaks, float32 and bfloat16, GFLOP/s."""
    return {f"{kind} {name}": measure(dtype)
            for kind, measure in (("matmul", matmul_peak_gflops),
                                  ("conv", conv_peak_gflops))
            for name, dtype in (("float32", tf.float32),
                                ("bfloat16", tf.bfloat16))}


def format_peaks(found: dict[str, float]) -> str:
    """One line: every peak of ``peaks``."""
    return "peak GFLOP/s: " + ", ".join(f"{k} {v:.0f}" for k, v in found.items())


def transformer_gflops(transformer: keras.Model, height: int, width: int
                       ) -> float:
    """Forward GFLOP of the transformer's convolutions at H×W."""
    from magenta_style.network.transformer import transformer_flops

    return transformer_flops(transformer, height, width) / 1e9


def vgg_gflops(extractor: keras.Model, height: int, width: int) -> float:
    """Forward GFLOP of a VGG feature extractor's convolutions at H×W."""
    total, h, w = 0.0, height, width
    for layer in extractor.layers:
        if isinstance(layer, keras.layers.MaxPooling2D):
            h, w = h // 2, w // 2
        elif isinstance(layer, keras.layers.Conv2D):
            k_h, k_w, c_in, c_out = layer.kernel.shape
            total += 2.0 * h * w * k_h * k_w * c_in * c_out
    return total / 1e9
