"""Run by test_distributed: one training step under MirroredStrategy on two
logical CPU devices against the same global batch on one device, split in
the same two halves; prints their largest relative differences as JSON.

The one-device reference sums the gradients of the two halves, so both
sides run the same kernels on the same shapes and may differ only by the
order of one addition. (A single batch of 8 against two of 4 differs by
about 6e-4 of the largest gradient on this CPU with no strategy at all:
the kernels' numerics depend on the batch size.)

A separate process: the CPU must be split before TensorFlow starts.
"""

import json
import os
import sys

import tensorflow as tf

tf.config.set_logical_device_configuration(
    tf.config.list_physical_devices("CPU")[0],
    [tf.config.LogicalDeviceConfiguration()] * 2)

import keras  # noqa: E402
import numpy as np  # noqa: E402

from magenta_style.imaging.folders import load_style_images  # noqa: E402
from magenta_style.network.model import StylizationModel  # noqa: E402
from magenta_style.objective.losses import PerceptualLoss  # noqa: E402
from magenta_style.objective.vgg import load_vgg19  # noqa: E402
from magenta_style.training.trainer import StyleTransferTrainer  # noqa: E402

DATA = sys.argv[1]
BATCH = 8  # global; 4 per replica
STEPS = 3
LEARNING_RATE = 1e-4


def make_trainer():
    keras.utils.set_random_seed(0)
    names, images, _ = load_style_images(os.path.join(DATA, "styles"), 64,
                                         ["starry_night", "the_scream"])
    perceptual = PerceptualLoss(load_vgg19(os.path.join(DATA, "vgg19_notop.h5")))
    trainer = StyleTransferTrainer(StylizationModel(names, alpha=0.25),
                                   perceptual, perceptual.style_grams(images),
                                   BATCH)
    trainer.compile(optimizer=keras.optimizers.SGD(LEARNING_RATE))
    return trainer


def relative_difference(a, b):
    return max(float(np.abs(x - y).max() / np.abs(x).max())
               for x, y in zip(a, b))


rng = np.random.default_rng(0)
content = rng.random((BATCH, 48, 48, 3)).astype(np.float32)
styles = rng.integers(0, 2, BATCH).astype(np.int32)
halves = [(content[:4], styles[:4]), (content[4:], styles[4:])]

# One device: the step's gradient is the sum over the halves; plain SGD.
# A tf.function, as fit's step is: graph and eager kernels round differently.
reference = make_trainer()
variables = reference.stylizer.trainable_variables
start = reference.stylizer.get_weights()
half_gradient = tf.function(lambda c, s: reference.compute_gradients(c, s)[1])
one_gradient = None
for step in range(STEPS):
    gradient = [sum(g) for g in zip(*[
        [g.numpy() for g in half_gradient(c, s)] for c, s in halves])]
    one_gradient = one_gradient or gradient
    for variable, g in zip(variables, gradient):
        variable.assign(variable.numpy() - LEARNING_RATE * g)

# Two replicas through fit, as training runs.
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    mirrored = make_trainer()
data = tf.data.Dataset.from_tensors((content, styles))
batch = next(iter(strategy.experimental_distribute_dataset(data)))
per_replica = strategy.run(
    tf.function(lambda c, s: mirrored.compute_gradients(c, s)[1]), args=batch)
two_gradient = [strategy.reduce("SUM", g, axis=None).numpy()
                for g in per_replica]
mirrored.fit(data.repeat(), steps_per_epoch=STEPS, epochs=1, verbose=0)

print(json.dumps({
    "gradients": relative_difference(one_gradient, two_gradient),
    "weights": relative_difference(reference.stylizer.get_weights(),
                                   mirrored.stylizer.get_weights()),
    "moved": relative_difference(reference.stylizer.get_weights(), start)}))
