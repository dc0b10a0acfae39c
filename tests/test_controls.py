"""Stroke size and intensity: the coefficients of a setting, the blends of a
style's control points, where the points are kept, and their training."""

import os

import numpy as np
import pytest
from conftest import ANDROID_ASSETS, CONTENT_DIR, PHOTOS_DIR, STYLES_DIR, \
    VGG_WEIGHTS, assert_one_line_error, run_cli

from export import manifest
from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.folders import load_style_image
from magenta_style.imaging.images import open_image
from magenta_style.imaging.transforms import center_crop
from magenta_style.network.model import StylizationModel, load_model
from magenta_style.objective.losses import PerceptualLoss
from magenta_style.runtime.controls import (
    CONTROL_POINTS,
    INTENSE,
    OWN,
    STROKE_LARGE,
    STROKE_SMALL,
    check_stroke_scales,
    point_weights,
)
from magenta_style.runtime.exported_model import load_exported_model
from magenta_style.stylebook import style_file, table
from magenta_style.training.config import TrainConfig
from magenta_style.training.controls import point_config, train_control_points
from magenta_style.training.pipeline import PhotoFolder

import tensorflow as tf


@pytest.fixture(scope="module")
def controlled():
    """Three styles of a small network; "a" and "b" with random points."""
    model = StylizationModel(["a", "b", "c"], alpha=0.25)
    rng = np.random.default_rng(3)
    model.style_table.table.assign(
        rng.normal(1.0, 0.5, model.style_table.table.shape).astype(np.float32))
    points = {p: rng.normal(0, 1, (2, model.embedding_size)).astype(
        np.float32) for p in CONTROL_POINTS}
    return table.with_controls(model, ["a", "b"], points, {"steps": 3}), points


@pytest.mark.parametrize("stroke,strength,expected", [
    (1.0, 1.0, {OWN: 1.0}), (0.5, 1.0, {STROKE_SMALL: 1.0}),
    (2.0, 0.4, {STROKE_LARGE: 1.0}), (1.0, 2.0, {INTENSE: 1.0}),
    (0.75, 1.0, {OWN: 0.5, STROKE_SMALL: 0.5}),
    (1.5, 1.5, {OWN: 0.0, STROKE_LARGE: 0.5, INTENSE: 0.5}),
    (0.8, 1.6, {OWN: 0.0, STROKE_SMALL: 0.4, INTENSE: 0.6}),
    (0.6, 1.8, {OWN: -0.6, STROKE_SMALL: 0.8, INTENSE: 0.8})])
def test_point_weights_interpolate_between_the_points(stroke, strength,
                                                      expected):
    weights = point_weights(stroke, strength)
    assert sum(weights.values()) == pytest.approx(1.0, abs=1e-15)
    for point in (OWN, *CONTROL_POINTS):
        assert weights[point] == pytest.approx(expected.get(point, 0.0),
                                               abs=1e-15)


@pytest.mark.parametrize("stroke,strength,argument", [
    (0.4, 1.0, "stroke"), (2.5, 1.0, "stroke"), (float("nan"), 1.0, "stroke"),
    (1.0, 2.5, "strength"), (1.0, -0.1, "strength")])
def test_settings_outside_the_trained_points_are_refused(stroke, strength,
                                                         argument):
    with pytest.raises(MagentaStyleError, match=argument):
        point_weights(stroke, strength)


