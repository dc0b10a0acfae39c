"""The style predictor and the embedding API around it: statistics against
NumPy, saving, strength, blends of table styles and predicted embeddings."""

import zipfile

import h5py
import numpy as np
import pytest
import tensorflow as tf
from conftest import VGG_WEIGHTS

from magenta_style.errors import MagentaStyleError
from magenta_style.network.model import (
    StylizationModel,
    attach_predictor,
    load_model,
)
from magenta_style.network.predictor import ChannelStatistics, StylePredictor
from magenta_style.runtime.contract import PREDICTOR_IMAGE_SIZE, predictor_view
from magenta_style.stylebook import table


def varied_images(count=12, side=64):
    """Noise images of different brightness, contrast and colour."""
    rng = np.random.default_rng(4)
    images = rng.random((count, side, side, 3))
    scale = rng.uniform(0.1, 1.0, (count, 1, 1, 3))
    offset = rng.uniform(0.0, 0.5, (count, 1, 1, 3))
    return np.clip(images * scale + offset, 0, 1).astype(np.float32)


@pytest.fixture(scope="module")
def model(vgg):
    """Three table styles (apart from identity) and a VGG-19 predictor whose
    standardization fits a few noise images."""
    base = StylizationModel(["ink", "oil", "wash"], alpha=0.25)
    rows = base.style_table.table
    noise = np.random.default_rng(3).normal(0, 0.3, rows.shape)
    rows.assign(rows.numpy() + noise.astype(np.float32))
    predictor = StylePredictor(base.embedding_size, vgg=vgg)
    predictor.start_from(predictor.image_statistics(varied_images()).numpy(),
                         table.table(base).mean(axis=0))
    # Weights big enough that different images get different embeddings.
    kernel = predictor.to_embedding.kernel
    kernel.assign(np.random.default_rng(5).normal(
        0, 0.01, kernel.shape).astype(np.float32))
    return attach_predictor(base, predictor)


@pytest.fixture(scope="module")
def photo():
    x = np.linspace(0, 1, 48, dtype=np.float32)
    grid = np.meshgrid(x, x[::-1])
    return np.stack([*grid, np.full((48, 48), 0.3, np.float32)], -1)


@pytest.fixture(scope="module")
def painting():
    return np.random.default_rng(7).random((80, 120, 3)).astype(np.float32)


def test_channel_statistics_match_numpy(rng):
    a = rng.normal(2, 3, (2, 5, 7, 4)).astype(np.float32)
    b = rng.normal(-1, 0.5, (2, 3, 3, 6)).astype(np.float32)
    got = ChannelStatistics()([tf.constant(a), tf.constant(b)]).numpy()
    expected = np.concatenate(
        [a.mean((1, 2)), np.sqrt(a.var((1, 2)) + 1e-5),
         b.mean((1, 2)), np.sqrt(b.var((1, 2)) + 1e-5)], axis=1)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_predictor_view_is_the_central_square(painting):
    view = predictor_view(painting)
    assert view.shape == (PREDICTOR_IMAGE_SIZE, PREDICTOR_IMAGE_SIZE, 3)
    left_half = painting.copy()
    left_half[:, :20] = 0  # outside the central 80×80 square
    np.testing.assert_array_equal(predictor_view(left_half), view)


def test_predictor_starts_at_the_mean_embedding(vgg):
    base = StylizationModel(["a", "b"], alpha=0.25)
    mean = np.linspace(0.5, 1.5, base.embedding_size).astype(np.float32)
    predictor = StylePredictor(base.embedding_size, vgg=vgg)
    images = varied_images()
    predictor.start_from(predictor.image_statistics(images).numpy(), mean)
    statistics = predictor.standardize(predictor.image_statistics(images))
    np.testing.assert_allclose(np.mean(statistics, 0), 0, atol=1e-3)
    out = predictor(images).numpy()
    # Standardized statistics through a near-zero output map: near the bias.
    assert np.abs(out - mean).max() < 0.1
    assert np.abs(out[0] - out[1]).max() > 0  # and still image-dependent


def test_copies_predict_as_the_original(vgg, painting):
    base = StylizationModel(["a"], alpha=0.25)
    predictor = StylePredictor(base.embedding_size, vgg=vgg)
    predictor.start_from(predictor.image_statistics(varied_images()).numpy(),
                         table.table(base)[0])
    view = predictor_view(painting)[None]
    np.testing.assert_allclose(
        attach_predictor(base, predictor).predict_embeddings([painting]),
        predictor(view).numpy(), rtol=1e-5, atol=1e-5)


def test_predictor_arguments_are_validated():
    with pytest.raises(ValueError, match="embedding_size"):
        StylePredictor(0)
    with pytest.raises(ValueError, match="feature_layers"):
        StylePredictor(10, feature_layers=())


