"""Perceptual losses: content (feature distance) and style (Gram distance).

Gram = FᵀF / (H·W) per image; style loss of a layer = mean over the C×C
entries of the squared Gram difference; content loss of a layer = mean
squared feature difference. Both are weighted per layer and summed. All loss
arithmetic runs in float32, whatever the network's compute dtype.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import keras
import tensorflow as tf

from magenta_style.objective.loss_config import LossConfig
from magenta_style.objective.vgg import build_feature_extractor


@tf.custom_gradient
def _gram_of_rows(rows: tf.Tensor) -> tf.Tensor:
    """[B, N, C] → [B, C, C] RᵀR, whose gradient takes one matmul.

    TensorFlow's gradient of matmul(R, R, transpose_a=True) takes two, one
    per operand; as both operands are R, dR = R (dG + dGᵀ) is one. No second
    derivative is defined.
    """
    def gradient(upstream: tf.Tensor) -> tf.Tensor:
        return tf.linalg.matmul(
            rows, upstream + tf.linalg.matrix_transpose(upstream))
    return tf.linalg.matmul(rows, rows, transpose_a=True), gradient


def gram_matrix(features: tf.Tensor) -> tf.Tensor:
    """[B, H, W, C] → [B, C, C] Gram matrices FᵀF / (H·W), in float32."""
    features = tf.cast(features, tf.float32)
    shape = tf.shape(features)
    rows = tf.reshape(features, [shape[0], -1, shape[3]])
    pixels = tf.cast(shape[1] * shape[2], tf.float32)
    return _gram_of_rows(rows) / pixels


def mean_squared_error(a: tf.Tensor, b: tf.Tensor) -> tf.Tensor:
    """Per-example mean of (a − b)² over all but the batch axis, in float32."""
    diff = tf.cast(a, tf.float32) - tf.cast(b, tf.float32)
    return tf.reduce_mean(tf.reshape(tf.square(diff), [tf.shape(diff)[0], -1]),
                          axis=1)


class PerceptualLoss:
    """Content and style losses measured by a frozen VGG-19.

    Style targets are Gram matrices computed once per style image
    (``style_grams``); content targets are the content image's features
    (``content_features``), computed by a network cut at the content layers.
    """

    def __init__(self, vgg: keras.Model, config: LossConfig = LossConfig()):
        self.config = config
        layers = list(dict.fromkeys(config.style_layers + config.content_layers))
        self.extractor = build_feature_extractor(vgg, layers)
        self.content_extractor = build_feature_extractor(
            vgg, config.content_layers)

    def content_features(self, images: tf.Tensor) -> dict[str, tf.Tensor]:
        """Features of the content layers for RGB images in [0, 1]."""
        return self.content_extractor(images)

    def grams(self, images: tf.Tensor) -> dict[str, tf.Tensor]:
        """Gram matrices [B, C, C] per style layer of a batch [B, H, W, 3]."""
        features = self.extractor(images)
        return {name: gram_matrix(features[name])
                for name in self.config.style_layers}

    def style_grams(self, images: Sequence) -> dict[str, tf.Tensor]:
        """Gram targets [N, C, C] per style layer, one image at a time.

        The images may differ in size; each is [H, W, 3] in [0, 1].
        """
        per_image = [self.grams(tf.convert_to_tensor(image)[None])
                     for image in images]
        return {name: tf.concat([g[name] for g in per_image], axis=0)
                for name in self.config.style_layers}

    def losses(self, pastiche: tf.Tensor, content_features: Mapping,
               target_grams: Mapping) -> dict[str, tf.Tensor]:
        """Weighted per-example losses {"content": [B], "style": [B]}.

        ``target_grams[layer]`` is [B, C, C]: each example's own style target.
        """
        features = self.extractor(pastiche)
        cfg = self.config
        content = tf.add_n([
            w * mean_squared_error(features[name], content_features[name])
            for name, w in zip(cfg.content_layers, cfg.content_weights)])
        style = tf.add_n([
            w * mean_squared_error(gram_matrix(features[name]),
                                   target_grams[name])
            for name, w in zip(cfg.style_layers, cfg.style_weights)])
        return {"content": content, "style": style}
