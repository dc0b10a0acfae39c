"""The trained artifact: transformer + style table + style names, one .keras file.

``StylizationModel`` maps ``[content, style_weights]`` to pastiches, where
``style_weights`` is [B, N]: one-hot rows pick a style, convex rows blend.
"""

from __future__ import annotations

import os
import zipfile
from typing import Mapping, Sequence, Union

import keras
import numpy as np
import tensorflow as tf

from magenta_style import constants
from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.files import atomic_file
from magenta_style.network.layers import PACKAGE, StyleTable
from magenta_style.network.precision import (
    INFERENCE_POLICIES,
    copy_with_policy,
    inference_precision,
)
from magenta_style.network.transformer import build_transformer

# What a style embedding is tied to, beside its length: the model attributes
# recorded with it in style files and manifests.
NETWORK_KEYS = ("architecture", "alpha")

# A style is chosen by name, by index, or blended from {name or index: weight}.
Style = Union[str, int, Mapping[Union[str, int], float]]


@keras.saving.register_keras_serializable(PACKAGE)
class StylizationModel(keras.Model):
    """One network, many styles: T(content, table[style])."""

    def __init__(self, style_names: Sequence[str], alpha: float = 1.0,
                 style_info: Sequence[Mapping] | None = None,
                 architecture: str = constants.DEFAULT_ARCHITECTURE,
                 **kwargs):
        super().__init__(**kwargs)
        if not style_names:
            raise MagentaStyleError("a model needs at least one style")
        if len(set(style_names)) != len(style_names):
            raise MagentaStyleError(f"style names repeat: {list(style_names)}")
        self.style_names = list(style_names)
        self.alpha = float(alpha)
        self.architecture = str(architecture)
        self.style_info = [dict(i) for i in (style_info or
                                             [{}] * len(style_names))]
        self.transformer = build_transformer(self.alpha, self.architecture)
        self.embedding_layout = self.transformer.embedding_layout
        self.style_table = StyleTable(len(self.style_names),
                                      self.embedding_layout.channels,
                                      name="style_table")
        self.style_table.build()
        self.built = True  # every part is built above, at any input size
        self._serve = tf.function(self.call, reduce_retracing=True)

    @property
    def num_styles(self) -> int:
        return len(self.style_names)

    @property
    def embedding_size(self) -> int:
        return self.style_table.embedding_size

    @property
    def network(self) -> dict:
        """What a style embedding is tied to (NETWORK_KEYS) and their values."""
        return {key: getattr(self, key) for key in NETWORK_KEYS}

    def call(self, inputs, training=False):
        content, style_weights = inputs
        return self.transformer([content, self.style_table(style_weights)],
                                training=training)

    def get_config(self):
        return {**super().get_config(), "style_names": self.style_names,
                "alpha": self.alpha, "style_info": self.style_info,
                "architecture": self.architecture}

    def style_index(self, style: str | int) -> int:
        """The row of a style given by name or index."""
        if isinstance(style, (int, np.integer)) and not isinstance(style, bool):
            if not 0 <= style < self.num_styles:
                raise MagentaStyleError(
                    f"style index {style} out of range 0..{self.num_styles - 1}")
            return int(style)
        if style in self.style_names:
            return self.style_names.index(style)
        raise MagentaStyleError(f"unknown style '{style}'; the model has: "
                                f"{', '.join(self.style_names)}")

    def style_weights(self, style: Style) -> np.ndarray:
        """Weights [N] over the styles: one-hot, or a normalised blend (each
        style at most once)."""
        weights = np.zeros(self.num_styles, np.float32)
        if not isinstance(style, Mapping):
            weights[self.style_index(style)] = 1.0
            return weights
        seen = set()
        for key, value in style.items():
            if not np.isfinite(value) or value < 0:
                raise MagentaStyleError(
                    f"blend weight of '{key}' must be a number >= 0, got {value}")
            index = self.style_index(key)
            if index in seen:
                raise MagentaStyleError(
                    f"style '{self.style_names[index]}' is in the blend twice")
            seen.add(index)
            weights[index] = value
        if weights.sum() <= 0:
            raise MagentaStyleError("blend weights are all zero")
        return weights / weights.sum()

    def embedding(self, style: Style) -> np.ndarray:
        """The style embedding [D] (γ, β of every CIN layer) of a style or blend."""
        return self.style_table(self.style_weights(style)[None]).numpy()[0]

    def stylize(self, images: np.ndarray, style: Style = 0) -> np.ndarray:
        """Pastiches of images [B, H, W, 3] (or one [H, W, 3]) in one style.

        Images are float in [0, 1] or uint8; the result is float32 in [0, 1]
        with the input's shape.
        """
        batch = _as_batch(images)
        weights = np.repeat(self.style_weights(style)[None], len(batch), 0)
        out = np.asarray(self._serve([batch, weights]), np.float32)
        return out if np.ndim(images) == 4 else out[0]

    def stylize_styles(self, image: np.ndarray,
                       styles: Sequence[Style] | None = None) -> np.ndarray:
        """One image in several styles (all by default) in one batched pass.

        Returns [len(styles), H, W, 3].
        """
        styles = range(self.num_styles) if styles is None else styles
        weights = np.stack([self.style_weights(s) for s in styles])
        batch = np.repeat(_as_batch(image), len(weights), axis=0)
        return np.asarray(self._serve([batch, weights]), np.float32)

    def save_atomic(self, path: str) -> None:
        """Saves as .keras through a temporary file, so a crash leaves the old."""
        with atomic_file(path) as tmp:
            self.save(tmp)


