"""What an exported model promises its clients, without TensorFlow: the
signature name and the quantization modes (export.convert makes them)."""

from __future__ import annotations

# The one signature of every exported .tflite file.
SIGNATURE = "serving_default"
# "mixed": integer convolutions, float normalization (CIN's statistics and
# affine ops stay float32; their ranges depend on the image and the style).
MODES = ("float32", "float16", "dynamic", "int8", "mixed")
# Smallest square side (px) of an export's fidelity and latency reports:
# the network runs from there (its largest mirror pad is 4 px), and tests
# time it small.
MIN_REPORT_SIDE = 16
# Modes whose activation ranges are calibrated on representative photos.
CALIBRATED_MODES = ("int8", "mixed")


def predictor_mode(mode: str) -> str:
    """The mode the style predictor is exported in beside a transformer in
    ``mode``: float32 with float32, else float16 (its VGG-19 convolutions
    lose too much in the integer modes: the embedding moves the whole
    style)."""
    return "float32" if mode == "float32" else "float16"
