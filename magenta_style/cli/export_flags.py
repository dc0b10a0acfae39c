"""The flags of the export commands' fidelity and latency report
(export.to_tflite, export.to_onnx), and their square sizes."""

from __future__ import annotations

from absl import flags

from magenta_style import constants
from magenta_style.errors import MagentaStyleError
from magenta_style.runtime.contract import MIN_REPORT_SIDE

flags.DEFINE_string("output_dir", None, "Folder for the exported files.")
flags.DEFINE_string("eval_dir", None,
                    "Photos for the fidelity report. Without any, the report "
                    "has only size and latency.")
flags.DEFINE_integer("eval_count", 5, "How many evaluation photos to use.",
                     lower_bound=1)
flags.DEFINE_list("report_sizes", ["256", "512"],
                  "Square sizes (px) of the fidelity comparison.")
flags.DEFINE_list("latency_sizes", ["256", "512"],
                  "Square sizes (px) of the latency measurement.")
flags.DEFINE_integer("latency_runs", 5, "Timed runs per size (median).",
                     lower_bound=1)
flags.DEFINE_integer("threads", 2, "Runtime threads for the latency.",
                     lower_bound=1)
FLAGS = flags.FLAGS


def square_sizes(values: list[str], flag: str) -> list[int]:
    """Square sizes from a list flag ``flag``: each a multiple of the
    network's size multiple, at least MIN_REPORT_SIDE."""
    try:
        result = [int(v) for v in values]
    except ValueError:
        raise MagentaStyleError(f"--{flag} must be integers, got {values}"
                                ) from None
    if not all(s >= MIN_REPORT_SIDE and s % constants.SIZE_MULTIPLE == 0
               for s in result):
        raise MagentaStyleError(
            f"--{flag} must be multiples of {constants.SIZE_MULTIPLE} "
            f">= {MIN_REPORT_SIDE}, got {result}")
    return result