def float32_copy(model: StylizationModel) -> StylizationModel:
    """The same model built under the float32 policy, for saving and export
    (a model trained under a mixed policy has float32 weights already)."""
    return copy_with_policy(model, "float32")


def _as_batch(images: np.ndarray) -> np.ndarray:
    """[H, W, 3] or [B, H, W, 3], uint8 or float → float32 batch in [0, 1]."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        images = images.astype(np.float32) / 255.0
    images = images.astype(np.float32)
    if images.ndim == 3:
        images = images[None]
    if images.ndim != 4 or images.shape[-1] != 3:
        raise MagentaStyleError(
            f"expected RGB images [B, H, W, 3] or [H, W, 3], got {images.shape}")
    return images


def model_file(path: str) -> str:
    """The .keras file of a model given as that file or its training folder."""
    if os.path.isdir(path):
        candidate = os.path.join(path, constants.MODEL_FILENAME)
        if not os.path.isfile(candidate):
            raise MagentaStyleError(
                f"no {constants.MODEL_FILENAME} in {path}: not a trained "
                "magenta_style model folder")
        path = candidate
    if not os.path.isfile(path):
        raise MagentaStyleError(f"model not found: {path}")
    if not (path.endswith(".keras") and zipfile.is_zipfile(path)):
        raise MagentaStyleError(
            f"{path} is not a Keras model file: a model is a .keras file (a "
            "zip archive) or a training output folder holding "
            f"{constants.MODEL_FILENAME}")
    return path


def load_model(path: str | None = None, precision: str = "float32"
               ) -> StylizationModel:
    """Loads a StylizationModel from its .keras file or training folder.

    Without ``path``, loads the default model shipped with the package.
    ``precision`` is what it computes in: "float32", "bfloat16" (the weights
    stay float32; fidelity in benchmarks/RESULTS.md) or "auto" (bfloat16
    where the CPU runs it natively).
    """
    precision = inference_precision(precision)
    if path is None:
        if not os.path.isfile(constants.DEFAULT_MODEL):
            raise MagentaStyleError(
                "this installation has no bundled default model; pass --model")
        path = constants.DEFAULT_MODEL
    filename = model_file(path)
    try:
        model = keras.saving.load_model(filename, compile=False)
    except Exception as error:  # Keras raises several types for bad files
        raise MagentaStyleError(
            f"cannot load model {filename}: {str(error).splitlines()[0]}"
        ) from None
    if not isinstance(model, StylizationModel):
        raise MagentaStyleError(
            f"{filename} is a Keras model but not a magenta_style model")
    if precision == "float32":
        return model
    return copy_with_policy(model, INFERENCE_POLICIES[precision])
