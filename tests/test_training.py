"""Training with the real VGG-19: the loss falls, checkpoints resume, models
round-trip through .keras bit for bit."""

import glob
import os
import zipfile

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import CONTENT_DIR, STYLES_DIR

from magenta_style.imaging.folders import load_style_images
from magenta_style.imaging.images import open_image
from magenta_style.network.model import StylizationModel, load_model
from magenta_style.objective.losses import PerceptualLoss
from magenta_style.training.checkpoints import (
    ResumableCheckpoint,
    list_checkpoints,
    restore_latest_checkpoint,
)
from magenta_style.training.trainer import StyleTransferTrainer

STYLES = ["starry_night", "the_scream"]


def content_batch(size: int, count: int = 2) -> np.ndarray:
    files = sorted(glob.glob(os.path.join(CONTENT_DIR, "*.jpg")))[:count]
    return np.stack([tf.image.resize(open_image(f, max_side=4 * size),
                                     [size, size]).numpy() for f in files])


def make_trainer(vgg, learning_rate=1e-2, alpha=0.25, architecture="paper",
                 batch_size=2):
    names, images, _ = load_style_images(STYLES_DIR, 96, STYLES)
    perceptual = PerceptualLoss(vgg)
    stylizer = StylizationModel(names, alpha=alpha, architecture=architecture)
    trainer = StyleTransferTrainer(stylizer, perceptual,
                                   perceptual.style_grams(images), batch_size)
    trainer.compile(optimizer=keras.optimizers.Adam(learning_rate))
    return trainer


def fixed_batch_dataset(batch, styles=None):
    """The same batch for ever, with style rows 0, 1, 0, ... unless given."""
    styles = np.arange(len(batch)) % 2 if styles is None else styles
    return tf.data.Dataset.from_tensors(
        (batch, np.asarray(styles, np.int32))).repeat()


@pytest.mark.parametrize("architecture", ["paper", "mobile"])
def test_total_loss_halves_within_forty_steps_for_two_styles(vgg,
                                                             architecture):
    keras.utils.set_random_seed(0)
    trainer = make_trainer(vgg, architecture=architecture, batch_size=4)
    batch = content_batch(64)
    every = np.concatenate([batch, batch])
    styles = tf.constant([0, 0, 1, 1])

    def total():
        return float(tf.reduce_mean(trainer.compute_losses(every, styles)["total"]))

    before = total()
    history = trainer.fit(fixed_batch_dataset(every, styles), steps_per_epoch=10,
                          epochs=4, verbose=0, shuffle=False)
    after = total()
    assert after <= 0.5 * before, (before, after)
    assert history.history["total"][-1] < history.history["total"][0]
    assert set(history.history) == {"total", "content", "style"}


def test_checkpoint_restores_weights_optimizer_and_epoch(vgg, tmp_path):
    keras.utils.set_random_seed(1)
    trainer = make_trainer(vgg)
    data = fixed_batch_dataset(content_batch(32, 1))
    directory = str(tmp_path / "ckpt")
    trainer.fit(data, steps_per_epoch=2, epochs=2, verbose=0, shuffle=False,
                callbacks=[ResumableCheckpoint(directory)])
    assert [os.path.basename(p) for p in list_checkpoints(directory)] == [
        "step-00000002", "step-00000004"]

    fresh = make_trainer(vgg)
    assert restore_latest_checkpoint(directory, fresh) == 2
    assert int(fresh.optimizer.iterations) == 4
    for a, b in zip(trainer.stylizer.weights, fresh.stylizer.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    for a, b in zip(trainer.optimizer.variables, fresh.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    fresh.fit(data, steps_per_epoch=2, epochs=3, initial_epoch=2, verbose=0,
              shuffle=False)
    assert int(fresh.optimizer.iterations) == 6


def test_validation_reports_the_same_losses(vgg):
    trainer = make_trainer(vgg)
    batch = content_batch(32)
    logs = trainer.evaluate(tf.data.Dataset.from_tensors(
        (batch, np.array([0, 1], np.int32))), verbose=0, return_dict=True)
    assert set(logs) == {"total", "content", "style"}
    assert logs["total"] == pytest.approx(logs["content"] + logs["style"],
                                          rel=1e-5)


@pytest.mark.parametrize("architecture", ["paper", "mobile"])
def test_train_save_load_stylize_is_bit_for_bit(vgg, tmp_path, architecture):
    keras.utils.set_random_seed(2)
    trainer = make_trainer(vgg, architecture=architecture)
    trainer.fit(fixed_batch_dataset(content_batch(32)), steps_per_epoch=3,
                epochs=1, verbose=0, shuffle=False)
    stylizer = trainer.stylizer
    path = str(tmp_path / "model.keras")
    stylizer.save_atomic(path)
    with zipfile.ZipFile(path) as archive:  # Keras would store them
        assert {member.compress_type for member in archive.infolist()} == {
            zipfile.ZIP_DEFLATED}
    loaded = load_model(path)
    assert loaded.style_names == STYLES and loaded.alpha == 0.25
    assert loaded.architecture == architecture
    image = content_batch(40, 1)[0][:37, :29]
    for style in (0, "the_scream", {"starry_night": 0.3, "the_scream": 0.7}):
        np.testing.assert_array_equal(stylizer.stylize(image, style),
                                      loaded.stylize(image, style))
    assert np.abs(stylizer.stylize(image, 0) - stylizer.stylize(image, 1)).max() > 1e-3


def test_a_run_folder_gives_back_its_recorded_loss(tmp_path):
    from magenta_style.objective.loss_config import LossConfig
    from magenta_style.training.config import TrainConfig
    from magenta_style.training.loop import check_resume, recorded_loss_config

    loss = LossConfig(style_layers=("block1_conv1", "block3_conv1"),
                      style_weights=(1e-3,))
    check_resume(str(tmp_path), TrainConfig(loss=loss), {"styles": ["a"]})
    assert recorded_loss_config(str(tmp_path)) == loss
    assert recorded_loss_config(str(tmp_path / "model.keras")) == loss
    assert recorded_loss_config(str(tmp_path / "other" / "m.keras")) is None
    assert recorded_loss_config(None) is None
