"""The style predictor: any painting → a point of the style-embedding space.

P(s) = W₂·(W₁·standardize(stats(s)) + b₁) + b₂, where stats(s) are the
per-channel mean and standard deviation of VGG-19 activations of the style
image s at PREDICTOR_LAYERS (the statistics that Huang and Belongie's AdaIN
shows carry much of a style) and the 100-value linear bottleneck follows
Ghiasi et al. The backbone is frozen ImageNet VGG-19; only the two linear
maps train (against the perceptual loss of T(c, P(s))), so the statistics of
a corpus can be computed once, before training (``image_statistics``).

The predictor sees a style image as its central square at
PREDICTOR_IMAGE_SIZE² (``predictor_view``); it cannot tell a painting's scale
from other sizes, since it was trained at that one.
"""

from __future__ import annotations

from typing import Sequence

import keras
import numpy as np
import tensorflow as tf

from magenta_style.network.serialization import PACKAGE
from magenta_style.objective.vgg import (
    CONV_CHANNELS,
    IMAGENET,
    build_feature_extractor,
    load_vgg19,
)
from magenta_style.runtime.contract import PREDICTOR_IMAGE_SIZE

PREDICTOR_LAYERS = ("block1_conv1", "block2_conv1", "block3_conv1",
                    "block4_conv1")
BOTTLENECK_SIZE = 100  # values (Ghiasi et al.)
# Standard deviation of the initial bottleneck → embedding weights: small, so
# that training starts near the output bias (the base model's mean style).
OUTPUT_INIT_STDDEV = 1e-3
# Added to variances before the square root, on VGG's 0..255-scale features.
_VARIANCE_EPSILON = 1e-5


@keras.saving.register_keras_serializable(PACKAGE)
class ChannelStatistics(keras.layers.Layer):
    """Feature maps [B, H, W, Cᵢ] → [B, Σ 2·Cᵢ]: per map, the channel means
    then the channel standard deviations, in float32."""

    def call(self, feature_maps):
        parts = []
        for features in feature_maps:
            mean, variance = tf.nn.moments(tf.cast(features, tf.float32),
                                           axes=[1, 2])
            parts += [mean, tf.sqrt(variance + _VARIANCE_EPSILON)]
        return tf.concat(parts, axis=-1)


@keras.saving.register_keras_serializable(PACKAGE)
class Standardization(keras.layers.Layer):
    """x → (x − mean) / std per feature, with mean and std of a corpus
    (``fit``); starts as the identity map. Its state is its two weights
    only, so copies made with set_weights behave the same."""

    def build(self, input_shape):
        size = int(input_shape[-1])
        self.mean = self.add_weight(name="mean", shape=(size,),
                                    initializer="zeros", trainable=False)
        self.std = self.add_weight(name="std", shape=(size,),
                                   initializer="ones", trainable=False)

    def fit(self, data: np.ndarray) -> None:
        """Sets mean and std to those of ``data`` [N, F] (a constant feature
        gets std 1)."""
        data = np.asarray(data, np.float64)
        std = data.std(axis=0)
        self.mean.assign(data.mean(axis=0).astype(np.float32))
        self.std.assign(np.where(std > 0, std, 1.0).astype(np.float32))

    def call(self, x):
        return (tf.cast(x, tf.float32) - self.mean) / self.std


class _Unsaved:
    """Holds an object where Keras neither tracks nor saves it."""

    def __init__(self, value):
        self.value = value


