"""Distillation: a small network learns a trained one's whole embedding space.

The student is a transformer of another architecture or width, so its CIN
layers have other channel counts and its style embeddings another length.
During training a linear map M (``EmbeddingMap``) turns a teacher embedding
e into the student's, and the student learns T_s(c, M·e) ≈ T_t(c, e), for
embeddings drawn from a bank: the teacher's table rows, the teacher's
predictions of a painting corpus and of the content photos, and random
convex blends of two of them. The loss is the training objective with the
teacher's pastiche as the style target (the Grams of T_t(c, e), so any
embedding has one) plus an L1 loss on the pixels against T_t(c, e). The
pixel loss alone was tried first: after 1,400 steps of batch 4 at 256 px
(pixel L1 0.123 → 0.100) the student rendered each style's palette on a
blurred photo and no strokes, since a blur is what a pixel loss settles on
for textures it cannot place exactly.

Because M is linear, it maps the teacher's table rows to the student's, its
style predictor's output map W (bottleneck → embedding) to M·W, and convex
blends to convex blends (``distilled_model``): the student ships with its
own table and predictor, and every later style (fine-tuning, style files)
lives in its own space. Embeddings far from the bank (a style fine-tuned far
from any painting) are followed only as well as M generalizes.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Sequence

import keras
import numpy as np
import tensorflow as tf

from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.files import atomic_file
from magenta_style.imaging.folders import decode_each
from magenta_style.network.embedding import EmbeddingLayout
from magenta_style.network.model import StylizationModel
from magenta_style.runtime.contract import read_style_view
from magenta_style.network.serialization import PACKAGE
from magenta_style.network.transformer import build_transformer
from magenta_style.stylebook.table import table
from magenta_style.training.trainer import PerceptualTrainer

# Share of drawn examples whose embedding is a blend of two bank entries
# (the rest are single entries): blends are what blending, --strength and
# the predictor's in-between paintings ask of the student.
BLEND_PROBABILITY = 0.5
# Share of draws that are one of the teacher's table rows (the rest are
# predicted paintings and photos): the shipped styles get the most practice.
TABLE_SHARE = 0.5
# Weight of the L1 pixel loss (mean |T_s − T_t| in [0, 1] units) beside the
# perceptual loss: a student at L1 0.1 (its colours right, its strokes not)
# adds about 1 to the teacher's own perceptual loss of about 5.
PIXEL_WEIGHT = 10.0
LOSS_NAMES = ("total", "content", "style", "pixels")
# Images per batch of predictor passes while building the bank.
_BANK_BATCH = 16


def block_average_map(teacher: EmbeddingLayout, student: EmbeddingLayout
                      ) -> np.ndarray:
    """M [D_t, D_s] (e_s = e_t·M) that gives each student channel the mean γ
    and β of its share of the same layer's teacher channels: the student
    starts from a coarse copy of each teacher style."""
    if len(teacher.channels) != len(student.channels):
        raise MagentaStyleError(
            f"teacher and student have {len(teacher.channels)} and "
            f"{len(student.channels)} CIN layers: distillation maps layer "
            "to layer")
    matrix = np.zeros((teacher.size, student.size), np.float32)
    t_offset = s_offset = 0
    for t_channels, s_channels in zip(teacher.channels, student.channels):
        owner = np.arange(t_channels) * s_channels // t_channels
        counts = np.bincount(owner, minlength=s_channels).astype(np.float32)
        for part in range(2):  # γ, then β
            rows = t_offset + part * t_channels + np.arange(t_channels)
            cols = s_offset + part * s_channels + owner
            matrix[rows, cols] = 1.0 / counts[owner]
        t_offset += 2 * t_channels
        s_offset += 2 * s_channels
    return matrix


@keras.saving.register_keras_serializable(PACKAGE)
class EmbeddingMap(keras.layers.Layer):
    """e_t [B, D_t] → e_t·M + b [B, D_s], in float32; starts at ``initial``."""

    def __init__(self, initial: np.ndarray, **kwargs):
        super().__init__(dtype="float32", **kwargs)
        initial = np.asarray(initial, np.float32)
        if initial.ndim != 2 or 0 in initial.shape:
            raise ValueError(f"initial must be a [D_t, D_s] matrix, got "
                             f"shape {initial.shape}")
        self._initial = initial

    def build(self, input_shape=None):
        self.kernel = self.add_weight(
            name="kernel", shape=self._initial.shape,
            initializer=keras.initializers.Constant(self._initial))
        self.bias = self.add_weight(name="bias",
                                    shape=(self._initial.shape[1],),
                                    initializer="zeros")

    def call(self, embeddings):
        return tf.matmul(tf.cast(embeddings, tf.float32), self.kernel) + \
            self.bias

    def apply_to(self, embeddings: np.ndarray) -> np.ndarray:
        """The map on NumPy embeddings [N, D_t], in float64."""
        return (np.asarray(embeddings, np.float64)
                @ self.kernel.numpy().astype(np.float64)
                + self.bias.numpy().astype(np.float64))


class DistillationStudent(keras.Model):
    """What trains: the student's transformer and the embedding map."""

    def __init__(self, teacher_layout: EmbeddingLayout, alpha: float,
                 architecture: str, **kwargs):
        super().__init__(**kwargs)
        self.alpha = float(alpha)
        self.architecture = str(architecture)
        self.transformer = build_transformer(self.alpha, self.architecture)
        self.embedding_map = EmbeddingMap(
            block_average_map(teacher_layout,
                              self.transformer.embedding_layout),
            name="embedding_map")
        self.embedding_map.build()
        self.built = True

    @property
    def network(self) -> dict:
        return {"architecture": self.architecture, "alpha": self.alpha}

    def call(self, inputs, training=False):
        content, teacher_embeddings = inputs
        return self.transformer(
            [content, self.embedding_map(teacher_embeddings)],
            training=training)


