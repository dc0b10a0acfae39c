"""The style manifest (styles.json): everything the app needs besides the model.

The app blends embeddings itself, so a new style is a new manifest entry (or a
style file), never a new model. ``blend_embeddings`` is the reference of the
blend the Android core computes; both must agree bit for bit.
"""

from __future__ import annotations

import base64
import json
from typing import Sequence

import numpy as np

from magenta_style.constants import SIZE_MULTIPLE
from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.files import atomic_file
from magenta_style.network.model import StylizationModel
from magenta_style.runtime.controls import (
    CONTROL_POINTS,
    MAX_STRENGTH,
    STROKE_RANGE,
)
from magenta_style.runtime.contract import (
    CAMERA_MODEL_FILE,
    CONTENT_INPUT,
    EMBEDDING_INPUT,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST_FILE,
    MODEL_FILES,
    NETWORK_KEYS,
    OUTPUT_NAME,
    PREDICTOR_FILES,
    PREDICTOR_IMAGE_SIZE,
    PREDICTOR_INPUT,
    SIGNATURE,
    THUMBNAIL_DIR,
    read_manifest,
)
from magenta_style.stylebook.style_file import (
    INFO_KEYS,
    StyleFile,
    check_fits,
    read_style_file,
)

def build_manifest(model: StylizationModel, quantization: str,
                   default_size: tuple[int, int],
                   predictor_quantization: str | None = None,
                   model_format: str = "tflite",
                   camera_model: bool = False) -> dict:
    """The manifest of ``model`` exported in ``quantization`` mode (its
    predictor, if any, in ``predictor_quantization``) as ``model_format``
    files (runtime.contract.FORMATS). A TFLite model takes one image at a
    time; an ONNX model any batch. With ``camera_model`` it names
    contract.CAMERA_MODEL_FILE, the network the devices film with; without
    one they film with the model."""
    d = model.embedding_size
    batch = 1 if model_format == "tflite" else -1
    image = {"dtype": "float32", "shape": [batch, -1, -1, 3],
             "range": [0.0, 1.0]}
    controls = model.control_rows()
    styles = [style_entry(name, model.embedding(i), info,
                          f"{THUMBNAIL_DIR}/{name}.jpg"
                          if info.get("thumbnail_jpeg") else None,
                          controls[i] if model.has_controls(i) else None)
              for i, (name, info) in enumerate(zip(model.style_names,
                                                   model.style_info))]
    return {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "model_file": MODEL_FILES[model_format], "signature": SIGNATURE,
        "quantization": quantization, **model.network,
        "embedding_size": d, "size_multiple": SIZE_MULTIPLE,
        "default_size": list(default_size),
        "inputs": {
            CONTENT_INPUT: {"name": CONTENT_INPUT, **image},
            EMBEDDING_INPUT: {"name": EMBEDDING_INPUT, "dtype": "float32",
                              "shape": [batch, d]},
        },
        "outputs": {OUTPUT_NAME: {"name": OUTPUT_NAME, **image}},
        "controls": controls_entry(),
        "styles": styles,
        "predictor": (predictor_entry(d, predictor_quantization,
                                      model_format)
                      if model.has_predictor else None),
        **({"camera_model_file": CAMERA_MODEL_FILE} if camera_model else {}),
    }


def predictor_entry(embedding_size: int, quantization: str,
                    model_format: str = "tflite") -> dict:
    """The manifest's description of the predictor file: a style image (the
    central square of any picture, resized) in, a style embedding out."""
    side = PREDICTOR_IMAGE_SIZE
    return {
        "model_file": PREDICTOR_FILES[model_format], "signature": SIGNATURE,
        "quantization": quantization,
        "inputs": {PREDICTOR_INPUT: {
            "name": PREDICTOR_INPUT, "dtype": "float32",
            "shape": [1, side, side, 3], "range": [0.0, 1.0],
            "view": "central square, resized"}},
        "outputs": {EMBEDDING_INPUT: {"name": EMBEDDING_INPUT,
                                      "dtype": "float32",
                                      "shape": [1, embedding_size]}},
    }


