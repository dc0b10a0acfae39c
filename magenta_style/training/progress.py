"""Training progress: Keras' progress bar on a terminal, plain lines in logs.

Keras' bar writes colour codes and carriage returns, which fill a redirected
log with control characters; when stdout is not a terminal, ``fit`` runs
silent and ``PlainProgress`` prints one line per epoch (checkpoint interval).
"""

from __future__ import annotations

import sys
import time

import keras


class PlainProgress(keras.callbacks.Callback):
    """Prints "step N/T: total … content … style … (S s/step)" at each epoch
    end, with the validation losses when there are any."""

    def __init__(self, steps: int):
        super().__init__()
        self.steps = int(steps)
        self._start = 0.0
        self._first_step = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()
        self._first_step = self._step()

    def on_epoch_end(self, epoch, logs=None):
        step = self._step()
        losses = "  ".join(f"{name} {float(value):.4g}"
                           for name, value in sorted((logs or {}).items()))
        rate = (time.perf_counter() - self._start) / max(
            1, step - self._first_step)
        print(f"step {step}/{self.steps}: {losses} ({rate:.2f} s/step)",
              flush=True)

    def _step(self) -> int:
        return int(self.model.optimizer.iterations.numpy())


def fit_progress(steps: int) -> tuple[str | int, list[keras.callbacks.Callback]]:
    """``verbose`` and extra callbacks for ``fit`` over ``steps`` steps in
    all: Keras' bar on a terminal, else silence and a PlainProgress."""
    if sys.stdout.isatty():
        return "auto", []
    return 0, [PlainProgress(steps)]
