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
from typing import Iterator, Mapping, Sequence

import keras
import numpy as np
import tensorflow as tf

from magenta_style import constants
from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.files import atomic_file
from magenta_style.imaging.images import ImageRows
from magenta_style.network.precision import (
    POLICIES,
    copy_with_policy,
    resolve_precision,
)
from magenta_style.network.predictor import StylePredictor
from magenta_style.network.serialization import PACKAGE
from magenta_style.network.style_table import StyleTable
from magenta_style.network.transformer import build_transformer
from magenta_style.objective.vgg import IMAGENET
from magenta_style.rendering.tiles import render_tiled
from magenta_style.runtime.contract import NETWORK_KEYS, predictor_view
from magenta_style.runtime.style_space import StyleSpace, as_batch

@keras.saving.register_keras_serializable(PACKAGE)
class StylizationModel(keras.Model, StyleSpace):
    """One network, many styles: T(content, table[style]); its styles, blends
    and strength are runtime.style_space's."""

    renders_tiles = True

    def __init__(self, style_names: Sequence[str], alpha: float = 1.0,
                 style_info: Sequence[Mapping] | None = None,
                 architecture: str = constants.DEFAULT_ARCHITECTURE,
                 predictor: Mapping | None = None,
                 upsampling: str = constants.DEFAULT_UPSAMPLING, **kwargs):
        super().__init__(**kwargs)
        if not style_names:
            raise MagentaStyleError("a model needs at least one style")
        if len(set(style_names)) != len(style_names):
            raise MagentaStyleError(f"style names repeat: {list(style_names)}")
        self.style_names = list(style_names)
        self.alpha = float(alpha)
        self.architecture = str(architecture)
        self.upsampling = str(upsampling)
        self.style_info = [dict(i) for i in (style_info or
                                             [{}] * len(style_names))]
        self.transformer = build_transformer(self.alpha, self.architecture,
                                             self.upsampling)
        self.embedding_layout = self.transformer.embedding_layout
        self.style_table = StyleTable(
            len(self.style_names), self.embedding_layout.channels,
            controls=any(i.get("controls") for i in self.style_info),
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
                "predictor": self.predictor_config,
                "upsampling": self.upsampling}

    @property
    def has_predictor(self) -> bool:
        return self.predictor is not None

    def predict_embeddings(self, images: Sequence[np.ndarray] | np.ndarray
                           ) -> np.ndarray:
        """Predicted style embeddings [B, D] of style images of any size
        (each [H, W, 3], float in [0, 1] or uint8); needs a predictor."""
        if self.predictor is None:
            raise MagentaStyleError(
                "this model has no style predictor: styles from images need "
                "a model trained with python -m magenta_style.train_predictor")
        views = np.stack([predictor_view(as_batch(image)[0])
                          for image in images])
        self.predictor.backbone()  # loaded here, where errors are not wrapped
        return np.asarray(self._predict(views), np.float32)

    def style_rows(self) -> np.ndarray:
        return self.style_table.table.numpy()

    def control_rows(self) -> np.ndarray | None:
        if not self.style_table.has_controls:
            return None
        return self.style_table.controls.numpy()

    def render_embeddings(self, content: np.ndarray,
                          embeddings: np.ndarray) -> np.ndarray:
        return np.asarray(self._transform(content, embeddings), np.float32)

    def tiled_rows(self, photo: np.ndarray | ImageRows,
                   embedding: np.ndarray, folder: str | None = None,
                   memory: int | None = None) -> Iterator[np.ndarray]:
        if isinstance(photo, ImageRows):
            (width, height), read = photo.size, photo
        else:
            height, width = photo.shape[:2]

            def read(start: int, stop: int) -> np.ndarray:
                return photo[start:stop]
        return render_tiled(self.transformer, read, height, width, embedding,
                            folder, memory)

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
            predictor: StylePredictor | None,
            controls: np.ndarray | None = None,
            upsampling: str | None = None) -> StylizationModel:
    """A new model, under the current Keras dtype policy, with ``model``'s
    transformer, the given styles (names, records, embeddings [N, D], and
    control points [N, K, D] where a record says "controls") and
    ``predictor`` (or none); every weight is copied exactly. ``upsampling``
    (constants.UPSAMPLING; default: the model's) may change the decoder's
    interpolation, which has no weights: the copy then draws differently
    until it is retrained."""
    copy = StylizationModel(
        list(style_names), model.alpha, [dict(i) for i in style_info],
        model.architecture,
        None if predictor is None else predictor.architecture,
        upsampling or model.upsampling)
    copy.transformer.set_weights(model.transformer.get_weights())
    copy.style_table.table.assign(np.asarray(rows, np.float32))
    if copy.style_table.has_controls:
        if controls is None:
            raise MagentaStyleError("styles with controls need their points")
        copy.style_table.controls.assign(np.asarray(controls, np.float32))
    if predictor is not None:
        copy.predictor.share_state(predictor)
    return copy


def attach_predictor(model: StylizationModel, predictor: StylePredictor
                     ) -> StylizationModel:
    """A copy of ``model`` with ``predictor``."""
    return rebuilt(model, model.style_names, model.style_info,
                   model.style_rows(), predictor, model.control_rows())


def model_file(path: str) -> str:
    """The .keras file of a model given as that file, its training folder or
    the name of a bundled model (constants.BUNDLED_MODELS; a file or folder
    of that name in the working directory comes first)."""
    if path in constants.BUNDLED_MODELS and not os.path.exists(path):
        return bundled_model_file(path)
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


def bundled_model_file(name: str) -> str:
    """The .keras file of a bundled model: the package's, or (a wheel leaves
    them out: constants.BUNDLED_MODEL_URL) a copy downloaded once into
    ~/.keras/magenta_style and checked against its SHA-256."""
    path = constants.BUNDLED_MODELS[name]
    if os.path.isfile(path):
        return path
    url = constants.BUNDLED_MODEL_URL.format(name=name)
    try:
        return keras.utils.get_file(
            f"{name}.keras", url, cache_subdir="magenta_style",
            file_hash=constants.BUNDLED_MODEL_SHA256[name], hash_algorithm="sha256")
    except Exception as error:  # network errors come in several types
        raise MagentaStyleError(
            f"the Keras file of bundled model '{name}' is not in this "
            f"installation and could not be downloaded from {url} "
            f"({str(error).splitlines()[0] if str(error) else type(error).__name__}); "
            "give the path of a .keras model instead", arguments=["path"]
        ) from None


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
    filename = model_file(path or constants.DEFAULT_MODEL_NAME)
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
