"""Layer math against NumPy references, and Keras serialization."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from magenta_style.errors import MagentaStyleError
from magenta_style.network.blocked_convolution import SpaceToDepthConv2D
from magenta_style.network.blocks import ConvCIN, ResidualBlock
from magenta_style.network.embedding import EmbeddingLayout
from magenta_style.network.geometry import (
    CropToReference,
    PadToMultiple,
    ReflectionPadding2D,
    SpaceToDepth,
    Upsampling2D,
    mirror_pad,
)
from magenta_style.network.model import load_model
from magenta_style.network.normalization import (
    ConditionalInstanceNormalization,
)
from magenta_style.network.style_table import StyleTable


def numpy_cin(x, gamma, beta, eps=1e-5):
    """Reference: per image and channel normalisation over H, W."""
    mean = x.mean(axis=(1, 2), keepdims=True)
    var = x.var(axis=(1, 2), keepdims=True)
    return gamma[:, None, None, :] * (x - mean) / np.sqrt(var + eps) + \
        beta[:, None, None, :]


def test_cin_matches_numpy_reference(rng):
    x = rng.normal(3.0, 2.0, size=(2, 5, 7, 4)).astype(np.float32)
    offset = 3
    embedding = rng.normal(size=(2, offset + 8 + 2)).astype(np.float32)
    gamma = embedding[:, offset:offset + 4]
    beta = embedding[:, offset + 4:offset + 8]
    out = ConditionalInstanceNormalization(offset)([x, embedding]).numpy()
    np.testing.assert_allclose(out, numpy_cin(x, gamma, beta), atol=1e-4)


@pytest.mark.parametrize("channels", [3, 16])
@pytest.mark.parametrize("batch", [1, 3])
def test_cin_fused_and_separate_ops_both_match_numpy(channels, batch, rng):
    """Inference (the fused kernel from 8 channels, per image), training
    and the TFLite graph (separate ops) all give the reference values."""
    x = rng.normal(2.0, 3.0, size=(batch, 6, 9, channels)).astype(np.float32)
    embedding = rng.normal(size=(batch, 2 * channels)).astype(np.float32)
    ref = numpy_cin(x, embedding[:, :channels], embedding[:, channels:])
    layer = ConditionalInstanceNormalization(0)
    tflite = ConditionalInstanceNormalization(0, for_tflite=True)
    for out in (layer([x, embedding]), layer([x, embedding], training=True),
                tflite([x, embedding])):
        np.testing.assert_allclose(out.numpy(), ref, atol=1e-4)


def test_cin_inference_graph_has_no_loop():
    """A While loop in a branch of the batch-size tf.cond made Grappler log
    "topological sort failed" at every trace of a stylizing pass."""
    layer = ConditionalInstanceNormalization(0)
    graph = tf.function(lambda x, e: layer([x, e])).get_concrete_function(
        tf.TensorSpec([None, None, None, 16]),
        tf.TensorSpec([None, 32])).graph.as_graph_def()
    ops = {node.op for node in graph.node} | {
        node.op for function in graph.library.function
        for node in function.node_def}
    assert ops & {"If", "StatelessIf"}
    assert "FusedBatchNormV3" in ops
    assert not ops & {"While", "StatelessWhile"}


def test_instance_norm_with_identity_embedding_standardises(rng):
    x = rng.normal(5.0, 3.0, size=(3, 6, 6, 2)).astype(np.float32)
    embedding = EmbeddingLayout([2]).identity()[None].repeat(3, axis=0)
    out = ConditionalInstanceNormalization(0)([x, embedding]).numpy()
    np.testing.assert_allclose(out.mean(axis=(1, 2)), 0.0, atol=1e-5)
    np.testing.assert_allclose(out.std(axis=(1, 2)), 1.0, atol=1e-3)


def test_style_table_starts_at_identity_and_blends_convexly(rng):
    channels = [3, 2]
    table = StyleTable(3, channels)
    table.build()
    assert table.embedding_size == EmbeddingLayout(channels).size == 10
    np.testing.assert_array_equal(table.table.numpy()[1],
                                  [1, 1, 1, 0, 0, 0, 1, 1, 0, 0])
    rows = rng.normal(size=(3, 10)).astype(np.float32)
    table.table.assign(rows)
    weights = np.array([[0.2, 0.0, 0.8], [0.0, 1.0, 0.0]], np.float32)
    out = table(weights).numpy()
    np.testing.assert_allclose(out[0], 0.2 * rows[0] + 0.8 * rows[2], atol=1e-6)
    np.testing.assert_array_equal(out[1], rows[1])


def test_blended_embedding_blends_gamma_and_beta_of_cin(rng):
    """CIN fed a blended embedding uses γ = Σwγᵢ and β = Σwβᵢ."""
    x = rng.normal(size=(1, 4, 4, 3)).astype(np.float32)
    e1, e2 = rng.normal(size=(2, 1, 6)).astype(np.float32)
    w = 0.3
    layer = ConditionalInstanceNormalization(0)
    blended = layer([x, w * e1 + (1 - w) * e2]).numpy()
    gamma = w * e1[:, :3] + (1 - w) * e2[:, :3]
    beta = w * e1[:, 3:] + (1 - w) * e2[:, 3:]
    np.testing.assert_allclose(blended, numpy_cin(x, gamma, beta), atol=1e-4)


@pytest.mark.parametrize("training", [False, True])
def test_reflection_padding_matches_numpy(training, rng):
    x = rng.normal(size=(1, 5, 6, 2)).astype(np.float32)
    out = ReflectionPadding2D(2)(x, training=training).numpy()
    ref = np.pad(x, [(0, 0), (2, 2), (2, 2), (0, 0)], mode="reflect")
    np.testing.assert_array_equal(out, ref)


@pytest.mark.parametrize("with_slices", [False, True])
def test_mirror_pad_matches_numpy_either_way(with_slices, rng):
    """Training's MirrorPad and inference's slices give numpy's reflect pad."""
    x = rng.normal(size=(2, 6, 9, 3)).astype(np.float32)
    ref = np.pad(x, [(0, 0), (3, 1), (0, 4), (0, 0)], mode="reflect")
    out = mirror_pad(x, 3, 1, 0, 4, with_slices).numpy()
    np.testing.assert_array_equal(out, ref)