def test_embedding_is_the_affine_blend_of_the_styles_points(controlled):
    model, points = controlled
    rows = table.table(model).astype(np.float64)
    stroke, strength = 0.8, 1.6
    c = point_weights(stroke, strength)
    expected = np.zeros(model.embedding_size)
    for k, weight in enumerate([0.25, 0.75]):
        expected += weight * (c[OWN] * rows[k] + sum(
            c[p] * points[p][k].astype(np.float64) for p in CONTROL_POINTS))
    blend = model.embedding({"a": 1, "b": 3}, stroke, strength)
    np.testing.assert_allclose(blend, expected, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(model.embedding("b", 2.0),
                                  points[STROKE_LARGE][1])
    np.testing.assert_array_equal(model.embedding({"a": 1, "c": 1}),
                                  model.embedding({"a": 1, "c": 1}, 1.0, 0.5))


def test_styles_without_points_refuse_a_setting_that_needs_them(controlled):
    model, _ = controlled
    with pytest.raises(MagentaStyleError, match="'c' has no stroke"):
        model.embedding({"a": 1, "c": 1}, 1.5)
    with pytest.raises(MagentaStyleError, match="predicted from an image"):
        model.embedding(table.table(model)[0], 1.0, 1.5)
    plain = StylizationModel(["x"], alpha=0.25)
    assert plain.control_rows() is None
    with pytest.raises(MagentaStyleError, match="'x' has no stroke"):
        plain.embedding("x", 0.5)


def test_points_survive_saving_and_every_table_operation(controlled,
                                                         tmp_path):
    model, points = controlled
    path = str(tmp_path / "m.keras")
    table.save_model(model, path)
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.control_rows(), model.control_rows())
    renamed = table.rename_style(table.remove_style(loaded, "a"), "b", "bee")
    assert renamed.has_controls("bee") and not renamed.has_controls("c")
    np.testing.assert_array_equal(renamed.embedding("bee", 0.5),
                                  points[STROKE_SMALL][1])
    document = style_file.export_style(loaded, "b")
    target = str(tmp_path / "b.style.json")
    style_file.write_style_file(document, target)
    imported = table.import_style(StylizationModel(["z"], alpha=0.25),
                                  style_file.read_style_file(target), "b2")
    np.testing.assert_array_equal(  # float16 in the file
        imported.embedding("b2", 1.0, 2.0),
        points[INTENSE][1].astype(np.float16).astype(np.float32))
    added = table.add_new_styles(loaded, ["new"], [{}])
    assert added.has_controls("b") and not added.has_controls("new")
    alone = table.remove_style(table.remove_style(loaded, "a"), "b")
    assert alone.control_rows() is None  # no style left with points


def test_manifest_and_style_files_carry_the_points(controlled, tmp_path):
    model, points = controlled
    document = manifest.build_manifest(model, "float32", (64, 64))
    assert document["controls"]["points"] == list(CONTROL_POINTS)
    assert "controls" not in document["styles"][2]
    np.testing.assert_array_equal(
        np.asarray(document["styles"][1]["controls"][INTENSE], np.float32),
        points[INTENSE][1])
    target = str(tmp_path / "a.style.json")
    style_file.write_style_file(
        {**style_file.export_style(model, "a"), "name": "a_again"}, target)
    extended = manifest.add_style_file(document, target)
    assert set(extended["styles"][-1]["controls"]) == set(CONTROL_POINTS)


def test_bundled_export_blends_as_the_keras_model():
    """The runtime's exported model and Keras compute the same settings."""
    keras_model, exported = load_model("fast"), load_exported_model("fast")
    assert keras_model.has_controls("udnie") and exported.has_controls("udnie")
    for stroke, strength in [(0.6, 1.0), (1.7, 1.3), (1.0, 2.0)]:
        np.testing.assert_array_equal(
            exported.embedding({"udnie": 1, "starry_night": 2}, stroke,
                               strength),
            keras_model.embedding({"udnie": 1, "starry_night": 2}, stroke,
                                  strength))


@pytest.mark.parametrize("name, folder", [
    ("fast", "fast"), ("video", "video"), ("fast", ANDROID_ASSETS)])
def test_bundled_exports_carry_the_keras_models_points(name, folder):
    """Every style's embedding and control points in a committed export (the
    runtime's and the Android app's) are the bundled Keras model's: an export
    left behind by retrained points fails here."""
    keras_model, exported = load_model(name), load_exported_model(folder)
    assert exported.style_names == keras_model.style_names
    np.testing.assert_array_equal(exported.style_rows(),
                                  keras_model.style_rows())
    np.testing.assert_array_equal(exported.control_rows(),
                                  keras_model.control_rows())


def test_stroke_scales_set_the_points_painting_sizes():
    config = TrainConfig(vgg_weights=VGG_WEIGHTS)
    wide = {STROKE_SMALL: 0.25, STROKE_LARGE: 3.0}
    assert [point_config(config, p, 512).style_size
            for p in CONTROL_POINTS] == [256, 1024, 512]
    assert [point_config(config, p, 512, wide).style_size
            for p in CONTROL_POINTS] == [128, 1536, 512]
    for bad in ({STROKE_SMALL: 1.0, STROKE_LARGE: 2.0},
                {STROKE_SMALL: 0.5, STROKE_LARGE: 0.9},
                {STROKE_SMALL: 0.5, STROKE_LARGE: 8.0},
                {STROKE_SMALL: 0.5}):
        with pytest.raises(MagentaStyleError, match="stroke_scales"):
            check_stroke_scales(bad)


