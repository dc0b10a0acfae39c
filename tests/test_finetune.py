"""Fine-tuning new styles: only the new style rows train; every old style,
and the transformer, stay bit for bit as they were."""

import json
import os
import shutil

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import CONTENT_DIR, STYLES_DIR, assert_one_line_error, run_cli

from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.folders import load_style_image
from magenta_style.imaging.images import open_image
from magenta_style.network.model import StylizationModel, load_model
from magenta_style.objective.losses import PerceptualLoss
from magenta_style.stylebook import table
from magenta_style.training.trainer import StyleTransferTrainer

TRAIN = "magenta_style.train"
FINETUNE = "magenta_style.finetune"
TINY = ["--image_size", "32", "--batch_size", "2", "--style_size", "64",
        "--vgg_weights", os.path.join(os.path.dirname(STYLES_DIR),
                                      "vgg19_notop.h5")]
UDNIE = os.path.join(STYLES_DIR, "udnie.jpg")


def photo(size=40):
    image = open_image(os.path.join(CONTENT_DIR, "tubingen.jpg"),
                       max_side=4 * size)
    return tf.image.resize(image, [size, size + 4]).numpy()


def perturbed(model, seed=0):
    """``model`` with its style rows moved away from γ = 1, β = 0."""
    table = model.style_table.table
    noise = np.random.default_rng(seed).normal(0, 0.3, table.shape)
    table.assign(table.numpy() + noise.astype(np.float32))
    return model


