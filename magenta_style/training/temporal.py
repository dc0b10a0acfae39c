"""Temporal stability trained into the network: a trained model's
transformer is fine-tuned so that a small motion of the input (and a little
sensor noise) moves its pastiche by the same motion, instead of redrawing
its strokes, while its pastiches stay those of the original network.

Each example is a content crop c and its second frame c' = A(c) + n, with A
a random small affine motion (a turn, a zoom and a shift of under a few
pixels; the flow is exact) and n Gaussian noise. With the frozen original
network R and the network S that trains, per example:

  imitation = distillation's loss of S(c) against R(c): content loss, style
              loss against R(c)'s Grams, pixel_weight × mean |S(c) − R(c)|
  temporal  = mean over A's valid pixels (S(c') − A(S(c)))²  ([0, 1] pixels)
  total     = imitation + temporal_weight · temporal

(a synthetic-motion temporal loss as in Gupta et al. 2017; the warping
error of Lai et al. 2018 is the same squared difference on real motion).
The style term is what keeps the strokes: with the L1 term alone (weight
20, 400 steps) the warping error fell to 0.44× on a real clip but the
frames' style loss rose by 38%, a blur. The L1 term beside it pins each
stroke where R draws it, against the temporal term; at pixel_weight 0 the
same steps take more flicker out at the same style cost
(constants.DEFAULT_TEMPORAL_WEIGHT has the figures). The style table and
the predictor stay as they are: every style keeps its embedding, and the
embedding space its meaning.

What it cannot do: motion the crops never show (large displacements,
occlusions, lighting changes) is not learned; the stabilizer at inference
(video.stabilizer) handles what the flow can follow.
"""

from __future__ import annotations

import math

import tensorflow as tf

from magenta_style import constants
from magenta_style.network.model import StylizationModel
from magenta_style.training.distillation import (
    blended_draws,
    imitation_losses,
)
from magenta_style.training.trainer import PerceptualTrainer

# The second frame's motion, drawn uniformly within ±: degrees, relative
# scale, pixels; and its noise, in levels of 255.
MAX_TURN = 1.0
MAX_ZOOM = 0.02
MAX_SHIFT = 3.0
NOISE_LEVELS = 2.0
LOSS_NAMES = ("total", "content", "style", "pixels", "temporal")


def random_motions(batch: tf.Tensor, size: tf.Tensor, seed: tf.Tensor
                   ) -> tf.Tensor:
    """Transforms [B, 8] (ImageProjectiveTransform's output → input map) of
    small random affine motions about the centre of size × size crops."""
    draws = tf.random.stateless_uniform([5, batch], seed, -1.0, 1.0)
    angle = draws[0] * MAX_TURN * math.pi / 180.0
    scale = 1.0 + draws[1] * MAX_ZOOM
    shift_x, shift_y = draws[2] * MAX_SHIFT, draws[3] * MAX_SHIFT
    centre = (tf.cast(size, tf.float32) - 1.0) / 2.0
    a, b = scale * tf.cos(angle), scale * tf.sin(angle)
    # input = R·(output − centre) + centre + shift
    tx = centre - a * centre + b * centre + shift_x
    ty = centre - b * centre - a * centre + shift_y
    zeros = tf.zeros_like(a)
    return tf.stack([a, -b, tx, b, a, ty, zeros, zeros], axis=1)


def moved(images: tf.Tensor, transforms: tf.Tensor,
          fill: str = "REFLECT") -> tf.Tensor:
    """``images`` [B, H, W, C] moved by ``transforms`` (bilinear)."""
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images, transforms=transforms,
        output_shape=tf.shape(images)[1:3], fill_value=0.0,
        interpolation="BILINEAR", fill_mode=fill)


def motion_error(first: tf.Tensor, second: tf.Tensor, transforms: tf.Tensor
                 ) -> tf.Tensor:
    """Per example [B], the mean squared difference between pastiches
    ``second`` of the moved input and ``first`` moved by ``transforms``, over
    the pixels the motion keeps inside the frame (the temporal term)."""
    valid = moved(tf.ones_like(first[..., :1]), transforms, "CONSTANT")
    valid = tf.cast(valid > 0.999, tf.float32)
    squared = (second - moved(first, transforms)) ** 2 * valid
    channels = tf.cast(tf.shape(first)[-1], tf.float32)
    return (tf.reduce_sum(squared, axis=[1, 2, 3])
            / (channels * tf.maximum(tf.reduce_sum(valid, [1, 2, 3]), 1.0)))


class TemporalTrainer(PerceptualTrainer):
    """Fine-tunes ``stylizer``'s transformer against ``reference`` (a
    frozen copy of it) with the imitation and temporal terms above, for
    table rows drawn by the input pipeline, half of them blended with
    another row."""

    loss_names = LOSS_NAMES

    def __init__(self, stylizer: StylizationModel,
                 reference: StylizationModel, perceptual_loss,
                 global_batch_size: int, seed: int,
                 temporal_weight: float = constants.DEFAULT_TEMPORAL_WEIGHT,
                 pixel_weight: float = constants.DEFAULT_STABILIZE_PIXEL_WEIGHT,
                 **kwargs):
        stylizer.style_table.trainable = False
        if stylizer.has_predictor:
            stylizer.predictor.trainable = False
        super().__init__(stylizer, perceptual_loss, global_batch_size,
                         list(range(stylizer.num_styles)), **kwargs)
        self.reference = reference
        reference.trainable = False
        self.temporal_weight = float(temporal_weight)
        self.pixel_weight = float(pixel_weight)
        self._seed = int(seed)

    def compute_losses(self, content, styles, training=False):
        step = tf.cast(self.optimizer.iterations, tf.int64)
        seed = tf.stack([tf.constant(self._seed, tf.int64), step])
        embeddings = blended_draws(self.stylizer.style_table.table, styles,
                                   seed)
        batch, size = tf.shape(content)[0], tf.shape(content)[1]
        motions = random_motions(batch, size, seed + 1)
        noise = tf.random.stateless_normal(tf.shape(content), seed + 2,
                                           stddev=NOISE_LEVELS / 255.0)
        second = tf.clip_by_value(moved(content, motions) + noise, 0.0, 1.0)
        target = self.reference.transformer([content, embeddings])
        both = tf.cast(self.stylizer.transformer(
            [tf.concat([content, second], 0),
             tf.concat([embeddings, embeddings], 0)], training=training),
            tf.float32)
        first_out, second_out = both[:batch], both[batch:]
        temporal = motion_error(first_out, second_out, motions)
        losses = imitation_losses(self._perceptual, content, first_out,
                                  target, self.pixel_weight)
        losses["temporal"] = temporal
        losses["total"] += self.temporal_weight * temporal
        return losses

