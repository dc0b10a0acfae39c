"""The training models: keras.Models whose train_step is the paper's objective.

Each example arrives with its style index (drawn by the input pipeline, so
every replica sees the styles of its own examples). The pastiche T(c, e) is
scored by the perceptual loss against the content's own features and the
style's Gram targets (computed once per style, before training). The loss
of a step is the sum over the replica's examples divided by the *global*
batch, so that the replicas' gradients, which tf.distribute sums, make the
gradient of the global mean: one replica and N take the same step.

``StyleTransferTrainer`` trains the style table (and the transformer): e is
a table row. ``PredictorTrainer`` trains the style predictor: e = P(s) for
a painting s of a corpus, the transformer frozen.
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


class PerceptualTrainer(keras.Model):
    """The step shared by the trainers: subclasses say what the pastiches of
    a batch are and what their Gram targets are (``pastiches_and_targets``).

    ``trainable_rows`` are the style indices the input pipeline draws from
    (table rows, or paintings); the loss network is not a tracked part.
    ``loss_names`` are the per-example losses ``compute_losses`` returns,
    "total" the one that trains.
    """

    loss_names = LOSS_NAMES

    def __init__(self, stylizer: StylizationModel,
                 perceptual_loss: PerceptualLoss, global_batch_size: int,
                 trainable_rows: Sequence[int], **kwargs):
        super().__init__(**kwargs)
        self.stylizer = stylizer
        self.global_batch_size = int(global_batch_size)
        self._perceptual = perceptual_loss
        self.trainable_rows = list(trainable_rows)
        self.trackers = {name: keras.metrics.Mean(name=name)
                         for name in self.loss_names}
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

    def pastiches_and_targets(self, content: tf.Tensor, styles: tf.Tensor,
                              training: bool) -> tuple[tf.Tensor, dict]:
        """Pastiches [B, H, W, 3] of ``content`` in ``styles`` and their Gram
        targets {layer: [B, C, C]}."""
        raise NotImplementedError

    def masked_gradients(self, gradients: list) -> list:
        """Gradients as applied; by default as computed."""
        return gradients

    def compute_losses(self, content: tf.Tensor, styles: tf.Tensor,
                       training: bool = False) -> dict[str, tf.Tensor]:
        """Per-example losses [B] of the pastiches of ``content`` in ``styles``."""
        content_features = self._perceptual.content_features(content)
        pastiche, targets = self.pastiches_and_targets(content, styles,
                                                       training)
        losses = self._perceptual.losses(pastiche, content_features, targets)
        losses["total"] = losses["content"] + losses["style"]
        return losses

    def compute_gradients(self, content: tf.Tensor, styles: tf.Tensor
                          ) -> tuple[dict[str, tf.Tensor], list[tf.Tensor]]:
        """Per-example losses and this replica's share of the gradient of the
        global-batch mean loss."""
        variables = self.stylizer.trainable_variables
        with tf.GradientTape() as tape:
            losses = self.compute_losses(content, styles, training=True)
            loss = tf.nn.compute_average_loss(
                losses["total"], global_batch_size=self.global_batch_size)
            scaled = self.optimizer.scale_loss(loss)  # float16 loss scaling
        return losses, self.masked_gradients(tape.gradient(scaled, variables))

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


class StyleTransferTrainer(PerceptualTrainer):
    """Trains a StylizationModel's style table (and transformer).

    ``style_grams[layer]`` is [R, C, C]: row j the target of the j-th of
    ``trainable_styles``. ``trainable_styles`` (fine-tuning) lists the
    style-table rows that train; None trains every row and the transformer.
    Otherwise the transformer is frozen and the gradient of every other row
    is zeroed, so those rows stay bit for bit as they were. A style
    predictor, if the stylizer has one, stays frozen (PredictorTrainer
    trains it).
    ``global_batch_size`` is the batch of one step over all replicas.
    """

    def __init__(self, stylizer: StylizationModel,
                 perceptual_loss: PerceptualLoss,
                 style_grams: Mapping[str, np.ndarray], global_batch_size: int,
                 trainable_styles: Sequence[int] | None = None, **kwargs):
        n = stylizer.num_styles
        rows = list(range(n)) if trainable_styles is None else [
            int(i) for i in trainable_styles]
        if not rows or len(set(rows)) != len(rows) or not all(
                0 <= i < n for i in rows):
            raise MagentaStyleError(
                f"trainable styles must be distinct rows of 0..{n - 1}, "
                f"got {rows}")
        super().__init__(stylizer, perceptual_loss, global_batch_size, rows,
                         **kwargs)
        self._grams = {k: tf.constant(v, tf.float32)
                       for k, v in style_grams.items()}
        # Style row → its Gram row; rows that are not trained are never used.
        gram_rows = np.zeros(n, np.int32)
        gram_rows[rows] = np.arange(len(rows))
        self._gram_rows = tf.constant(gram_rows)
        self._row_mask = None
        if stylizer.predictor is not None:  # a predictor trains on its own
            stylizer.predictor.trainable = False
        if trainable_styles is not None:
            stylizer.transformer.trainable = False
            mask = np.zeros((n, 1), bool)
            mask[rows] = True
            self._row_mask = tf.constant(mask)

    def call(self, inputs, training=False):
        return self.stylizer(inputs, training=training)

    def pastiches_and_targets(self, content, styles, training):
        weights = tf.one_hot(styles, self.stylizer.num_styles)
        gram_rows = tf.gather(self._gram_rows, styles)
        targets = {k: tf.gather(g, gram_rows) for k, g in self._grams.items()}
        return self.stylizer([content, weights], training=training), targets

    def masked_gradients(self, gradients):
        """Zero gradients for the rows that do not train (Adam then moves
        them by exactly 0)."""
        if self._row_mask is None:
            return gradients
        table = self.stylizer.style_table.table
        return [tf.where(self._row_mask, g, tf.zeros_like(g))
                if v is table else g
                for g, v in zip(gradients, self.stylizer.trainable_variables)]


class PredictorTrainer(PerceptualTrainer):
    """Trains a StylizationModel's style predictor on a painting corpus.

    ``paintings`` holds each painting's predictor statistics and Gram
    targets (a paintings.PaintingBank); the input pipeline draws painting
    indices. Only the predictor's bottleneck and output map train: the
    transformer, the style table and the VGG backbone stay frozen.
    """

    def __init__(self, stylizer: StylizationModel,
                 perceptual_loss: PerceptualLoss, paintings,
                 global_batch_size: int, **kwargs):
        if stylizer.predictor is None:
            raise MagentaStyleError("the stylizer has no style predictor")
        super().__init__(stylizer, perceptual_loss, global_batch_size,
                         range(len(paintings.statistics)), **kwargs)
        stylizer.transformer.trainable = False
        stylizer.style_table.trainable = False
        self._statistics = tf.constant(paintings.statistics, tf.float32)
        self._grams = {k: tf.constant(v, tf.float32)
                       for k, v in paintings.grams.items()}

    def call(self, inputs, training=False):
        content, styles = inputs
        return self.pastiches_and_targets(content, styles, training)[0]

    def pastiches_and_targets(self, content, styles, training):
        embeddings = self.stylizer.predictor.embed_statistics(
            tf.gather(self._statistics, styles))
        pastiche = self.stylizer.transformer([content, embeddings],
                                             training=training)
        targets = {k: tf.gather(g, styles) for k, g in self._grams.items()}
        return pastiche, targets