@keras.saving.register_keras_serializable(PACKAGE)
class StylePredictor(keras.Model):
    """Style image [B, H, W, 3] in [0, 1] → style embedding [B, D].

    Only the head (standardization, bottleneck, output map) is the model's
    own state, saved in .keras files. The backbone is ImageNet's VGG-19,
    which every user of the package already has for the loss: it is not
    saved (14 MB at the default layers) but given (``vgg``, ``set_backbone``)
    or loaded from ``vgg_weights`` ("imagenet": the Keras download cache; or
    a local notop .h5 file) when the predictor is first used.
    """

    def __init__(self, embedding_size: int,
                 feature_layers: Sequence[str] = PREDICTOR_LAYERS,
                 bottleneck_size: int = BOTTLENECK_SIZE,
                 vgg: keras.Model | None = None, **kwargs):
        super().__init__(**kwargs)
        if embedding_size < 1 or bottleneck_size < 1:
            raise ValueError(
                f"embedding_size ({embedding_size}) and bottleneck_size "
                f"({bottleneck_size}) must be >= 1")
        if not feature_layers:
            raise ValueError("feature_layers must not be empty")
        unknown = [n for n in feature_layers if n not in CONV_CHANNELS]
        if unknown:
            raise ValueError(f"feature_layers {unknown} are not VGG-19 "
                             f"convolutions: choose from "
                             f"{', '.join(CONV_CHANNELS)}")
        self.embedding_size = int(embedding_size)
        self.feature_layers = tuple(feature_layers)
        self.bottleneck_size = int(bottleneck_size)
        # Where the backbone's weights come from if none is given.
        self.vgg_weights = IMAGENET
        self._backbone = _Unsaved(None)
        if vgg is not None:
            self.set_backbone(vgg)
        self.statistics = ChannelStatistics(name="statistics")
        self.standardize = Standardization(name="standardize",
                                           dtype="float32")
        self.bottleneck = keras.layers.Dense(
            self.bottleneck_size, name="bottleneck", dtype="float32")
        self.to_embedding = keras.layers.Dense(
            self.embedding_size, name="to_embedding", dtype="float32",
            kernel_initializer=keras.initializers.RandomNormal(
                stddev=OUTPUT_INIT_STDDEV))
        self.build()

    @property
    def architecture(self) -> dict:
        """The arguments beside ``embedding_size`` that rebuild it."""
        return {"feature_layers": list(self.feature_layers),
                "bottleneck_size": self.bottleneck_size}

    @property
    def statistics_size(self) -> int:
        """Length of the statistics vector: 2 values per backbone channel."""
        return 2 * sum(CONV_CHANNELS[name] for name in self.feature_layers)

    def build(self, input_shape=None):
        size = self.statistics_size
        self.standardize.build((None, size))
        self.bottleneck.build((None, size))
        self.to_embedding.build((None, self.bottleneck_size))
        self.built = True

    def set_backbone(self, vgg: keras.Model) -> None:
        """Uses ``vgg`` (a loaded VGG-19, frozen here) as the backbone."""
        self._backbone.value = (vgg, build_feature_extractor(
            vgg, self.feature_layers))

    def backbone(self) -> keras.Model:
        """The frozen VGG-19 feature extractor (image → {layer: features}),
        loaded from ``vgg_weights`` on first use (eagerly, even when that use
        is inside a tf.function or a symbolic call, which would wrap a load
        error in lines of their own: call it before them). A method, not a
        property: Keras' saving reads every attribute, and must neither load
        nor save it."""
        if self._backbone.value is None:
            with tf.init_scope():
                self.set_backbone(load_vgg19(self.vgg_weights))
        return self._backbone.value[1]

    def share_state(self, other: "StylePredictor") -> None:
        """Takes ``other``'s weights, backbone (if loaded) and weights source,
        so that it predicts the same embeddings."""
        self.set_weights(other.get_weights())
        self.share_backbone(other)

    def share_backbone(self, other: "StylePredictor") -> None:
        """Takes ``other``'s backbone (if loaded) and weights source; the
        head stays its own."""
        self.vgg_weights = other.vgg_weights
        if other._backbone.value is not None:
            self.set_backbone(other._backbone.value[0])

    def image_statistics(self, images: tf.Tensor) -> tf.Tensor:
        """The backbone's channel statistics [B, F] of images in [0, 1]."""
        features = self.backbone()(images)
        return self.statistics([features[name]
                                for name in self.feature_layers])

    def embed_statistics(self, statistics: tf.Tensor) -> tf.Tensor:
        """Channel statistics [B, F] → style embeddings [B, D] (float32)."""
        return self.to_embedding(self.bottleneck(self.standardize(statistics)))

    def call(self, images):
        return self.embed_statistics(self.image_statistics(images))

    def start_from(self, statistics: np.ndarray, mean_embedding: np.ndarray
                   ) -> None:
        """Fits the standardization to a corpus' statistics [N, F] and puts
        the output bias at ``mean_embedding`` [D], where training starts."""
        self.standardize.fit(statistics)
        self.to_embedding.bias.assign(np.asarray(mean_embedding, np.float32))

    def get_config(self):
        return {**super().get_config(), "embedding_size": self.embedding_size,
                "feature_layers": list(self.feature_layers),
                "bottleneck_size": self.bottleneck_size}
