"""The transformer's size, shapes and value range."""

import keras
import numpy as np
import pytest

from magenta_style.network.blocks import ResidualBlock
from magenta_style.network.model import StylizationModel
from magenta_style.network.normalization import (
    ConditionalInstanceNormalization,
)
from magenta_style.network.transformer import build_transformer, transformer_flops
from magenta_style.rendering import plan as plan_module


# mobile: the 9×9×3×C first and 9×9×C×3 last kernels become 5×5×12×C and
# 3×3×C×3; the CIN layers, hence the embedding, are the paper's.
@pytest.mark.parametrize("architecture,alpha,weights,values", [
    ("paper", 1.0, 1_674_432, 3_206),
    ("paper", 0.25, 107_568, 806),
    ("mobile", 1.0, 1_674_432 + 25 * 12 * 32 + 9 * 32 * 3 - 2 * 81 * 3 * 32,
     3_206),
    ("mobile", 0.25, 107_568 + 25 * 12 * 8 + 9 * 8 * 3 - 2 * 81 * 3 * 8, 806),
])
def test_parameter_counts(architecture, alpha, weights, values):
    model = build_transformer(alpha, architecture)
    assert sum(int(np.prod(w.shape)) for w in model.weights) == weights
    assert model.embedding_layout.size == values
    assert model.input[1].shape[-1] == values


def test_mobile_network_stage_sizes(rng):
    """The mobile network works at 1/2 and 1/4 of the input's size, but for
    its last 3×3 convolution to RGB."""
    model = build_transformer(0.25, "mobile")
    names = ["encode_1", "encode_2", "encode_3", "residual_1", "decode_1",
             "decode_2", "to_rgb"]
    probe = keras.Model(model.inputs,
                        [model.get_layer(n).output for n in names])
    x = rng.random((1, 64, 96, 3), dtype=np.float32)
    e = model.embedding_layout.identity()[None]
    shapes = {n: tuple(y.shape[1:]) for n, y in zip(names, probe([x, e]))}
    assert shapes == {"encode_1": (32, 48, 8), "encode_2": (16, 24, 16),
                      "encode_3": (16, 24, 32), "residual_1": (16, 24, 32),
                      "decode_1": (16, 24, 16), "decode_2": (32, 48, 8),
                      "to_rgb": (64, 96, 3)}
    assert model.get_layer("to_rgb").conv.kernel.shape == (3, 3, 8, 3)


def test_conv_layers_have_no_bias():
    model = build_transformer(0.25)
    assert all("kernel" in w.path for w in model.weights)


@pytest.mark.parametrize("architecture", ["paper", "mobile"])
def test_output_has_the_input_shape_and_range_for_odd_sizes(architecture, rng):
    model = build_transformer(0.25, architecture)
    x = rng.random((1, 301, 457, 3), dtype=np.float32)
    e = model.embedding_layout.identity()[None]
    y = model([x, e]).numpy()
    assert y.shape == x.shape
    assert y.min() >= 0.0 and y.max() <= 1.0


@pytest.mark.parametrize("architecture,upsampling", [
    ("paper", "nearest"), ("mobile", "nearest"), ("mobile", "bilinear")])
def test_inference_training_and_tflite_graphs_compute_the_same(architecture,
                                                                upsampling,
                                                                rng):
    """Inference's ops (fused CIN, padding by row copies, the RGB
    convolution on pixel blocks), training's and the TFLite export's."""
    from export.convert import tflite_graph

    model = build_transformer(0.5, architecture, upsampling)
    x = rng.random((2, 37, 50, 3), dtype=np.float32)
    e = (model.embedding_layout.identity()[None] + rng.normal(
        0, 0.3, (2, model.embedding_layout.size))).astype(np.float32)
    inference = model([x, e]).numpy()
    np.testing.assert_allclose(model([x, e], training=True).numpy(),
                               inference, atol=1e-5)
    np.testing.assert_allclose(tflite_graph(model)([x, e]).numpy(),
                               inference, atol=1e-5)
    assert np.abs(inference[0] - inference[1]).max() > 1e-2


def test_bilinear_upsampling_changes_only_the_interpolation(rng):
    """The same weights under the other upsampling: the same layout and
    weight shapes, a different (smoother) pastiche."""
    nearest = build_transformer(0.25, "mobile")
    bilinear = build_transformer(0.25, "mobile", "bilinear")
    bilinear.set_weights(nearest.get_weights())
    x = rng.random((1, 32, 48, 3), dtype=np.float32)
    e = (nearest.embedding_layout.identity()[None] + rng.normal(
        0, 0.3, (1, nearest.embedding_layout.size))).astype(np.float32)
    a, b = nearest([x, e]).numpy(), bilinear([x, e]).numpy()
    assert np.abs(a - b).max() > 1e-2
    # Nearest repeats the half-resolution features in 2×2 blocks; bilinear
    # does not, so its pastiche has less energy between neighbouring pixels.
    def roughness(y):
        return np.abs(np.diff(y, axis=2)).mean()
    assert roughness(b) < roughness(a)


