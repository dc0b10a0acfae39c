"""Which runtime renders: Keras (TensorFlow, a .keras model) or an export
(LiteRT or onnxruntime, runtime.exported_model), decided once for a model
path and a wish."""

from __future__ import annotations

import importlib.util
import os

from magenta_style.errors import MagentaStyleError
from magenta_style.runtime.contract import MANIFEST_FILE

# "auto": an export folder runs as an export; anything else in Keras where
# TensorFlow is installed, else as the bundled export of the same name.
RUNTIMES = ("auto", "keras", "exported")
# The pip extra (setup.py) that installs each optional module.
EXTRA_OF_MODULE = {**{module: "train" for module in (
    "tensorflow", "keras", "tensorflow_datasets", "tensorboard", "scipy",
    "matplotlib", "tf2onnx", "onnx")}, "onnxruntime": "onnx",
    "imageio_ffmpeg": "video", "cv2": "video"}


def install_hint(module: str) -> str:
    """The pip command that installs ``module``'s extra."""
    return f"pip install 'magenta_style[{EXTRA_OF_MODULE[module]}]'"


def tensorflow_installed() -> bool:
    """True if TensorFlow can be imported (without importing it)."""
    return importlib.util.find_spec("tensorflow") is not None


def is_export_folder(path: str | None) -> bool:
    """True if ``path`` is a folder holding an export's manifest."""
    return bool(path) and os.path.isfile(os.path.join(path, MANIFEST_FILE))


def chosen_runtime(path: str | None, runtime: str = "auto") -> str:
    """"keras" or "exported" for a model ``path`` (None: the default
    bundled model) and a ``runtime`` of RUNTIMES. Raises MagentaStyleError
    where the choice cannot run here."""
    if runtime not in RUNTIMES:
        raise MagentaStyleError(f"runtime must be one of {RUNTIMES}, got "
                                f"'{runtime}'", arguments=["runtime"])
    if runtime == "auto":
        runtime = ("exported" if is_export_folder(path)
                   or not tensorflow_installed() else "keras")
    if runtime == "keras" and is_export_folder(path):
        raise MagentaStyleError(
            f"{path} is an exported model: it runs with runtime=exported, "
            "the Keras runtime needs a .keras model", arguments=["runtime"])
    if runtime == "keras" and not tensorflow_installed():
        raise MagentaStyleError(
            f"the Keras runtime needs TensorFlow: {install_hint('tensorflow')}")
    return runtime
