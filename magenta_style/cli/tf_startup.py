"""TensorFlow's start-up for the command-line tools, without its C++ notices
on machines without a GPU, and LiteRT's runs without its own.

Importing TensorFlow and finding its devices prints, before any of its log
settings apply, that no CUDA driver was found and that cuInit failed. The
tools start TensorFlow through ``start``, which hides those lines (and only
those: anything else printed meanwhile is passed on) when the machine has no
GPU. Library users get TensorFlow's output unchanged.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import sys
import threading
from typing import Iterator

# TensorFlow's start-up notices on a machine without a GPU: absl's note that
# early logs go to stderr, the CUDA probes, and the CPU feature and oneDNN
# notices (INFO lines, also hidden by TF_CPP_MIN_LOG_LEVEL=2 where it applies).
_NOTICES = re.compile(
    r"absl::InitializeLog\(\) is called|Could not find cuda drivers|"
    r"failed call to cuInit|Unable to register cu(DNN|FFT|BLAS) factory|"
    r"TF-TRT Warning: Could not find TensorRT|cpu_feature_guard|"
    r"To enable the following instructions:|oneDNN custom operations are on|"
    r"Created TensorFlow Lite XNNPACK delegate for CPU")


def has_gpu() -> bool:
    """True if a GPU may be used: CUDA_VISIBLE_DEVICES is set, or an NVIDIA
    device file exists."""
    return ("CUDA_VISIBLE_DEVICES" in os.environ
            or bool(glob.glob("/dev/nvidia[0-9]*")))


def start() -> None:
    """Imports TensorFlow and finds its devices, quietly without a GPU.

    TensorFlow's INFO and WARNING logs stay hidden unless TF_CPP_MIN_LOG_LEVEL
    is set.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with quiet():
        import tensorflow as tf

        tf.config.list_physical_devices()


def quiet() -> contextlib.AbstractContextManager:
    """A context in which the notices above are dropped from standard error
    (LiteRT prints its own at a session's first run), on machines without a
    GPU."""
    return contextlib.nullcontext() if has_gpu() else _without_notices()


@contextlib.contextmanager
def _without_notices() -> Iterator[None]:
    """Sends file descriptor 2 through a filter that drops the notices and
    passes every other line on at once (so a crash loses nothing)."""
    sys.stderr.flush()
    saved = os.dup(2)
    read, write = os.pipe()
    os.dup2(write, 2)
    os.close(write)
    forwarder = threading.Thread(target=_forward, args=(read, saved))
    forwarder.start()
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)  # the pipe's last writer closes: the filter ends
        forwarder.join()
        os.close(saved)


def _forward(read: int, target: int) -> None:
    """Copies the lines of pipe ``read`` that are not notices to ``target``."""
    with os.fdopen(read, "rb") as lines:
        for line in lines:
            if not _NOTICES.search(line.decode(errors="replace")):
                os.write(target, line)