@pytest.mark.parametrize("kernel_size,h,w", [(9, 20, 17), (3, 7, 10),
                                              (1, 5, 6)])
def test_space_to_depth_conv_equals_the_convolution(kernel_size, h, w, rng):
    """The same values and kernel gradient as tf.nn.conv2d, odd sizes too."""
    x = tf.constant(rng.normal(size=(2, h, w, 5)).astype(np.float32))
    layer = SpaceToDepthConv2D(3, kernel_size, use_bias=False)
    layer.build(x.shape)
    kernel = layer.kernel
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        out = layer(x)
        ref = tf.nn.conv2d(x, kernel, 1, "VALID")
    assert out.shape == ref.shape == layer.compute_output_shape(x.shape)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), atol=1e-5)
    for wrt in (kernel, x):
        np.testing.assert_allclose(tape.gradient(out, wrt).numpy(),
                                   tape.gradient(ref, wrt).numpy(),
                                   atol=1e-4)


def test_space_to_depth_conv_refuses_what_it_cannot_compute():
    for kwargs in ({"kernel_size": 4}, {"kernel_size": 3, "strides": 2},
                   {"kernel_size": 3, "padding": "same"}):
        with pytest.raises(ValueError, match="odd-sized"):
            SpaceToDepthConv2D(3, **kwargs)


def test_conv_cin_blocks_few_filters_except_for_tflite():
    assert isinstance(ConvCIN(3, 9, 0).conv, SpaceToDepthConv2D)
    assert type(ConvCIN(3, 9, 0, for_tflite=True).conv) is keras.layers.Conv2D
    assert type(ConvCIN(32, 9, 0).conv) is keras.layers.Conv2D


def test_configs_of_models_saved_with_pad_with_slices_still_load():
    for layer_class, config in (
            (ConvCIN, {"filters": 3, "kernel_size": 3, "offset": 0}),
            (ResidualBlock, {"filters": 4, "offsets": [0, 8]}),
            (PadToMultiple, {"multiple": 4})):
        layer = layer_class.from_config({**config, "pad_with_slices": False})
        assert "pad_with_slices" not in layer.get_config()


def test_space_to_depth_matches_numpy(rng):
    x = rng.normal(size=(2, 6, 4, 3)).astype(np.float32)
    out = SpaceToDepth(2)(x).numpy()
    # Channel index (row in block, column in block, colour), as TFLite's.
    ref = x.reshape(2, 3, 2, 2, 2, 3).transpose(0, 1, 3, 2, 4, 5)
    np.testing.assert_array_equal(out, ref.reshape(2, 3, 2, 12))


