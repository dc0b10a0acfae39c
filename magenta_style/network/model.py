"""The trained artifact: transformer + style table + style names (+ an
optional style predictor), one .keras file.

``StylizationModel`` maps ``[content, style_weights]`` to pastiches, where
``style_weights`` is [B, N]: one-hot rows pick a style, convex rows blend.
Its API works on embeddings: a table style, an embedding predicted from any
image (``predict_embeddings``) and blends of both are points of one space.
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
from magenta_style.network.precision import (
    POLICIES,
    copy_with_policy,
    resolve_precision,
)
from magenta_style.network.predictor import StylePredictor, predictor_view
from magenta_style.network.serialization import PACKAGE
from magenta_style.network.style_table import StyleTable
from magenta_style.network.transformer import build_transformer
from magenta_style.objective.vgg import IMAGENET
from magenta_style.rendering.plan import styles_per_pass

# What a style embedding is tied to, beside its length: the model attributes
# recorded with it in style files and manifests.
NETWORK_KEYS = ("architecture", "alpha")

# One style: a table style by name or index, or an embedding [D].
SingleStyle = Union[str, int, np.ndarray]
# A style, or a blend: {name or index: weight}, or [(single style, weight)].
Style = Union[SingleStyle, Mapping[Union[str, int], float],
              Sequence[tuple[SingleStyle, float]]]


@keras.saving.register_keras_serializable(PACKAGE)
class StylizationModel(keras.Model):
    """One network, many styles: T(content, table[style])."""

    def __init__(self, style_names: Sequence[str], alpha: float = 1.0,
                 style_info: Sequence[Mapping] | None = None,
                 architecture: str = constants.DEFAULT_ARCHITECTURE,
                 predictor: Mapping | None = None, **kwargs):
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
        # The predictor's architecture ({} for the defaults), or None.
        self.predictor_config = None if predictor is None else dict(predictor)
        self.predictor = None if predictor is None else StylePredictor(
            self.embedding_size, name="predictor", **self.predictor_config)
        self.built = True  # every part is built above, at any input size
        self._transform = tf.function(self._transform_embeddings,
                                      reduce_retracing=True)
        self._predict = tf.function(self._predict_views,
                                    reduce_retracing=True)

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
                "architecture": self.architecture,
                "predictor": self.predictor_config}

    @property
    def has_predictor(self) -> bool:
        return self.predictor is not None

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
        """Weights [N] over the table styles: one-hot, or a normalised blend
        (each style at most once) of table styles only."""
        weights = np.zeros(self.num_styles, np.float32)
        for part, weight in self._weighted_parts(style):
            if isinstance(part, np.ndarray):
                raise MagentaStyleError(
                    "an embedding is not a table style: use embedding()")
            weights[part] = weight
        return weights

    def embedding(self, style: Style) -> np.ndarray:
        """The style embedding [D] (γ, β of every CIN layer) of a table style,
        an embedding, or a convex blend of them."""
        rows = self.style_table.table.numpy()
        total = np.zeros(self.embedding_size, np.float64)
        for part, weight in self._weighted_parts(style):
            total += weight * (part if isinstance(part, np.ndarray)
                               else rows[part])
        return total.astype(np.float32)

    def _weighted_parts(self, style: Style
                        ) -> list[tuple[int | np.ndarray, float]]:
        """A style or blend as [(table row or embedding, weight)], weights
        summing to 1; weights must be finite and >= 0, and no table style
        may repeat."""
        if isinstance(style, Mapping):
            parts = list(style.items())
        elif isinstance(style, (list, tuple)):
            parts = [tuple(part) for part in style]
        else:
            parts = [(style, 1.0)]
        if not parts:
            raise MagentaStyleError("a blend needs at least one style")
        resolved, seen = [], set()
        for key, value in parts:
            if isinstance(key, np.ndarray):
                label, part = "an embedding", self._checked_embedding(key)
            else:
                label, part = key, self.style_index(key)
                if part in seen:
                    raise MagentaStyleError(
                        f"style '{self.style_names[part]}' is in the blend "
                        "twice")
                seen.add(part)
            if not np.isfinite(value) or value < 0:
                raise MagentaStyleError(f"blend weight of '{label}' must be a "
                                        f"number >= 0, got {value}")
            resolved.append((part, float(value)))
        total = sum(value for _, value in resolved)
        if total <= 0:
            raise MagentaStyleError("blend weights are all zero")
        return [(part, value / total) for part, value in resolved]

    def _checked_embedding(self, embedding: np.ndarray) -> np.ndarray:
        if embedding.shape != (self.embedding_size,) or not np.all(
                np.isfinite(embedding)):
            raise MagentaStyleError(
                f"a style embedding of this model is {self.embedding_size} "
                f"finite values, got an array of shape {embedding.shape}")
        return embedding.astype(np.float64)

    def predict_embeddings(self, images: Sequence[np.ndarray] | np.ndarray
                           ) -> np.ndarray:
        """Predicted style embeddings [B, D] of style images of any size
        (each [H, W, 3], float in [0, 1] or uint8); needs a predictor."""
        if self.predictor is None:
            raise MagentaStyleError(
                "this model has no style predictor: styles from images need "
                "a model trained with python -m magenta_style.train_predictor")
        views = np.stack([predictor_view(_as_batch(image)[0])
                          for image in images])
        self.predictor.backbone()  # loaded here, where errors are not wrapped
        return np.asarray(self._predict(views), np.float32)

    def stylize(self, images: np.ndarray, style: Style = 0,
                strength: float = 1.0) -> np.ndarray:
        """Pastiches of images [B, H, W, 3] (or one [H, W, 3]) in one style.

        Images are float in [0, 1] or uint8; the result is float32 in [0, 1]
        with the input's shape. ``strength`` in [0, 1] moves each image's
        embedding from its own predicted style (0) to ``style`` (1).
        """
        batch = _as_batch(images)
        targets = self._with_strength(batch, self.embedding(style)[None],
                                      strength)
        targets = np.broadcast_to(targets, (len(batch), self.embedding_size))
        out = np.asarray(self._transform(batch, targets), np.float32)
        return out if np.ndim(images) == 4 else out[0]

    def stylize_styles(self, image: np.ndarray,
                       styles: Sequence[Style] | None = None,
                       strength: float = 1.0,
                       per_pass: int | None = None) -> np.ndarray:
        """One image in several styles (all by default), ``per_pass`` at a
        time (default: rendering.plan.styles_per_pass; a RenderPlan's own
        figure also fits the memory).

        Returns [len(styles), H, W, 3].
        """
        styles = range(self.num_styles) if styles is None else styles
        photo = _as_batch(image)
        targets = self.target_embeddings(photo[0], styles, strength)
        per_pass = per_pass or styles_per_pass(
            photo.shape[1] * photo.shape[2], len(targets))
        return np.concatenate([
            np.asarray(self._transform(
                np.repeat(photo, len(part), axis=0), part), np.float32)
            for part in np.split(targets, range(per_pass, len(targets),
                                                per_pass))])

    def target_embeddings(self, photo: np.ndarray | None,
                          styles: Sequence[Style],
                          strength: float = 1.0) -> np.ndarray:
        """The embeddings [len(styles), D] that render ``photo`` [H, W, 3]
        in ``styles`` at ``strength`` (below 1, towards the photo's own
        predicted style; a reduced copy of the photo predicts the same
        within the predictor's resampling). At strength 1 the photo is not
        needed and may be None."""
        targets = np.stack([self.embedding(s) for s in styles])
        if photo is None and strength == 1.0:
            return targets
        return self._with_strength(_as_batch(photo), targets, strength)

    def _with_strength(self, photos: np.ndarray, targets: np.ndarray,
                       strength: float) -> np.ndarray:
        """Embeddings P(photo) + strength · (target − P(photo)), broadcast
        over photos [B] and targets [B or 1, D] (identity interpolation)."""
        if not 0.0 <= strength <= 1.0:
            raise MagentaStyleError(
                f"strength must be in [0, 1], got {strength}")
        if strength == 1.0:
            return targets
        own = self.predict_embeddings(photos)
        return own + np.float32(strength) * (targets - own)

    def _transform_embeddings(self, content, embeddings):
        return self.transformer([content, embeddings])

    def _predict_views(self, views):
        return self.predictor(views)

    def save_atomic(self, path: str) -> None:
        """Saves as .keras through a temporary file, so a crash leaves the
        old; the archive's members are deflated (Keras stores them)."""
        with atomic_file(path) as tmp:
            self.save(tmp)
            _deflate_archive(tmp)


def _deflate_archive(path: str) -> None:
    """Rewrites a zip archive with every member deflated (float32 weights
    shrink by about a tenth); Keras and zipfile read either form."""
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in members:
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


def at_precision(model: StylizationModel, precision: str
                 ) -> StylizationModel:
    """The model computing in ``precision`` (network.precision.PRECISIONS):
    itself if it already does, else a copy."""
    policy = POLICIES[resolve_precision(precision)]
    if model.dtype_policy.name == policy:
        return model
    return _policy_copy(model, policy)


def _policy_copy(model: StylizationModel, policy: str) -> StylizationModel:
    """``copy_with_policy``, with the predictor's backbone shared."""
    copy = copy_with_policy(model, policy)
    if model.has_predictor:
        copy.predictor.share_state(model.predictor)
    return copy


def rebuilt(model: StylizationModel, style_names: Sequence[str],
            style_info: Sequence[Mapping], rows: np.ndarray,
            predictor: StylePredictor | None) -> StylizationModel:
    """A new model, under the current Keras dtype policy, with ``model``'s
    transformer, the given styles (names, records, embeddings [N, D]) and
    ``predictor`` (or none); every weight is copied exactly."""
    copy = StylizationModel(
        list(style_names), model.alpha, [dict(i) for i in style_info],
        model.architecture,
        None if predictor is None else predictor.architecture)
    copy.transformer.set_weights(model.transformer.get_weights())
    copy.style_table.table.assign(np.asarray(rows, np.float32))
    if predictor is not None:
        copy.predictor.share_state(predictor)
    return copy


def attach_predictor(model: StylizationModel, predictor: StylePredictor
                     ) -> StylizationModel:
    """A copy of ``model`` with ``predictor``."""
    return rebuilt(model, model.style_names, model.style_info,
                   model.style_table.table.numpy(), predictor)


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
    """The .keras file of a model given as that file, its training folder or
    the name of a bundled model (constants.BUNDLED_MODELS; a file or folder
    of that name in the working directory comes first)."""
    if path in constants.BUNDLED_MODELS and not os.path.exists(path):
        path = constants.BUNDLED_MODELS[path]
        if not os.path.isfile(path):
            raise MagentaStyleError(
                f"this installation has no bundled model {path}")
        return path
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


def load_model(path: str | None = None, precision: str = "float32",
               vgg_weights: str = IMAGENET) -> StylizationModel:
    """Loads a StylizationModel from its .keras file or training folder.

    Without ``path``, loads the default bundled model
    (constants.DEFAULT_MODEL_NAME); ``path`` may name a bundled model.
    ``precision`` is what it computes in: "float32", "bfloat16" (the weights
    stay float32; fidelity in benchmarks/RESULTS.md) or "auto" (bfloat16
    where the CPU runs it natively). A style predictor's VGG-19 backbone is
    not in the file: it is loaded from ``vgg_weights`` when first used.
    """
    if path is None and not os.path.isfile(constants.DEFAULT_MODEL):
        raise MagentaStyleError(
            "this installation has no bundled default model; give the "
            "model's path=...", arguments=["path"])
    filename = model_file(path or constants.DEFAULT_MODEL)
    try:
        model = keras.saving.load_model(filename, compile=False)
    except Exception as error:  # Keras raises several types for bad files
        raise MagentaStyleError(
            f"cannot load model {filename}: {str(error).splitlines()[0]}"
        ) from None
    if not isinstance(model, StylizationModel):
        raise MagentaStyleError(
            f"{filename} is a Keras model but not a magenta_style model")
    if model.has_predictor:
        model.predictor.vgg_weights = vgg_weights
    return at_precision(model, precision)
