"""Distillation: the embedding map against NumPy, the distilled model's
table and predictor are the map of the teacher's, and a short run's loss
falls."""

import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import CONTENT_DIR, PHOTOS_DIR, VGG_WEIGHTS, run_cli

from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.folders import list_images
from magenta_style.imaging.images import open_image
from magenta_style.network.embedding import EmbeddingLayout
from magenta_style.network.model import StylizationModel, load_model
from magenta_style.stylebook import table
from magenta_style.stylebook.style_file import (
    check_fits,
    export_style,
    parse_style_file,
)
from magenta_style.objective.losses import PerceptualLoss
from magenta_style.training.distillation import (
    LOSS_NAMES,
    DistillationStudent,
    DistillationTrainer,
    block_average_map,
    distilled_model,
    drawn_rows,
)


def test_block_average_map_gives_each_channel_its_teachers_mean(rng):
    teacher, student = EmbeddingLayout([8, 3]), EmbeddingLayout([2, 3])
    e = rng.normal(size=(5, teacher.size)).astype(np.float32)
    mapped = e @ block_average_map(teacher, student)
    # Reference: layer by layer, γ then β, channels in groups of C_t / C_s.
    g1, b1, g2, b2 = np.split(e, [8, 16, 19], axis=1)
    expected = np.concatenate([g1.reshape(5, 2, 4).mean(-1),
                               b1.reshape(5, 2, 4).mean(-1), g2, b2], axis=1)
    np.testing.assert_allclose(mapped, expected, rtol=1e-6)
    identity = teacher.identity()[None] @ block_average_map(teacher, student)
    np.testing.assert_allclose(identity[0], student.identity())


def test_layouts_of_other_depth_are_refused():
    with pytest.raises(MagentaStyleError, match="layer to layer"):
        block_average_map(EmbeddingLayout([4, 4]), EmbeddingLayout([2]))


def test_table_rows_are_drawn_at_their_share():
    rows = drawn_rows(12, 12 + 1884)
    table_share = np.mean(np.asarray(rows) < 12)
    assert 0.45 < table_share < 0.55
    assert set(rows) == set(range(12 + 1884))


def teacher_with_predictor(vgg, rng):
    keras.utils.set_random_seed(3)
    teacher = StylizationModel(["a", "b"], alpha=0.25,
                               predictor={"feature_layers": ["block1_conv1"],
                                          "bottleneck_size": 4})
    teacher.style_table.table.assign(
        table.table(teacher) + rng.normal(0, 0.3, (2, teacher.embedding_size)
                                          ).astype(np.float32))
    teacher.predictor.set_backbone(vgg)
    for weight in teacher.predictor.to_embedding.weights:
        weight.assign(rng.normal(0, 0.1, weight.shape).astype(np.float32))
    return teacher


def test_distilled_model_is_the_map_of_the_teacher(vgg, rng):
    teacher = teacher_with_predictor(vgg, rng)
    student = DistillationStudent(teacher.embedding_layout, 0.125, "mobile")
    student.embedding_map.kernel.assign(
        student.embedding_map.kernel.numpy()
        + rng.normal(0, 0.05, student.embedding_map.kernel.shape
                     ).astype(np.float32))
    student.embedding_map.bias.assign(rng.normal(
        0, 0.05, student.embedding_map.bias.shape).astype(np.float32))
    fast = distilled_model(student, teacher)
    assert (fast.architecture, fast.alpha) == ("mobile", 0.125)
    assert fast.style_names == teacher.style_names
    assert fast.style_info[0]["distilled_from"] == teacher.network
    kernel = student.embedding_map.kernel.numpy().astype(np.float64)
    bias = student.embedding_map.bias.numpy().astype(np.float64)
    np.testing.assert_allclose(table.table(fast),
                               table.table(teacher) @ kernel + bias,
                               rtol=1e-5, atol=1e-5)
    photo = rng.random((40, 44, 3), dtype=np.float32)
    # Its predictor is the teacher's followed by the map.
    np.testing.assert_allclose(
        fast.predict_embeddings([photo]),
        teacher.predict_embeddings([photo]) @ kernel + bias,
        rtol=1e-4, atol=1e-4)
    # Its pastiche in a table style is the student's at the teacher's row.
    np.testing.assert_allclose(
        fast.stylize(photo, "b"),
        student([photo[None], table.table(teacher)[1:2]]).numpy()[0],
        atol=1e-4)  # inference normalizes by the fused kernel
    # A style of one network is refused by the other.
    with pytest.raises(MagentaStyleError, match="only fits the network"):
        check_fits(parse_style_file(export_style(fast, "a")),
                   teacher.embedding_size,
                   teacher.network)


