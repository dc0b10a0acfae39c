"""Perceptual losses: content (feature distance) and style (Gram distance).

Gram = FᵀF / (H·W) per image; style loss of a layer = mean over the C×C
entries of the squared Gram difference; content loss of a layer = mean
squared feature difference. Both are weighted per layer and summed. All loss
arithmetic runs in float32, whatever the network's compute dtype.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping, Sequence

import keras
import tensorflow as tf

from magenta_style import constants
from magenta_style.errors import MagentaStyleError
from magenta_style.loss_network import build_feature_extractor


def _broadcast_weights(layers: Sequence[str], weights: Sequence[float],
                       what: str) -> tuple[float, ...]:
    """One weight per layer: a single weight applies to every layer."""
    weights = tuple(float(w) for w in weights)
    if len(weights) == 1:
        weights *= len(layers)
    if len(weights) != len(layers):
        raise MagentaStyleError(
            f"{len(weights)} {what} weights given for {len(layers)} layers; "
            "give one weight or one per layer")
    if any(w < 0 for w in weights):
        raise MagentaStyleError(f"{what} weights must be >= 0, got {weights}")
    return weights


@dataclasses.dataclass(frozen=True)
class LossConfig:
    """Which VGG-19 layers the losses read, and their weights."""

    content_layers: tuple[str, ...] = constants.VGG_CONTENT_LAYERS
    content_weights: tuple[float, ...] = (constants.DEFAULT_CONTENT_WEIGHT,)
    style_layers: tuple[str, ...] = constants.VGG_STYLE_LAYERS
    style_weights: tuple[float, ...] = constants.DEFAULT_STYLE_WEIGHTS

    def __post_init__(self):
        for field in ("content_layers", "style_layers"):
            if not getattr(self, field):
                raise MagentaStyleError(f"{field} must not be empty")
            object.__setattr__(self, field, tuple(getattr(self, field)))
        object.__setattr__(self, "content_weights", _broadcast_weights(
            self.content_layers, self.content_weights, "content"))
        object.__setattr__(self, "style_weights", _broadcast_weights(
            self.style_layers, self.style_weights, "style"))

    def to_dict(self) -> dict:
        return {k: list(v) for k, v in dataclasses.asdict(self).items()}

    @classmethod
    def from_dict(cls, config: Mapping) -> "LossConfig":
        return cls(**{k: tuple(v) for k, v in config.items()})


def gram_matrix(features: tf.Tensor) -> tf.Tensor:
    """[B, H, W, C] → [B, C, C] Gram matrices FᵀF / (H·W), in float32."""
    features = tf.cast(features, tf.float32)
    shape = tf.shape(features)
    pixels = tf.cast(shape[1] * shape[2], tf.float32)
    return tf.einsum("bhwc,bhwd->bcd", features, features) / pixels


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

    def style_grams(self, images: Sequence) -> dict[str, tf.Tensor]:
        """Gram targets [N, C, C] per style layer, one image at a time.

        The images may differ in size; each is [H, W, 3] in [0, 1].
        """
        per_image = []
        for image in images:
            features = self.extractor(tf.convert_to_tensor(image)[None])
            per_image.append({name: gram_matrix(features[name])
                              for name in self.config.style_layers})
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