class DistillationTrainer(PerceptualTrainer):
    """T_s(c, M·e) against T_t(c, e) for e drawn from ``bank`` [R, D_t]:
    content loss against c, style loss against the Grams of T_t(c, e),
    pixel loss against T_t(c, e).

    The input pipeline draws bank rows; each step blends a share of them
    with another random row. The teacher is frozen and runs in the policy
    it was built with.
    """

    loss_names = LOSS_NAMES

    def __init__(self, student: DistillationStudent,
                 teacher: StylizationModel, perceptual_loss,
                 bank: np.ndarray, global_batch_size: int,
                 rows: Sequence[int], seed: int, **kwargs):
        super().__init__(student, perceptual_loss, global_batch_size, rows,
                         **kwargs)
        self.teacher = teacher
        teacher.trainable = False
        self._bank = tf.constant(np.asarray(bank, np.float32))
        self._seed = int(seed)

    def call(self, inputs, training=False):
        return self.stylizer(inputs, training=training)

    def drawn_embeddings(self, rows: tf.Tensor) -> tf.Tensor:
        """Teacher embeddings [B, D_t] of drawn bank rows (blended_draws)."""
        seed = tf.stack([tf.constant(self._seed, tf.int64),
                         tf.cast(self.optimizer.iterations, tf.int64)])
        return blended_draws(self._bank, rows, seed)

    def compute_losses(self, content, styles, training=False):
        embeddings = self.drawn_embeddings(styles)
        target = self.teacher.transformer([content, embeddings])
        output = self.stylizer([content, embeddings], training=training)
        return imitation_losses(self._perceptual, content, output, target)


def imitation_losses(perceptual, content: tf.Tensor, output: tf.Tensor,
                     target: tf.Tensor, pixel_weight: float = PIXEL_WEIGHT
                     ) -> dict[str, tf.Tensor]:
    """Per-example losses of pastiches ``output`` that learn ``target``
    (another network's pastiches of ``content``, held constant): content
    loss against the content, style loss against the target's Grams, L1
    on the pixels against the target, and their "total" (the L1 at
    ``pixel_weight``)."""
    target = tf.stop_gradient(tf.cast(target, tf.float32))
    output = tf.cast(output, tf.float32)
    grams = {k: tf.stop_gradient(v)
             for k, v in perceptual.grams(target).items()}
    losses = perceptual.losses(output, perceptual.content_features(content),
                               grams)
    losses["pixels"] = tf.reduce_mean(tf.abs(output - target), axis=[1, 2, 3])
    losses["total"] = (losses["content"] + losses["style"]
                       + pixel_weight * losses["pixels"])
    return losses