def assert_old_styles_untouched(base, extended):
    assert extended.style_names[:base.num_styles] == base.style_names
    assert extended.style_info[:base.num_styles] == base.style_info
    for a, b in zip(base.transformer.weights, extended.transformer.weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    old = table.table(extended)[:base.num_styles]
    np.testing.assert_array_equal(old, table.table(base))
    image = photo()
    for style in range(base.num_styles):
        np.testing.assert_array_equal(base.stylize(image, style),
                                      extended.stylize(image, style))


def test_trainer_trains_only_the_new_rows(vgg):
    keras.utils.set_random_seed(4)
    base = perturbed(StylizationModel(["starry_night", "the_scream"],
                                      alpha=0.25))
    extended = table.add_new_styles(base, ["udnie", "wave"], [{}, {}])
    identity = table.table(extended)[2:].copy()
    perceptual = PerceptualLoss(vgg)
    images = [load_style_image(os.path.join(STYLES_DIR, f), 64)
              for f in ("udnie.jpg", "wave.jpg")]
    trainer = StyleTransferTrainer(extended, perceptual,
                                   perceptual.style_grams(images), 2,
                                   trainable_styles=[2, 3])
    assert [v.path for v in extended.trainable_variables] == [
        "style_table/table"]
    assert trainer.trainable_rows == [2, 3]
    trainer.compile(optimizer=keras.optimizers.Adam(1e-2))
    batch = np.stack([photo(32), photo(32)[::-1]])
    before = float(tf.reduce_mean(trainer.compute_losses(
        batch, tf.constant([2, 3]))["total"]))
    trainer.fit(tf.data.Dataset.from_tensors(
        (batch, np.array([2, 3], np.int32))).repeat(), epochs=1,
                steps_per_epoch=4, verbose=0, shuffle=False)
    after = float(tf.reduce_mean(trainer.compute_losses(
        batch, tf.constant([2, 3]))["total"]))
    assert after < before
    assert_old_styles_untouched(base, extended)
    new = table.table(extended)[2:]
    assert np.all(np.abs(new - identity).max(axis=1) > 1e-3)  # both trained


def test_trainable_styles_must_be_rows_of_the_table(vgg):
    model = StylizationModel(["a", "b"], alpha=0.25)
    perceptual = PerceptualLoss(vgg)
    for rows in ([], [2], [1, 1]):
        with pytest.raises(MagentaStyleError, match="trainable styles"):
            StyleTransferTrainer(model, perceptual, {}, 2,
                                 trainable_styles=rows)


def test_new_style_names_must_be_new():
    base = StylizationModel(["udnie", "wave"], alpha=0.25)
    with pytest.raises(MagentaStyleError, match="already has style"):
        table.add_new_styles(base, ["wave"], [{}])
    with pytest.raises(MagentaStyleError, match="repeat"):
        table.add_new_styles(base, ["x", "x"], [{}, {}])


@pytest.fixture(scope="module")
def base_dir(tmp_path_factory):
    """A tiny two-style model trained through the train CLI."""
    output = tmp_path_factory.mktemp("base")
    process = run_cli(TRAIN, "--styles_dir", STYLES_DIR, "--styles",
                      "the_scream,wave_crop", "--content_dir", CONTENT_DIR,
                      "--output_dir", str(output), "--steps", "4",
                      "--checkpoint_every", "2", "--alpha", "0.25", *TINY)
    assert process.returncode == 0, process.stderr[-2000:]
    return output


def finetune_args(base, output, images=UDNIE, steps="4"):
    return ["--model", str(base), "--style_images", images, "--content_dir",
            CONTENT_DIR, "--output_dir", str(output), "--steps", steps,
            "--checkpoint_every", "2", *TINY]


@pytest.fixture(scope="module")
def finetuned(base_dir, tmp_path_factory):
    output = tmp_path_factory.mktemp("finetuned")
    process = run_cli(FINETUNE, *finetune_args(base_dir, output))
    assert process.returncode == 0, process.stderr[-2000:]
    return output


def test_finetune_cli_adds_a_style_and_keeps_the_old_ones(base_dir, finetuned):
    base = load_model(str(base_dir))
    extended = load_model(str(finetuned))
    assert extended.style_names == ["the_scream", "wave_crop", "udnie"]
    assert extended.dtype_policy.name == "float32"
    assert_old_styles_untouched(base, extended)
    info = extended.style_info[2]
    assert info["source"] == "udnie.jpg" and info["trained_by"] == "finetune"
    assert info["steps"] == 4 and info["thumbnail_jpeg"]
    identity = table.table(table.add_new_styles(base, ["x"], [{}]))[2]
    assert np.abs(table.table(extended)[2] - identity).max() > 1e-4
    assert sorted(os.listdir(finetuned / "checkpoints")) == [
        "step-00000002", "step-00000004"]
    config = json.loads((finetuned / "train_config.json").read_text())
    assert config["styles"] == ["the_scream", "wave_crop", "udnie"]
    assert config["trainable_styles"] == [2]


def test_finetune_resumes_from_its_checkpoint(base_dir, finetuned, tmp_path):
    output = tmp_path / "resumed"
    shutil.copytree(finetuned, output)
    process = run_cli(FINETUNE, *finetune_args(base_dir, output, steps="6"))
    assert process.returncode == 0, process.stderr[-2000:]
    assert "resuming from step 4" in process.stdout
    assert_old_styles_untouched(load_model(str(base_dir)),
                                load_model(str(output)))


def test_finetune_bad_input_is_one_line_and_writes_nothing(base_dir, tmp_path):
    before = (base_dir / "model.keras").read_bytes()
    out = tmp_path / "out"
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 not a jpeg")
    assert_one_line_error(run_cli(FINETUNE, *finetune_args(base_dir, out,
                                                           str(bad))),
                          "cannot read image", "broken.jpg")
    assert_one_line_error(run_cli(FINETUNE, *finetune_args(
        base_dir, out, os.path.join(STYLES_DIR, "the_scream.jpg"))),
        "already has style(s) the_scream")
    assert_one_line_error(run_cli(FINETUNE, *finetune_args(base_dir,
                                                           base_dir)),
                          "--output_dir must not be the folder of --model")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_one_line_error(run_cli(FINETUNE, *finetune_args(empty, out)),
                          "no model.keras")
    foreign = tmp_path / "foreign.keras"
    keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]).save(foreign)
    assert_one_line_error(run_cli(FINETUNE, *finetune_args(foreign, out)),
                          "not a magenta_style model")
    assert_one_line_error(run_cli(FINETUNE, *finetune_args(base_dir, out),
                                  "--alpha", "0.5"), "alpha")
    assert (base_dir / "model.keras").read_bytes() == before
    assert not (out / "model.keras").exists()
    assert sorted(os.listdir(base_dir)) == sorted(
        ["model.keras", "checkpoints", "logs", "train_config.json"])
