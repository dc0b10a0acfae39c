"""Running an exported model file: a .tflite file through LiteRT
(``ai-edge-litert``), an .onnx file through onnxruntime, each called by
tensor names (runtime.contract) and returning named outputs.

A session runs on the CPU with a given number of threads; GPU delegates
and execution providers are the apps' business (Android, the web page).
"""

from __future__ import annotations

import os
from typing import Callable

import numpy as np

from magenta_style.errors import MagentaStyleError
from magenta_style.runtime.choice import install_hint
from magenta_style.runtime.contract import (
    CONTENT_INPUT,
    EMBEDDING_INPUT,
    FORMATS,
    OUTPUT_NAME,
    SIGNATURE,
)

# A session: named float32 arrays in, named arrays out.
Session = Callable[..., dict]


def model_format(model: str | bytes) -> str:
    """"tflite" or "onnx", from a file's extension or a model's first
    bytes (a TFLite flatbuffer carries "TFL3" at offset 4)."""
    if isinstance(model, str):
        extension = os.path.splitext(model)[1].lstrip(".").lower()
        if extension not in FORMATS:
            raise MagentaStyleError(
                f"{model} is not a model file of a known format "
                f"({', '.join('.' + kind for kind in FORMATS)})")
        return extension
    return "tflite" if model[4:8] == b"TFL3" else "onnx"


def interpreter(model: str | bytes, num_threads: int = 2):
    """A LiteRT interpreter of a .tflite file or flatbuffer; its signature
    runner resizes inputs."""
    from ai_edge_litert.interpreter import Interpreter

    if isinstance(model, str):
        return Interpreter(model_path=model, num_threads=num_threads)
    return Interpreter(model_content=model, num_threads=num_threads)


def open_session(model: str | bytes, threads: int = 2) -> Session:
    """A session of a model file (path) or its bytes, on ``threads`` CPU
    threads. Errors name the file; onnxruntime missing is an error that
    names the extra that installs it."""
    kind = model_format(model)
    where = model if isinstance(model, str) else f"a {kind} model"
    try:
        if kind == "tflite":
            return interpreter(model, threads).get_signature_runner(SIGNATURE)
        return _onnx_session(model, threads)
    except (ValueError, RuntimeError, OSError) as error:
        raise MagentaStyleError(
            f"cannot load {where}: {str(error).splitlines()[0][:200]}"
        ) from None


def _onnx_session(model: str | bytes, threads: int) -> Session:
    """An onnxruntime session called like a TFLite signature runner."""
    try:
        import onnxruntime
    except ModuleNotFoundError:
        raise MagentaStyleError(
            f"ONNX models need onnxruntime: {install_hint('onnxruntime')}"
        ) from None
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3  # errors only
    session = onnxruntime.InferenceSession(
        model, options, providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]

    def run(**inputs) -> dict:
        try:
            return dict(zip(names, session.run(None, inputs)))
        except Exception as error:  # onnxruntime raises its own types
            raise MagentaStyleError(
                f"the ONNX model failed: {str(error).splitlines()[0][:200]}"
            ) from None

    return run


def render(session: Session, content: np.ndarray,
           embedding: np.ndarray) -> np.ndarray:
    """The transformer's output [B, H, W, 3] for content [B, H, W, 3] in
    [0, 1] and embeddings [B, D] (B = 1 for a TFLite model)."""
    return np.asarray(session(**{
        CONTENT_INPUT: np.asarray(content, np.float32),
        EMBEDDING_INPUT: np.asarray(embedding, np.float32)})[OUTPUT_NAME])
