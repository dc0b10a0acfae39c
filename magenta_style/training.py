"""The training model: a keras.Model whose train_step is the paper's objective.

Each example gets a random style; the pastiche T(c, s) is scored by the
perceptual loss against the content's own features and the style's Gram
targets (computed once per style, before training). ``fit`` shows the
total/content/style losses and writes them to TensorBoard.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
from typing import Sequence

import keras
import numpy as np
import tensorflow as tf

from magenta_style.errors import MagentaStyleError
from magenta_style.fileio import atomic_directory
from magenta_style.losses import PerceptualLoss
from magenta_style.model import StylizationModel

_STATE_FILE = "state.json"
_WEIGHTS_FILE = "stylizer.weights.h5"
_OPTIMIZER_FILE = "optimizer.npz"


class StyleTransferTrainer(keras.Model):
    """Trains a StylizationModel; the loss network is not a tracked part of it.

    ``style_grams[layer]`` is [N, C, C], row i the target of style i.

    ``trainable_styles`` (fine-tuning) lists the style-table rows to train:
    only they are sampled, ``style_grams`` then has one row per listed style
    (in that order), the transformer is frozen and the gradient of every
    other row is zeroed, so those rows stay bit for bit as they were.
    """

    def __init__(self, stylizer: StylizationModel,
                 perceptual_loss: PerceptualLoss, style_grams: dict,
                 trainable_styles: Sequence[int] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.stylizer = stylizer
        self._perceptual = perceptual_loss
        self._grams = {k: tf.constant(v, tf.float32)
                       for k, v in style_grams.items()}
        n = stylizer.num_styles
        rows = list(range(n)) if trainable_styles is None else [
            int(i) for i in trainable_styles]
        if not rows or len(set(rows)) != len(rows) or not all(
                0 <= i < n for i in rows):
            raise MagentaStyleError(
                f"trainable styles must be distinct rows of 0..{n - 1}, "
                f"got {rows}")
        # Style row → its Gram row; rows that are not trained are never used.
        gram_rows = np.zeros(n, np.int32)
        gram_rows[rows] = np.arange(len(rows))
        self._sampled = tf.constant(rows, tf.int32)
        self._gram_rows = tf.constant(gram_rows)
        self._row_mask = None
        if trainable_styles is not None:
            stylizer.transformer.trainable = False
            mask = np.zeros((n, 1), bool)
            mask[rows] = True
            self._row_mask = tf.constant(mask)
        self.trackers = {name: keras.metrics.Mean(name=name)
                         for name in ("total", "content", "style")}

    @property
    def metrics(self):
        return list(self.trackers.values())

    def call(self, inputs, training=False):
        return self.stylizer(inputs, training=training)

    def sample_styles(self, batch_size: tf.Tensor) -> tf.Tensor:
        """One uniformly random (trainable) style index per example."""
        draw = tf.random.uniform([batch_size], 0, len(self._sampled),
                                 dtype=tf.int32)
        return tf.gather(self._sampled, draw)

    def compute_losses(self, content: tf.Tensor, styles: tf.Tensor,
                       training: bool = False) -> dict[str, tf.Tensor]:
        """Per-example losses of the pastiches of ``content`` in ``styles``."""
        weights = tf.one_hot(styles, self.stylizer.num_styles)
        content_features = self._perceptual.content_features(content)
        gram_rows = tf.gather(self._gram_rows, styles)
        targets = {k: tf.gather(g, gram_rows) for k, g in self._grams.items()}
        pastiche = self.stylizer([content, weights], training=training)
        losses = self._perceptual.losses(pastiche, content_features, targets)
        losses["total"] = losses["content"] + losses["style"]
        return losses

    def train_step(self, content):
        styles = self.sample_styles(tf.shape(content)[0])
        with tf.GradientTape() as tape:
            losses = self.compute_losses(content, styles, training=True)
            total = tf.reduce_mean(losses["total"])
        variables = self.stylizer.trainable_variables
        gradients = tape.gradient(total, variables)
        if self._row_mask is not None:  # Adam moves a zero-gradient row by 0
            table = self.stylizer.style_table.table
            gradients = [tf.where(self._row_mask, g, tf.zeros_like(g))
                         if v is table else g
                         for g, v in zip(gradients, variables)]
        self.optimizer.apply(gradients, variables)
        return self._record(losses)

    def test_step(self, content):
        styles = self.sample_styles(tf.shape(content)[0])
        return self._record(self.compute_losses(content, styles))

    def _record(self, losses):
        for name, tracker in self.trackers.items():
            tracker.update_state(losses[name])
        return {name: tracker.result() for name, tracker in self.trackers.items()}


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


def save_checkpoint(directory: str, trainer: StyleTransferTrainer,
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


def restore_latest_checkpoint(directory: str, trainer: StyleTransferTrainer
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
