"""Resumable checkpoints of a training run, and fit's step-based stop.

A checkpoint is a folder ``step-<N>`` with the stylizer's weights, the
optimizer's state and the epoch; it appears only once complete (written
under a temporary name, then renamed), so a killed run never leaves a
half-written one. The weights are plain per-variable values, so a run
resumes under any strategy and replica count.
"""

from __future__ import annotations

import glob
import json
import os
import shutil

import keras
import numpy as np

from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.files import atomic_directory
from magenta_style.training.trainer import PerceptualTrainer

_STATE_FILE = "state.json"
_WEIGHTS_FILE = "stylizer.weights.h5"
_OPTIMIZER_FILE = "optimizer.npz"


class StopAtStep(keras.callbacks.Callback):
    """Ends ``fit`` once the optimizer has taken ``steps`` steps in total."""

    def __init__(self, steps: int):
        super().__init__()
        self.steps = int(steps)

    def on_train_batch_end(self, batch, logs=None):
        if int(self.model.optimizer.iterations.numpy()) >= self.steps:
            self.model.stop_training = True


class ResumableCheckpoint(keras.callbacks.Callback):
    """At each epoch end, saves the stylizer and optimizer state atomically.

    A checkpoint is a folder ``step-<N>`` that appears only once complete
    (written under a temporary name, then renamed); the newest ``keep`` stay.
    """

    def __init__(self, directory: str, keep: int = 2):
        super().__init__()
        self.directory = directory
        self.keep = keep

    def on_epoch_end(self, epoch, logs=None):
        save_checkpoint(self.directory, self.model, epoch + 1)
        for old in list_checkpoints(self.directory)[:-self.keep]:
            shutil.rmtree(old, ignore_errors=True)


def list_checkpoints(directory: str) -> list[str]:
    """Complete checkpoint folders in ``directory``, oldest first."""
    found = [p for p in glob.glob(os.path.join(directory, "step-*"))
             if os.path.isfile(os.path.join(p, _STATE_FILE))]
    return sorted(found, key=lambda p: int(p.rsplit("-", 1)[1]))


def save_checkpoint(directory: str, trainer: PerceptualTrainer,
                    epoch: int) -> str:
    """Writes ``step-<iterations>`` with weights, optimizer state and epoch."""
    os.makedirs(directory, exist_ok=True)
    step = int(trainer.optimizer.iterations.numpy())
    final = os.path.join(directory, f"step-{step:08d}")
    with atomic_directory(final) as tmp:
        trainer.stylizer.save_weights(os.path.join(tmp, _WEIGHTS_FILE))
        store = {}
        trainer.optimizer.save_own_variables(store)
        np.savez(os.path.join(tmp, _OPTIMIZER_FILE), **store)
        with open(os.path.join(tmp, _STATE_FILE), "w") as f:
            json.dump({"epoch": epoch, "step": step}, f)
    return final


def restore_latest_checkpoint(directory: str, trainer: PerceptualTrainer
                              ) -> int:
    """Restores the newest checkpoint, if any; returns the epoch to resume at."""
    checkpoints = list_checkpoints(directory)
    if not checkpoints:
        return 0
    latest = checkpoints[-1]
    try:
        trainer.stylizer.load_weights(os.path.join(latest, _WEIGHTS_FILE))
        trainer.optimizer.build(trainer.stylizer.trainable_variables)
        with np.load(os.path.join(latest, _OPTIMIZER_FILE)) as store:
            trainer.optimizer.load_own_variables(dict(store))
        with open(os.path.join(latest, _STATE_FILE)) as f:
            return int(json.load(f)["epoch"])
    except (OSError, ValueError, KeyError) as error:
        raise MagentaStyleError(
            f"cannot resume from checkpoint {latest}: {error}") from None