@pytest.mark.parametrize("pass_pixels",
                         [plan_module.PASS_PIXELS, 2 * 20 * 28])
def test_batched_styles_equal_one_style_at_a_time(rng, monkeypatch,
                                                  pass_pixels):
    # The second budget renders the three styles in passes of two and one.
    monkeypatch.setattr(plan_module, "PASS_PIXELS", pass_pixels)
    model = StylizationModel(["a", "b", "c"], alpha=0.25)
    model.style_table.table.assign(
        model.style_table.table.numpy() +
        rng.normal(0, 0.5, model.style_table.table.shape).astype(np.float32))
    image = rng.random((36, 44, 3), dtype=np.float32)
    together = model.stylize_styles(image)
    assert together.shape == (3, 36, 44, 3)
    for i, name in enumerate(model.style_names):
        np.testing.assert_allclose(together[i], model.stylize(image, name),
                                   atol=1e-5)
    assert np.abs(together[0] - together[1]).max() > 1e-3


@pytest.mark.parametrize("pixels, styles, per_pass", [
    (1024 * 768, 12, 1), (512 * 384, 12, 4), (256 * 192, 12, 12),
    (512 * 384, 7, 4), (4096 * 4096, 3, 1), (64 * 64, 1, 1)])
def test_pastiches_per_pass_keeps_a_pass_within_its_pixels(monkeypatch, pixels,
                                                       styles, per_pass):
    monkeypatch.setattr(plan_module, "PASS_PIXELS", 1024 * 1024)
    assert plan_module.pastiches_per_pass(pixels, styles) == per_pass
    assert per_pass * pixels <= plan_module.PASS_PIXELS or per_pass == 1


def test_blend_weights_are_normalised_and_validated():
    from magenta_style.errors import MagentaStyleError

    model = StylizationModel(["a", "b", "c"], alpha=0.25)
    np.testing.assert_allclose(model.style_weights({"a": 1, 2: 3}),
                               [0.25, 0, 0.75])
    for bad in ({"a": -1}, {"a": 0, "b": 0}, {"zz": 1}, {7: 1}):
        with pytest.raises(MagentaStyleError):
            model.style_weights(bad)


def test_every_cin_layer_reads_its_own_slot_in_network_order():
    model = build_transformer(0.25)
    cins = [layer for layer in model._flatten_layers()
            if isinstance(layer, ConditionalInstanceNormalization)]
    slots = sorted((c.offset, c.channels) for c in cins)
    layout = model.embedding_layout
    assert [c for _, c in slots] == list(layout.channels)
    ends = [o + 2 * c for o, c in slots]
    assert [o for o, _ in slots] == [0] + ends[:-1]  # contiguous, no overlap
    assert ends[-1] == layout.size == 806


def test_a_cin_slot_past_the_embedding_is_refused_when_built():
    layer = ConditionalInstanceNormalization(offset=4)
    with pytest.raises(ValueError, match="runs past the style embedding"):
        layer.build([(None, 8, 8, 3), (None, 9)])
    ConditionalInstanceNormalization(offset=3).build([(None, 8, 8, 3),
                                                       (None, 9)])


def test_residual_blocks_saved_with_one_offset_still_load():
    block = ResidualBlock.from_config({"filters": 4, "offset": 10,
                                       "name": "residual_1"})
    assert block.offsets == (10, 18)
    assert ResidualBlock.from_config(block.get_config()).offsets == (10, 18)


@pytest.mark.parametrize("architecture,alpha,per_pixel", [
    # paper: 9·9·3·32 + 9·32·64/4 + 9·64·128/16 + 10·9·128²/16 + 9·128·64/4
    #        + 9·64·32 + 9·9·32·3 multiply-adds per pixel, times 2.
    ("paper", 1.0, 2 * (7776 + 4608 + 4608 + 92160 + 18432 + 18432 + 7776)),
    # mobile: 5·5·12·8/4 + 9·8·16/16 + 9·16·32/16 + 10·9·32²/16
    #         + 9·32·16/16 + 9·16·8/4 + 9·8·3.
    ("mobile", 0.25, 2 * (600 + 72 + 288 + 5760 + 288 + 288 + 216)),
])
def test_transformer_flops_count_every_convolution(architecture, alpha,
                                                   per_pixel):
    transformer = build_transformer(alpha, architecture)
    assert transformer_flops(transformer, 256, 192) == per_pixel * 256 * 192