def test_attach_keeps_transformer_and_table_bit_for_bit(model):
    plain = StylizationModel(model.style_names, alpha=0.25)
    plain.transformer.set_weights(model.transformer.get_weights())
    plain.style_table.set_weights(model.style_table.get_weights())
    assert not plain.has_predictor and model.has_predictor
    for a, b in zip(plain.get_weights(), attach_predictor(
            plain, model.predictor).get_weights()):
        np.testing.assert_array_equal(a, b)


def test_model_with_predictor_saves_and_loads(model, painting, tmp_path):
    path = str(tmp_path / "m.keras")
    model.save_atomic(path)
    loaded = load_model(path, vgg_weights=VGG_WEIGHTS)
    assert loaded.predictor_config == model.predictor_config
    np.testing.assert_array_equal(loaded.predict_embeddings([painting]),
                                  model.predict_embeddings([painting]))
    renamed = table.rename_style(loaded, "ink", "sumi")  # keeps the predictor
    np.testing.assert_array_equal(renamed.predict_embeddings([painting]),
                                  model.predict_embeddings([painting]))


def test_saved_model_leaves_out_the_vgg_backbone(model, painting, tmp_path):
    """The .keras file holds the predictor's head only (VGG-19 up to
    block4_conv1 would be 3.5 M more parameters, 14 MB); the backbone comes
    back from the VGG-19 weights, or fails with a one-line error."""
    path = str(tmp_path / "m.keras")
    model.save_atomic(path)
    with zipfile.ZipFile(path) as archive, archive.open(
            "model.weights.h5") as weights, h5py.File(weights) as h5:
        stored = []
        h5.visititems(lambda name, item: stored.append(item.size)
                      if isinstance(item, h5py.Dataset) else None)
    head = sum(int(np.prod(w.shape)) for w in model.predictor.weights)
    others = sum(int(np.prod(w.shape)) for w in
                 model.transformer.weights + model.style_table.weights)
    assert sum(stored) == head + others
    assert model.predictor.backbone().count_params() > 3_000_000
    missing = load_model(path, vgg_weights=str(tmp_path / "no_vgg.h5"))
    with pytest.raises(MagentaStyleError, match="VGG-19 weights file not "
                       "found"):
        missing.predict_embeddings([painting])


def test_different_paintings_get_different_embeddings(model, painting):
    other = painting[::-1, ::-1] ** 2
    a, b = model.predict_embeddings([painting, other])
    assert np.abs(a - b).max() > 1e-3
    np.testing.assert_allclose(model.predict_embeddings(
        [(painting * 255).round().astype(np.uint8)])[0], a, atol=1e-2)


def test_strength_interpolates_from_the_photos_own_embedding(model, photo):
    own = model.predict_embeddings([photo])[0]
    target = model.embedding("oil")

    def direct(embedding):
        return model.transformer([photo[None], embedding[None]]).numpy()[0]

    np.testing.assert_allclose(model.stylize(photo, "oil", strength=1.0),
                               direct(target), atol=5e-4)
    np.testing.assert_allclose(model.stylize(photo, "oil", strength=0.0),
                               direct(own), atol=5e-4)
    np.testing.assert_allclose(model.stylize(photo, "oil", strength=0.25),
                               direct(own + 0.25 * (target - own)), atol=5e-4)
    many = model.stylize_styles(photo, ["ink", "oil"], strength=0.25)
    np.testing.assert_allclose(many[1], direct(own + 0.25 * (target - own)),
                               atol=5e-4)
    assert np.abs(direct(own) - direct(target)).max() > 0.05
    with pytest.raises(MagentaStyleError, match="strength"):
        model.stylize(photo, "oil", strength=1.5)


def test_blend_of_a_table_style_and_a_predicted_embedding(model, painting):
    predicted = model.predict_embeddings([painting])[0]
    blended = model.embedding([("wash", 1.0), (predicted, 3.0)])
    np.testing.assert_allclose(
        blended, 0.25 * table.table(model)[2] + 0.75 * predicted, atol=1e-6)
    np.testing.assert_allclose(model.embedding(predicted), predicted)
    for bad in ([("wash", 1.0), (2, 1.0)], [(predicted, -1.0)],
                [(predicted[:5], 1.0)], [(np.full_like(predicted, np.nan),
                                          1.0)], []):
        with pytest.raises(MagentaStyleError):
            model.embedding(bad)
    with pytest.raises(MagentaStyleError, match="not a table style"):
        model.style_weights([(predicted, 1.0)])


def test_a_model_without_predictor_says_so(photo):
    plain = StylizationModel(["a"], alpha=0.25)
    with pytest.raises(MagentaStyleError, match="no style predictor"):
        plain.predict_embeddings([photo])
    with pytest.raises(MagentaStyleError, match="no style predictor"):
        plain.stylize(photo, "a", strength=0.5)