def test_train_controls_refuses_stroke_scales_in_one_line(tmp_path):
    for value in ("2,0.5", "0.5", "0.5,x"):
        process = run_cli("magenta_style.train_controls", "--model", "fast",
                          "--style_images",
                          os.path.join(STYLES_DIR, "udnie.jpg"),
                          "--content_dir", PHOTOS_DIR, "--output_dir",
                          str(tmp_path), "--stroke_scales", value)
        assert_one_line_error(process, "stroke_scales")


def test_training_moves_each_point_towards_its_own_objective(tmp_path):
    """A few steps per point, the stroke points at a quarter and three times
    the style size: the stroke points match the painting at their scale
    better than the style's own embedding does, the intense point has the
    lower loss under 4x the style weight, and the scales are recorded."""
    model = load_model("fast")
    config = TrainConfig(image_size=64, batch_size=2, steps=12,
                         learning_rate=2e-2, checkpoint_every=6,
                         vgg_weights=VGG_WEIGHTS)
    painting = os.path.join(STYLES_DIR, "udnie.jpg")
    scales = {STROKE_SMALL: 0.25, STROKE_LARGE: 3.0}
    trained = train_control_points(
        model, ["udnie"], [painting], config, PhotoFolder(PHOTOS_DIR),
        str(tmp_path), tf.distribute.get_strategy(), scales)
    record = trained.style_info[trained.style_index("udnie")]["controls"]
    assert record["stroke_scales"] == [0.25, 3.0]
    np.testing.assert_array_equal(table.table(trained), table.table(model))
    for a, b in zip(trained.transformer.get_weights(),
                    model.transformer.get_weights()):
        np.testing.assert_array_equal(a, b)
    photos = np.stack([center_crop(open_image(os.path.join(CONTENT_DIR, f)),
                                   64) for f in ("chicago.jpg",
                                                 "tubingen.jpg")])
    from magenta_style.objective.vgg import load_vgg19

    vgg = load_vgg19(VGG_WEIGHTS)
    for point in CONTROL_POINTS:
        run = point_config(config, point, 512, scales)
        perceptual = PerceptualLoss(vgg, run.loss)
        grams = perceptual.style_grams([load_style_image(painting,
                                                         run.style_size)])
        targets = {k: tf.repeat(v, len(photos), 0) for k, v in grams.items()}
        content = perceptual.content_features(tf.constant(photos))

        def total(embedding):
            pastiches = trained.render_embeddings(
                photos, np.repeat(embedding[None], len(photos), 0))
            losses = perceptual.losses(tf.constant(pastiches), content,
                                       targets)
            return float(tf.reduce_mean(losses["content"] + losses["style"]))

        ends = {STROKE_SMALL: (0.5, 1.0), STROKE_LARGE: (2.0, 1.0),
                INTENSE: (1.0, 2.0)}[point]
        assert total(trained.embedding("udnie", *ends)) < total(
            trained.embedding("udnie")), point


def test_stylize_stroke_names_its_files_and_needs_points(tmp_path):
    photo = os.path.join(CONTENT_DIR, "tubingen.jpg")
    out = tmp_path / "out"
    done = run_cli("magenta_style.stylize", "--content", photo, "--model",
                   "fast", "--styles", "udnie", "--stroke", "1.5",
                   "--strength", "1.25", "--output_dir", str(out),
                   "--max_size", "64")
    assert done.returncode == 0, done.stderr[-2000:]
    assert os.listdir(out) == ["tubingen_udnie_stroke150_strength125.png"]
    process = run_cli("magenta_style.stylize", "--content", photo,
                      "--model", "fast", "--style_image",
                      os.path.join(STYLES_DIR, "udnie.jpg"), "--stroke",
                      "1.5", "--output_dir", str(tmp_path / "refused"),
                      "--max_size", "64", "--vgg_weights", VGG_WEIGHTS)
    assert_one_line_error(process, "predicted from an image has no stroke")
    assert not os.path.exists(tmp_path / "refused" / "tubingen_udnie_stroke150.png")
    process = run_cli("magenta_style.stylize", "--content", photo, "--stroke",
                      "3", "--output_dir", str(tmp_path / "refused"))
    assert_one_line_error(process, "stroke")