def blended_draws(bank: tf.Tensor, rows: tf.Tensor, seed: tf.Tensor
                  ) -> tf.Tensor:
    """Embeddings [B, D] of ``rows`` of ``bank`` [R, D], a share
    (BLEND_PROBABILITY) of them blended with another random row at a
    uniform weight; a pure function of the stateless ``seed``."""
    batch = tf.shape(rows)[0]
    draws = tf.random.stateless_uniform([3, batch], seed)
    partner = tf.cast(draws[0] * tf.cast(tf.shape(bank)[0], tf.float32),
                      tf.int32)
    weight = tf.where(draws[1] < BLEND_PROBABILITY, draws[2], 1.0)[:, None]
    bank = tf.cast(bank, tf.float32)
    return (weight * tf.gather(bank, rows)
            + (1.0 - weight) * tf.gather(bank, partner))


def drawn_rows(table_rows: int, bank_rows: int) -> list[int]:
    """Bank rows for the input pipeline's uniform draw, the first
    ``table_rows`` (the table) repeated so that they make TABLE_SHARE of it."""
    others = bank_rows - table_rows
    if others <= 0:
        return list(range(table_rows))
    repeats = max(1, round(TABLE_SHARE / (1 - TABLE_SHARE) * others
                           / table_rows))
    return list(range(table_rows)) * repeats + list(range(table_rows,
                                                          bank_rows))


def predicted_embeddings(teacher: StylizationModel, paths: Sequence[str]
                         ) -> tuple[np.ndarray, list[str]]:
    """The teacher's predicted embeddings [N, D_t] of image files and the
    files they are of (unreadable or too small ones are skipped, and said)."""
    views, files, skipped = decode_each(paths, read_style_view)
    for reason, names in skipped.items():
        print(f"skipped {len(names)} {reason} image(s)", flush=True)
    if not views:
        raise MagentaStyleError("no readable images to predict styles of")
    parts = []
    for start in range(0, len(views), _BANK_BATCH):
        parts.append(teacher.predict_embeddings(
            np.stack(views[start:start + _BANK_BATCH])))
        done = min(start + _BANK_BATCH, len(views))
        if done % (10 * _BANK_BATCH) == 0 or done == len(views):
            print(f"predicted styles: {done}/{len(views)}", flush=True)
    return np.concatenate(parts), files


def embedding_bank(teacher: StylizationModel, paths: Sequence[str],
                   folder: str) -> np.ndarray:
    """The teacher's table rows, then its predictions of ``paths`` (kept in
    ``folder`` so that a resumed run reads them): [R, D_t]."""
    rows = table(teacher)
    if not paths:
        return rows
    if not teacher.has_predictor:
        raise MagentaStyleError(
            "the teacher has no style predictor: it cannot embed paintings; "
            "distill from its table styles alone (no paintings)")
    key = hashlib.sha256(json.dumps(
        [os.path.abspath(p) for p in paths]).encode()).hexdigest()[:16]
    path = os.path.join(folder, f"teacher_embeddings-{key}.npy")
    if os.path.isfile(path):
        print(f"predicted styles: read {path}", flush=True)
        predicted = np.load(path)
    else:
        predicted, _ = predicted_embeddings(teacher, paths)
        os.makedirs(folder, exist_ok=True)
        with atomic_file(path) as tmp, open(tmp, "wb") as f:
            np.save(f, predicted)
    return np.concatenate([rows, predicted]).astype(np.float32)


def distilled_model(student: DistillationStudent,
                    teacher: StylizationModel) -> StylizationModel:
    """The student as a StylizationModel in its own embedding space: the
    teacher's styles (names and records) at M·row, and, if the teacher has
    a predictor, the same predictor with its output map composed with M."""
    mapped_rows = student.embedding_map.apply_to(table(teacher))
    info = [{**record, "distilled_from": {**teacher.network}}
            for record in teacher.style_info]
    model = StylizationModel(
        teacher.style_names, student.alpha, info, student.architecture,
        teacher.predictor_config if teacher.has_predictor else None)
    model.transformer.set_weights(student.transformer.get_weights())
    model.style_table.table.assign(mapped_rows.astype(np.float32))
    if teacher.has_predictor:
        source, target = teacher.predictor, model.predictor
        target.standardize.set_weights(source.standardize.get_weights())
        target.bottleneck.set_weights(source.bottleneck.get_weights())
        kernel, bias = source.to_embedding.get_weights()
        matrix = student.embedding_map.kernel.numpy().astype(np.float64)
        target.to_embedding.set_weights([
            (kernel.astype(np.float64) @ matrix).astype(np.float32),
            student.embedding_map.apply_to(bias[None])[0].astype(np.float32)])
        target.share_backbone(source)
    return model