def test_students_losses_fall_on_a_fixed_batch(vgg, rng):
    teacher = teacher_with_predictor(vgg, rng)
    keras.utils.set_random_seed(5)
    student = DistillationStudent(teacher.embedding_layout, 0.125, "mobile")
    bank = np.concatenate([table.table(teacher), teacher.predict_embeddings(
        [rng.random((40, 40, 3), dtype=np.float32)])])
    trainer = DistillationTrainer(student, teacher, PerceptualLoss(vgg), bank,
                                  4, drawn_rows(2, 3), seed=0)
    trainer.compile(optimizer=keras.optimizers.Adam(1e-3))
    content = tf.constant(np.stack([
        open_image(os.path.join(CONTENT_DIR, name), max_side=96)[:48, :48]
        for name in ("chicago.jpg", "tubingen.jpg")] * 2))
    rows = tf.constant([0, 1, 2, 0])

    def losses():
        trainer.optimizer.iterations.assign(0)  # the same blends each time
        return {k: float(tf.reduce_mean(v)) for k, v in
                trainer.compute_losses(content, rows).items()}

    before = losses()
    history = trainer.fit(
        tf.data.Dataset.from_tensors((content, rows)).repeat(),
        steps_per_epoch=10, epochs=4, verbose=0, shuffle=False)
    after = losses()
    # The random teacher's Grams dominate at first (style ~200, pixels
    # ~0.26): 40 steps bring the total to about a third.
    assert after["total"] < 0.5 * before["total"], (before, after)
    assert history.history["total"][-1] < history.history["total"][0]
    assert set(history.history) == set(LOSS_NAMES)


def test_distill_cli_writes_a_model_with_the_teachers_styles(tmp_path, vgg,
                                                              rng):
    teacher = teacher_with_predictor(vgg, rng)
    teacher_file = str(tmp_path / "teacher.keras")
    teacher.save_atomic(teacher_file)
    out = tmp_path / "fast"
    paintings = tmp_path / "paintings"
    paintings.mkdir()
    for path in list_images(PHOTOS_DIR)[:10]:  # photos as the "paintings"
        os.symlink(path, paintings / os.path.basename(path))
    process = run_cli(
        "magenta_style.distill", "--teacher", teacher_file,
        "--content_dir", CONTENT_DIR, "--paintings_dir", str(paintings),
        "--output_dir", str(out), "--alpha", "0.125", "--image_size", "48",
        "--batch_size", "2", "--steps", "4", "--checkpoint_every", "2",
        "--precision", "float32", "--vgg_weights", VGG_WEIGHTS)
    assert process.returncode == 0, process.stderr[-2000:]
    record = json.loads((out / "train_config.json").read_text())
    # The bank: 2 table rows, 9 of the 10 paintings (one held out), 5 photos.
    assert record["bank"].startswith("16 embeddings")
    fast = load_model(str(out))
    assert fast.network == {"architecture": "mobile", "alpha": 0.125}
    assert fast.style_names == teacher.style_names
    assert fast.has_predictor
    photo = open_image(os.path.join(CONTENT_DIR, "chicago.jpg"), max_side=64)
    assert fast.stylize(photo, "a").shape == photo.shape
