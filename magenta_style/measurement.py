"""Measurements shared by the export's fidelity report, the evaluations and
the benchmarks: image agreement (PSNR) and the median time of a call."""

from __future__ import annotations

import statistics
import time
from typing import Callable

import numpy as np


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """Peak signal-to-noise ratio in dB for images in [0, 1] (inf if equal)."""
    mse = float(np.mean((np.asarray(a, np.float64) - b) ** 2))
    return float("inf") if mse == 0 else 10.0 * np.log10(1.0 / mse)


def median_seconds(fn: Callable[[], object], runs: int, warmup: int = 1
                   ) -> float:
    """Median wall time of ``fn()`` over ``runs`` calls after ``warmup``;
    it cannot tell a slow call from a machine busy with other work."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