def test_nearest_upsampling_repeats_pixels(rng):
    x = rng.normal(size=(2, 3, 5, 4)).astype(np.float32)
    out = Upsampling2D(2)(x).numpy()
    np.testing.assert_array_equal(out, x.repeat(2, axis=1).repeat(2, axis=2))


def numpy_bilinear(x, factor):
    """Reference: each output pixel centre mapped back to the input's
    ((i + ½) / factor − ½, clamped to the image), linear between the two
    input pixels around it, along H then W."""
    def along(x, axis):
        n = x.shape[axis]
        src = np.clip((np.arange(n * factor) + 0.5) / factor - 0.5, 0, n - 1)
        low = np.floor(src).astype(int)
        high = np.minimum(low + 1, n - 1)
        t = (src - low).reshape([-1 if a == axis else 1
                                 for a in range(x.ndim)])
        return (np.take(x, low, axis) * (1 - t) + np.take(x, high, axis) * t)
    return along(along(x, 1), 2)


def test_bilinear_upsampling_matches_numpy(rng):
    x = rng.normal(size=(2, 3, 5, 4)).astype(np.float32)
    out = Upsampling2D(2, "bilinear")(x).numpy()
    np.testing.assert_allclose(out, numpy_bilinear(x, 2), atol=1e-5)
    # Not the nearest one: every interior output mixes two input pixels.
    assert np.abs(out - x.repeat(2, axis=1).repeat(2, axis=2)).max() > 0.1


def test_upsampling_refuses_an_unknown_interpolation():
    with pytest.raises(MagentaStyleError, match="unknown upsampling 'cubic'"):
        Upsampling2D(2, "cubic")
    with pytest.raises(MagentaStyleError, match="unknown upsampling"):
        ConvCIN(3, 3, 0, upsample=True, interpolation="area")


@pytest.mark.parametrize("h,w", [(5, 7), (8, 8), (301, 457)])
def test_pad_to_multiple_then_crop_restores_input(h, w, rng):
    x = rng.normal(size=(1, h, w, 3)).astype(np.float32)
    padded = PadToMultiple(4)(x).numpy()
    assert padded.shape[1] % 4 == 0 and padded.shape[2] % 4 == 0
    assert padded.shape[1] - h < 4 and padded.shape[2] - w < 4
    np.testing.assert_array_equal(CropToReference()([padded, x]).numpy(), x)


@pytest.mark.parametrize("layer", [
    ReflectionPadding2D(3), Upsampling2D(2), Upsampling2D(3, "bilinear"),
    PadToMultiple(4),
    SpaceToDepth(2),
    ConditionalInstanceNormalization(12, epsilon=1e-3, for_tflite=True),
    StyleTable(4, [8, 3]),
    ConvCIN(3, 5, 6, strides=2, upsample=True, activation="sigmoid"),
    ConvCIN(4, 3, 2, upsample=True, interpolation="bilinear"),
    ConvCIN(3, 9, 0, for_tflite=True), ResidualBlock(4, [0, 8]),
    SpaceToDepthConv2D(3, 9, use_bias=False),
])
def test_layers_round_trip_through_config(layer):
    config = keras.layers.serialize(layer)
    clone = keras.layers.deserialize(config)
    assert type(clone) is type(layer)
    assert clone.get_config() == layer.get_config()


OLD_LAYOUT_MODEL = os.path.join(os.path.dirname(__file__), "data",
                                "mobile_saved_before_layer_split.keras")


def test_models_saved_when_the_layers_were_one_module_still_load():
    """A model saved at git 7e874d5, when network.layers held every layer,
    renders what it rendered then (its pastiche in style "two" of a fixed
    random 32×48 image, stored beside it) with the split modules."""
    old = load_model(OLD_LAYOUT_MODEL)
    assert type(old.transformer.get_layer("encode_1")).__module__ == (
        "magenta_style.network.blocks")
    x = np.random.default_rng(1).random((1, 32, 48, 3)).astype(np.float32)
    expected = np.load(OLD_LAYOUT_MODEL.replace(".keras", "_two.npy"))
    assert np.std(expected) > 1e-3  # a real pastiche, not a constant
    np.testing.assert_allclose(old.stylize(x, "two"), expected, atol=1e-6)
