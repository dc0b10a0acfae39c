"""The transformer's building blocks: convolution + CIN + activation
(ConvCIN) and the residual block. Every conditional layer takes
``[x, style_embedding]``: the embedding is one flat vector per example in
which each CIN layer reads its own slot (network.embedding), so one
interface serves training, blending, fine-tuning and the TFLite export.
"""

from __future__ import annotations

from typing import Sequence

import keras

from magenta_style import constants
from magenta_style.network.blocked_convolution import (
    SPACE_TO_DEPTH_MAX_FILTERS,
    SpaceToDepthConv2D,
)
from magenta_style.network.geometry import (
    ReflectionPadding2D,
    Upsampling2D,
)
from magenta_style.network.normalization import (
    ConditionalInstanceNormalization,
)
from magenta_style.network.serialization import PACKAGE, current_config


@keras.saving.register_keras_serializable(PACKAGE)
class ConvCIN(keras.layers.Layer):
    """[×2 upsampling] → mirror pad → conv (no bias) → CIN → activation.

    ``for_tflite`` traces the ops TFLite has and runs fastest: CIN's
    statistics as separate ops, and a plain convolution where TensorFlow
    gets a SpaceToDepthConv2D.
    """

    def __init__(self, filters: int, kernel_size: int, offset: int,
                 strides: int = 1, upsample: bool = False,
                 interpolation: str = constants.DEFAULT_UPSAMPLING,
                 activation: str | None = "relu",
                 for_tflite: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)
        self.offset = int(offset)
        self.strides = int(strides)
        self.upsample = bool(upsample)
        self.activation = keras.activations.get(activation)
        self.upsampling = (Upsampling2D(2, interpolation) if upsample
                           else None)
        self.interpolation = interpolation
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

    def flops(self, x_shape) -> float:
        """2 · multiply-adds of its convolution on an input [B, H, W, C]
        (per example)."""
        _, height, width, _ = self.compute_output_shape([x_shape, None])
        k_h, k_w, channels, filters = self.conv.kernel.shape
        return 2.0 * height * width * k_h * k_w * channels * filters

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "kernel_size": self.kernel_size, "offset": self.offset,
                "strides": self.strides, "upsample": self.upsample,
                "interpolation": self.interpolation,
                "activation": keras.activations.serialize(self.activation),
                "for_tflite": self.for_tflite}

    @classmethod
    def from_config(cls, config):
        return cls(**current_config(config))


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

    def flops(self, x_shape) -> float:
        """2 · multiply-adds of its two convolutions (per example)."""
        return self.first.flops(x_shape) + self.second.flops(x_shape)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters,
                "offsets": list(self.offsets), "for_tflite": self.for_tflite}

    @classmethod
    def from_config(cls, config):
        """Also reads older models (current_config), and those saved before
        the embedding layout had one owner: their config gives the first
        slot, the second followed it."""
        config = current_config(config)
        if "offset" in config:
            first = config.pop("offset")
            config["offsets"] = [first, first + 2 * config["filters"]]
        return cls(**config)
