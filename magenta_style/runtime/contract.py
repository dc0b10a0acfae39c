"""What an exported model promises its clients, without TensorFlow: the
files of an export, the manifest's format, the signature and tensor names,
and the quantization modes (export.convert makes them; the runtime, the
Android app and the web page read them)."""

from __future__ import annotations

import json

import numpy as np

from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.images import open_image
from magenta_style.imaging.transforms import center_crop
from magenta_style.runtime.controls import CONTROL_POINTS

# The one signature of every exported .tflite file.
SIGNATURE = "serving_default"
# Tensor names: the transformer's inputs and output, the predictor's input
# (its output is the transformer's embedding input).
CONTENT_INPUT = "content"
EMBEDDING_INPUT = "style_embedding"
OUTPUT_NAME = "stylized"
PREDICTOR_INPUT = "style_image"
PREDICTOR_IMAGE_SIZE = 256  # pixels, side of the predictor's square view
# Largest side a style image is read at before its view is taken, px.
READ_SIDE = 1024
# "mixed": integer convolutions, float normalization (CIN's statistics and
# affine ops stay float32; their ranges depend on the image and the style).
MODES = ("float32", "float16", "dynamic", "int8", "mixed")
# Smallest square side (px) of an export's fidelity and latency reports:
# the network runs from there (its largest mirror pad is 4 px), and tests
# time it small.
MIN_REPORT_SIDE = 16
# The square content size (px) an export suggests to its apps, and the
# default shape of a TFLite content input (a phone renders it in real time).
DEFAULT_SIZE = 384
# Modes whose activation ranges are calibrated on representative photos.
CALIBRATED_MODES = ("int8", "mixed")

# The files of an export folder. The model files are named for their
# format: "tflite" (LiteRT: Android, the web page, the runtime install) or
# "onnx" (onnxruntime).
FORMATS = ("tflite", "onnx")
MANIFEST_FILE = "styles.json"
THUMBNAIL_DIR = "thumbnails"
MODEL_FILES = {kind: f"model.{kind}" for kind in FORMATS}
PREDICTOR_FILES = {kind: f"predictor.{kind}" for kind in FORMATS}
MODEL_FILE = MODEL_FILES["tflite"]
PREDICTOR_FILE = PREDICTOR_FILES["tflite"]
# The devices' camera network (export.to_tflite --web_demo or
# --android_assets), named by the manifest's "camera_model_file": the same
# styles in a network whose strokes follow motion (magenta_style.stabilize);
# a page or app without one films with the model.
CAMERA_MODEL_FILE = "camera_model.tflite"
# What a style embedding is tied to, beside its length: the model attributes
# recorded with it in style files and manifests.
NETWORK_KEYS = ("architecture", "alpha")
# The manifest (styles.json): its format tag and version.
FORMAT = "magenta_style.manifest"
FORMAT_VERSION = 1


# Modes the style predictor exports in (export.to_tflite --predictor_quantize).
PREDICTOR_MODES = ("float32", "float16", "dynamic")


def predictor_mode(mode: str) -> str:
    """The mode the style predictor is exported in beside a transformer in
    ``mode`` unless asked otherwise: float32 with float32, else float16 (its
    VGG-19 convolutions lose too much in the integer modes: the embedding
    moves the whole style). "dynamic" (int8 weights, float activations
    quantized per inference) halves the file and is what the bundled
    exports use, measured on their well-trained predictors: pastiches from
    its embeddings are 40-42 dB on average, 37 dB at least, from Keras'
    (float16: 76 dB); a predictor trained on little data, whose
    standardization divides by tiny spreads, fell to 18 dB, so it is a
    choice to measure, not the default."""
    return "float32" if mode == "float32" else "float16"


def read_manifest(path: str) -> dict:
    """Reads and checks a manifest written by export.manifest.build_manifest."""
    try:
        with open(path) as f:
            manifest = json.load(f)
    except (OSError, ValueError) as error:
        raise MagentaStyleError(f"cannot read manifest {path}: {error}") from None
    if (not isinstance(manifest, dict) or manifest.get("format") != FORMAT
            or manifest.get("format_version") != FORMAT_VERSION):
        raise MagentaStyleError(
            f"{path} is not a version-{FORMAT_VERSION} {FORMAT} file")
    size = manifest["embedding_size"]
    for style in manifest["styles"]:
        points = style.get("controls", {})
        if set(points) - set(CONTROL_POINTS) or (
                points and set(points) != set(CONTROL_POINTS)):
            raise MagentaStyleError(
                f"style '{style['name']}' in {path} has control points "
                f"{sorted(points)}, expected {', '.join(CONTROL_POINTS)}")
        for what, values in [("embedding", style["embedding"]),
                             *points.items()]:
            if len(values) != size:
                raise MagentaStyleError(
                    f"style '{style['name']}' in {path} has {len(values)} "
                    f"values in {what}, expected {size}")
    return manifest


def predictor_view(image: np.ndarray) -> np.ndarray:
    """What the predictor sees of a style image [H, W, 3] in [0, 1]: its
    central square, resized to PREDICTOR_IMAGE_SIZE²."""
    return center_crop(np.asarray(image, np.float32), PREDICTOR_IMAGE_SIZE)


def read_style_image(path: str) -> np.ndarray:
    """A style image file, read no larger than the predictor needs of it
    (errors name the file)."""
    return open_image(path, max_side=READ_SIDE)


def read_style_view(path: str) -> np.ndarray:
    """The predictor view of an image file, for code that runs the
    predictor on views itself (a model's predict_embeddings takes the
    image and views it)."""
    return predictor_view(read_style_image(path))
