"""The style table: N style embeddings as one Keras weight, mapping style
weights (one-hot or convex) to embeddings, and, where styles have them, their
control points (runtime.controls) as a second weight."""

from __future__ import annotations

from typing import Sequence

import keras
import tensorflow as tf

from magenta_style.network.embedding import EmbeddingLayout
from magenta_style.network.serialization import PACKAGE
from magenta_style.runtime.controls import CONTROL_POINTS


@keras.saving.register_keras_serializable(PACKAGE)
class StyleTable(keras.layers.Layer):
    """N × D table of style embeddings; maps style weights [B, N] to [B, D].

    One-hot weights select a style (training); convex weights blend styles
    (γ = Σ wᵢ γᵢ, β = Σ wᵢ βᵢ). Rows start at γ = 1, β = 0. With
    ``controls``, ``controls`` [N, len(CONTROL_POINTS), D] holds each
    style's control points (not used by ``call``; runtime.style_space
    blends them).
    """

    def __init__(self, num_styles: int, cin_channels: Sequence[int],
                 controls: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.num_styles = int(num_styles)
        self.cin_channels = tuple(int(c) for c in cin_channels)
        self.has_controls = bool(controls)

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
        if self.has_controls:
            self.controls = self.add_weight(
                name="controls", shape=(self.num_styles, len(CONTROL_POINTS),
                                        self.embedding_size),
                initializer="zeros", dtype="float32", autocast=False,
                trainable=False)

    def call(self, style_weights):
        return tf.matmul(tf.cast(style_weights, tf.float32), self.table)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.embedding_size)

    def get_config(self):
        return {**super().get_config(), "num_styles": self.num_styles,
                "cin_channels": list(self.cin_channels),
                "controls": self.has_controls}
