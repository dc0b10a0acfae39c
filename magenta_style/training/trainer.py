"""The training model: a keras.Model whose train_step is the paper's objective.

Each example arrives with its style row (drawn by the input pipeline, so
every replica sees the styles of its own examples). The pastiche T(c, s) is
scored by the perceptual loss against the content's own features and the
style's Gram targets (computed once per style, before training). The loss
of a step is the sum over the replica's examples divided by the *global*
batch, so that the replicas' gradients, which tf.distribute sums, make the
gradient of the global mean: one replica and N take the same step.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import keras
import numpy as np
import tensorflow as tf

from magenta_style.errors import MagentaStyleError
from magenta_style.network.model import StylizationModel
from magenta_style.objective.losses import PerceptualLoss

LOSS_NAMES = ("total", "content", "style")


class StyleTransferTrainer(keras.Model):
    """Trains a StylizationModel; the loss network is not a tracked part of it.

    ``style_grams[layer]`` is [R, C, C]: row j the target of the j-th of
    ``trainable_styles``. ``trainable_styles`` (fine-tuning) lists the
    style-table rows that train; None trains every row and the transformer.
    Otherwise the transformer is frozen and the gradient of every other row
    is zeroed, so those rows stay bit for bit as they were.
    ``global_batch_size`` is the batch of one step over all replicas.
    """

    def __init__(self, stylizer: StylizationModel,
                 perceptual_loss: PerceptualLoss,
                 style_grams: Mapping[str, np.ndarray], global_batch_size: int,
                 trainable_styles: Sequence[int] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.stylizer = stylizer
        self.global_batch_size = int(global_batch_size)
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
        self.trainable_rows = rows
        # Style row → its Gram row; rows that are not trained are never used.
        gram_rows = np.zeros(n, np.int32)
        gram_rows[rows] = np.arange(len(rows))
        self._gram_rows = tf.constant(gram_rows)
        self._row_mask = None
        if trainable_styles is not None:
            stylizer.transformer.trainable = False
            mask = np.zeros((n, 1), bool)
            mask[rows] = True
            self._row_mask = tf.constant(mask)
        self.trackers = {name: keras.metrics.Mean(name=name)
                         for name in LOSS_NAMES}
        # Keras reduces a multi-worker step's logs with a mean over axis 0.
        self._logs_need_axis = isinstance(
            tf.distribute.get_strategy(),
            tf.distribute.MultiWorkerMirroredStrategy)
        self.built = True  # the stylizer is built; the data are not inputs

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        """Builds the optimizer only: every other part is built in __init__.

        Keras' TensorFlow trainer would take one batch from a distributed
        iterator and all-reduce it to build the model, which fails on
        (image, int style) batches across workers. The optimizer's slots must
        exist before the step is traced under a strategy.
        """
        if self.optimizer is not None and not self.optimizer.built:
            with self.distribute_strategy.scope():
                self.optimizer.build(self.stylizer.trainable_variables)

    @property
    def metrics(self):
        return list(self.trackers.values())

    def call(self, inputs, training=False):
        return self.stylizer(inputs, training=training)

    def compute_losses(self, content: tf.Tensor, styles: tf.Tensor,
                       training: bool = False) -> dict[str, tf.Tensor]:
        """Per-example losses [B] of the pastiches of ``content`` in ``styles``."""
        weights = tf.one_hot(styles, self.stylizer.num_styles)
        content_features = self._perceptual.content_features(content)
        gram_rows = tf.gather(self._gram_rows, styles)
        targets = {k: tf.gather(g, gram_rows) for k, g in self._grams.items()}
        pastiche = self.stylizer([content, weights], training=training)
        losses = self._perceptual.losses(pastiche, content_features, targets)
        losses["total"] = losses["content"] + losses["style"]
        return losses

    def compute_gradients(self, content: tf.Tensor, styles: tf.Tensor
                          ) -> tuple[dict[str, tf.Tensor], list[tf.Tensor]]:
        """Per-example losses and this replica's share of the gradient of the
        global-batch mean loss (rows that do not train get zeros)."""
        variables = self.stylizer.trainable_variables
        with tf.GradientTape() as tape:
            losses = self.compute_losses(content, styles, training=True)
            loss = tf.nn.compute_average_loss(
                losses["total"], global_batch_size=self.global_batch_size)
            scaled = self.optimizer.scale_loss(loss)  # float16 loss scaling
        gradients = tape.gradient(scaled, variables)
        if self._row_mask is not None:  # Adam moves a zero-gradient row by 0
            table = self.stylizer.style_table.table
            gradients = [tf.where(self._row_mask, g, tf.zeros_like(g))
                         if v is table else g
                         for g, v in zip(gradients, variables)]
        return losses, gradients

    def train_step(self, data):
        content, styles = data
        losses, gradients = self.compute_gradients(content, styles)
        self.optimizer.apply(gradients, self.stylizer.trainable_variables)
        return self._record(losses)

    def test_step(self, data):
        content, styles = data
        return self._record(self.compute_losses(content, styles))

    def _record(self, losses):
        for name, tracker in self.trackers.items():
            tracker.update_state(losses[name])
        logs = {name: tracker.result() for name, tracker in self.trackers.items()}
        if self._logs_need_axis:
            logs = {name: value[tf.newaxis] for name, value in logs.items()}
        return logs
