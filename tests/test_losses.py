"""Loss math against NumPy, and the VGG-19 loss network on real weights."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from magenta_style.errors import MagentaStyleError
from magenta_style.objective.losses import (
    LossConfig,
    PerceptualLoss,
    gram_matrix,
    mean_squared_error,
)
from magenta_style.objective.vgg import build_feature_extractor


def test_gram_matrix_matches_numpy(rng):
    f = rng.normal(size=(2, 3, 5, 4)).astype(np.float32)
    flat = f.reshape(2, 15, 4)
    ref = np.einsum("bnc,bnd->bcd", flat, flat) / 15
    np.testing.assert_allclose(gram_matrix(f).numpy(), ref, rtol=1e-5, atol=1e-6)


def test_gram_matrix_gradient_matches_numpy(rng):
    f = rng.normal(size=(2, 3, 5, 4)).astype(np.float32)
    weights = rng.normal(size=(2, 4, 4)).astype(np.float32)  # not symmetric
    features = tf.constant(f)
    with tf.GradientTape() as tape:
        tape.watch(features)
        loss = tf.reduce_sum(gram_matrix(features) * weights)
    flat = f.reshape(2, 15, 4)
    ref = np.einsum("bnc,bdc->bnd", flat, weights + weights.transpose(0, 2, 1))
    np.testing.assert_allclose(tape.gradient(loss, features).numpy(),
                               ref.reshape(f.shape) / 15, rtol=1e-5, atol=1e-6)


def test_mean_squared_error_is_per_example(rng):
    a, b = rng.normal(size=(2, 3, 4, 5, 6)).astype(np.float32)
    np.testing.assert_allclose(mean_squared_error(a, b).numpy(),
                               ((a - b) ** 2).mean(axis=(1, 2, 3)), rtol=1e-5)


def test_loss_config_broadcasts_and_validates_weights():
    cfg = LossConfig(style_layers=("block1_conv1", "block2_conv1"),
                     style_weights=(0.5,))
    assert cfg.style_weights == (0.5, 0.5)
    assert LossConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(MagentaStyleError):
        LossConfig(style_layers=("block1_conv1",), style_weights=(1.0, 2.0))
    with pytest.raises(MagentaStyleError):
        LossConfig(style_weights=(-1.0,))


def test_feature_extractor_preprocesses_like_keras_and_stops_early(vgg, rng):
    extractor = build_feature_extractor(vgg, ["block2_conv1"])
    names = [layer.name for layer in extractor.layers]
    assert "block2_conv1" in names and "block2_conv2" not in names
    image = rng.random((1, 32, 32, 3), dtype=np.float32)
    reference = keras.Model(vgg.input, vgg.get_layer("block2_conv1").output)(
        keras.applications.vgg19.preprocess_input(image * 255.0))
    np.testing.assert_allclose(extractor(image)["block2_conv1"].numpy(),
                               reference.numpy(), rtol=1e-4, atol=1e-2)


def test_unknown_layer_is_a_clear_error(vgg):
    with pytest.raises(MagentaStyleError, match="block9_conv1"):
        build_feature_extractor(vgg, ["block9_conv1"])


def test_perceptual_losses_match_numpy_and_vanish_on_targets(vgg, rng):
    cfg = LossConfig(content_layers=("block2_conv2",), content_weights=(2.0,),
                     style_layers=("block1_conv1", "block2_conv1"),
                     style_weights=(3.0, 0.5))
    loss = PerceptualLoss(vgg, cfg)
    content = rng.random((2, 24, 24, 3), dtype=np.float32)
    style = rng.random((16, 20, 3), dtype=np.float32)
    pastiche = rng.random((2, 24, 24, 3), dtype=np.float32)

    grams = loss.style_grams([style])
    targets = {k: np.repeat(v.numpy(), 2, axis=0) for k, v in grams.items()}
    content_features = loss.content_features(content)
    out = loss.losses(pastiche, content_features, targets)

    features = loss.extractor(pastiche)
    f_style = loss.extractor(style[None])
    expected_style = 0.0
    for name, w in zip(cfg.style_layers, cfg.style_weights):
        f = features[name].numpy().reshape(2, -1, features[name].shape[-1])
        s = f_style[name].numpy().reshape(1, -1, f_style[name].shape[-1])
        g = np.einsum("bnc,bnd->bcd", f, f) / f.shape[1]
        t = np.einsum("bnc,bnd->bcd", s, s) / s.shape[1]
        expected_style = expected_style + w * ((g - t) ** 2).mean(axis=(1, 2))
    c = features["block2_conv2"].numpy() - content_features["block2_conv2"].numpy()
    expected_content = 2.0 * (c ** 2).mean(axis=(1, 2, 3))
    np.testing.assert_allclose(out["style"].numpy(), expected_style, rtol=1e-3)
    np.testing.assert_allclose(out["content"].numpy(), expected_content,
                               rtol=1e-4)
    assert out["style"].numpy().min() > 0

    same = loss.losses(content, content_features,
                       {k: v.numpy() for k, v in loss.style_grams(content).items()})
    np.testing.assert_allclose(same["content"].numpy(), 0.0, atol=1e-6)
    np.testing.assert_allclose(same["style"].numpy(), 0.0, atol=1e-2)
