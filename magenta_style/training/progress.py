"""How fit reports progress: Keras' bar on a terminal, plain lines in logs.

A progress bar redrawn with carriage returns and colours is unreadable in a
redirected log, so when stdout is not a terminal each epoch (one checkpoint
interval) ends in one plain line instead.
"""

from __future__ import annotations

import sys
import time

import keras


class PlainProgress(keras.callbacks.Callback):
    """One line per epoch: step, seconds per step and the logged losses."""

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()
        self._first_step = int(self.model.optimizer.iterations.numpy())

    def on_epoch_end(self, epoch, logs=None):
        step = int(self.model.optimizer.iterations.numpy())
        taken = max(1, step - self._first_step)
        seconds = (time.perf_counter() - self._start) / taken
        values = " ".join(f"{k} {float(v):.4g}" for k, v in (logs or {}).items())
        print(f"step {step}: {seconds:.2f} s/step; {values}", flush=True)


def progress_callbacks() -> tuple[list[keras.callbacks.Callback], int]:
    """The progress callbacks and ``verbose`` value for fit on this stdout."""
    if sys.stdout.isatty():
        return [], 1
    return [PlainProgress()], 0