def controls_entry() -> dict:
    """The manifest's description of the control points (runtime.controls):
    their order, the stroke range and the largest strength, so that apps
    take their sliders' ends from here."""
    return {"points": list(CONTROL_POINTS), "stroke_range": list(STROKE_RANGE),
            "max_strength": MAX_STRENGTH}


def style_entry(name: str, embedding: Sequence[float], record: dict,
                thumbnail: str | None = None,
                controls: Sequence[Sequence[float]] | None = None) -> dict:
    """One style of the manifest: its name, embedding, record and, if it
    has them, its control points (rows in CONTROL_POINTS order)."""
    entry = {"name": name, "embedding": json_floats(embedding),
             "thumbnail": thumbnail,
             **{k: record.get(k) for k in INFO_KEYS}}
    if controls is not None:
        entry["controls"] = {point: json_floats(row)
                             for point, row in zip(CONTROL_POINTS, controls)}
    return entry


def json_floats(values: Sequence[float]) -> list[float]:
    """float32 values as the shortest decimals that read back (decimal →
    double → float32, as every client reads them) as the same float32: half
    the characters of the doubles' digits."""
    exact = np.asarray(values, np.float32)
    short = [float(str(v)) for v in exact]
    if not np.array_equal(np.asarray(short, np.float32), exact):
        return [float(v) for v in exact]
    return short


def thumbnails(model: StylizationModel) -> dict[str, bytes]:
    """JPEG bytes of each style's thumbnail, by manifest-relative path."""
    return {f"{THUMBNAIL_DIR}/{name}.jpg":
            base64.b64decode(info["thumbnail_jpeg"])
            for name, info in zip(model.style_names, model.style_info)
            if info.get("thumbnail_jpeg")}


def add_style_file(manifest: dict, style: str | StyleFile) -> dict:
    """A copy of ``manifest`` with a ``.style.json`` style appended.

    The style must fit the manifest's model (embedding size, architecture and
    alpha) and its name must be new. Its embedding is the file's float16
    values.
    """
    if not isinstance(style, StyleFile):
        style = read_style_file(style)
    check_fits(style, manifest["embedding_size"],
               {key: manifest.get(key) for key in NETWORK_KEYS})
    if style.name in [s["name"] for s in manifest["styles"]]:
        raise MagentaStyleError(
            f"the manifest already has a style '{style.name}'")
    entry = style_entry(style.name, style.embedding, style.metadata,
                        controls=style.controls)
    return {**manifest, "styles": list(manifest["styles"]) + [entry]}


def add_style_files(manifest_path: str, style_paths: Sequence[str]) -> dict:
    """Appends style files to an exported styles.json in place (atomically),
    so an app gets new styles without a new model; returns the manifest."""
    manifest = read_manifest(manifest_path)
    for path in style_paths:
        manifest = add_style_file(manifest, path)
    try:
        with atomic_file(manifest_path) as tmp, open(tmp, "w") as f:
            json.dump(manifest, f, indent=1)
    except OSError as error:
        raise MagentaStyleError(
            f"cannot write {manifest_path}: {error.strerror}") from None
    return manifest


def blend_embeddings(embeddings: Sequence[Sequence[float]],
                     weights: Sequence[float]) -> np.ndarray:
    """Σ (wᵢ / Σw) · eᵢ accumulated in float64 in index order, then float32.

    This exact order of operations is the contract with the Android core.
    """
    if not len(embeddings) or len(embeddings) != len(weights):
        raise MagentaStyleError("give one weight per style, at least one style")
    if any(not np.isfinite(w) or w < 0 for w in weights):
        raise MagentaStyleError(f"blend weights must be >= 0, got {list(weights)}")
    total = 0.0
    for w in weights:
        total += float(w)
    if total == 0.0:
        raise MagentaStyleError("blend weights are all zero")
    acc = np.zeros(len(embeddings[0]), np.float64)
    for e, w in zip(embeddings, weights):
        acc += (float(w) / total) * np.asarray(e, np.float32).astype(np.float64)
    return acc.astype(np.float32)
