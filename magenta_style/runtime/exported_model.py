"""An exported model folder (styles.json beside model.tflite or model.onnx,
and the predictor's file if it has one) with the API of the Keras model:
the same styles, blends, strength and style images, without TensorFlow.

What it cannot do: train, fine-tune, add styles to a model, render in tiles
(rendering.tiles runs Keras layers one by one), or compute in bfloat16 (an
export computes in float32 whatever its weights are stored in).
"""

from __future__ import annotations

import os
from typing import Sequence

import numpy as np

from magenta_style import constants
from magenta_style.errors import MagentaStyleError
from magenta_style.runtime.contract import (
    EMBEDDING_INPUT,
    MANIFEST_FILE,
    NETWORK_KEYS,
    PREDICTOR_INPUT,
    predictor_view,
    read_manifest,
)
from magenta_style.runtime.controls import CONTROL_POINTS
from magenta_style.runtime.sessions import open_session, render
from magenta_style.runtime.style_space import StyleSpace, as_batch


class ExportedModel(StyleSpace):
    """The transformer and predictor of an export, run by LiteRT (.tflite)
    or onnxruntime (.onnx) on the CPU."""

    def __init__(self, folder: str, threads: int = 2):
        manifest_path = os.path.join(folder, MANIFEST_FILE)
        if not os.path.isfile(manifest_path):
            raise MagentaStyleError(
                f"no {MANIFEST_FILE} in {folder}: not an exported model "
                "folder (python -m export.to_tflite or export.to_onnx writes "
                "one)", arguments=["folder"])
        self.folder = folder
        self.manifest = read_manifest(manifest_path)
        self.style_names = [s["name"] for s in self.manifest["styles"]]
        self.style_info = [{k: v for k, v in s.items()
                            if k not in ("name", "embedding", "controls")}
                           | ({"controls": True} if "controls" in s else {})
                           for s in self.manifest["styles"]]
        self.embedding_size = int(self.manifest["embedding_size"])
        self._rows = np.asarray([s["embedding"]
                                 for s in self.manifest["styles"]],
                                np.float32).reshape(-1, self.embedding_size)
        self._controls = (np.asarray(
            [[s.get("controls", {}).get(p, s["embedding"])
              for p in CONTROL_POINTS] for s in self.manifest["styles"]],
            np.float32) if any("controls" in s
                               for s in self.manifest["styles"]) else None)
        self.model_file = os.path.join(folder, self.manifest["model_file"])
        self._session = open_session(_existing(self.model_file), threads)
        predictor = self.manifest.get("predictor")
        self.predictor_file = (os.path.join(folder, predictor["model_file"])
                               if predictor else None)
        self._predictor_session = None
        self._threads = threads
        # A TFLite model takes one image at a time (runtime.contract).
        self._batch = self.manifest["inputs"][EMBEDDING_INPUT]["shape"][0]

    @property
    def network(self) -> dict:
        """What a style embedding is tied to and its values."""
        return {key: self.manifest.get(key) for key in NETWORK_KEYS}

    @property
    def has_predictor(self) -> bool:
        return self.predictor_file is not None

    @property
    def description(self) -> str:
        """The runtime and file, for a command's first line."""
        runtime = ("LiteRT" if self.model_file.endswith(".tflite")
                   else "onnxruntime")
        return (f"{runtime}, {os.path.basename(self.model_file)} "
                f"({self.manifest['quantization']} weights, float32 "
                "arithmetic)")

    def style_rows(self) -> np.ndarray:
        return self._rows

    def control_rows(self) -> np.ndarray | None:
        return self._controls

    def predict_embeddings(self, images: Sequence[np.ndarray] | np.ndarray
                           ) -> np.ndarray:
        """Predicted style embeddings [B, D] of style images of any size
        (each [H, W, 3], float in [0, 1] or uint8); needs a predictor."""
        if not self.has_predictor:
            raise MagentaStyleError(
                f"the export in {self.folder} has no style predictor: styles "
                "from images need a model with one")
        if self._predictor_session is None:
            self._predictor_session = open_session(
                _existing(self.predictor_file), self._threads)
        return np.concatenate([
            self._predictor_session(**{PREDICTOR_INPUT: predictor_view(
                as_batch(image)[0])[None]})[EMBEDDING_INPUT]
            for image in images]).astype(np.float32)

    def render_embeddings(self, content: np.ndarray,
                          embeddings: np.ndarray) -> np.ndarray:
        if self._batch == -1:
            return render(self._session, content, embeddings)
        return np.concatenate([
            render(self._session, content[i:i + 1], embeddings[i:i + 1])
            for i in range(len(content))])


def _existing(path: str) -> str:
    if not os.path.isfile(path):
        raise MagentaStyleError(f"the export lacks its model file {path}")
    return path


def bundled_export(name: str) -> str:
    """The folder of a bundled model's TFLite export
    (constants.BUNDLED_EXPORTS)."""
    folder = constants.BUNDLED_EXPORTS.get(name)
    if folder is None or not os.path.isdir(folder):
        raise MagentaStyleError(
            f"this installation has no bundled export of model '{name}'")
    return folder


def load_exported_model(path: str | None = None, threads: int = 2
                        ) -> ExportedModel:
    """An exported model folder, or the export of a bundled model by name
    (without ``path``: the default, constants.DEFAULT_MODEL_NAME)."""
    path = path or constants.DEFAULT_MODEL_NAME
    if path in constants.BUNDLED_EXPORTS and not os.path.exists(path):
        path = bundled_export(path)
    if not os.path.isdir(path):
        raise MagentaStyleError(
            f"{path} is not an exported model folder: without TensorFlow a "
            "model is a folder written by python -m export.to_tflite (or "
            "export.to_onnx), or a bundled model by name: "
            f"{', '.join(constants.BUNDLED_EXPORTS)}", arguments=["path"])
    return ExportedModel(path, threads)
