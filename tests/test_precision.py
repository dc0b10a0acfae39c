"""Stylizing in bfloat16: the same pastiches as float32 to within 40 dB, the
same weights, and "auto" choosing by what the CPU runs natively."""

import os

import numpy as np
from conftest import CONTENT_DIR, PHOTOS_DIR, STYLES_DIR, VGG_WEIGHTS, run_cli

from magenta_style.imaging.images import open_image
from magenta_style.measurement import psnr
from magenta_style.network import precision
from magenta_style.network.model import load_model
from magenta_style.training.config import TrainConfig


def test_bfloat16_pastiches_match_float32():
    exact = load_model()
    fast = load_model(precision="bfloat16")
    assert fast.transformer.dtype_policy.compute_dtype == "bfloat16"
    for a, b in zip(exact.get_weights(), fast.get_weights()):
        np.testing.assert_array_equal(a, b)
    photo = open_image(os.path.join(CONTENT_DIR, "chicago.jpg"), max_side=96)
    every, rounded = exact.stylize_styles(photo), fast.stylize_styles(photo)
    assert rounded.dtype == np.float32
    scores = [psnr(a, b) for a, b in zip(every, rounded)]
    assert min(scores) >= 40.0, scores
    assert max(scores) < 90.0  # it did compute in another precision


CPUINFO = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f {extra}\n"


def test_auto_is_bfloat16_only_where_the_cpu_has_it(tmp_path, monkeypatch):
    for extra, expected in (("", "float32"), ("avx512_bf16", "bfloat16"),
                            ("amx_bf16 amx_tile", "bfloat16"),
                            ("avx512_bf16x", "float32")):
        cpuinfo = tmp_path / f"cpuinfo{len(extra)}"
        cpuinfo.write_text(CPUINFO.format(extra=extra))
        monkeypatch.setattr(precision, "_CPUINFO", str(cpuinfo))
        assert precision.resolve_precision("auto") == expected, extra


def test_runs_recorded_with_keras_policy_names_still_read():
    config = TrainConfig.from_dict({"precision": "mixed_bfloat16"})
    assert config.precision == "bfloat16"
    assert precision.POLICIES[config.precision] == "mixed_bfloat16"


def test_the_cli_says_which_precision_auto_chose(tmp_path):
    expected = precision.resolve_precision("auto")
    process = run_cli("magenta_style.stylize", "--content",
                      os.path.join(CONTENT_DIR, "chicago.jpg"), "--styles",
                      "udnie", "--max_size", "64", "--output_dir",
                      str(tmp_path))
    assert process.returncode == 0, process.stderr[-2000:]
    assert f"precision: {expected}" in process.stdout


def test_a_training_run_gives_back_the_callers_policy(tmp_path):
    """A run in bfloat16 builds and trains under mixed_bfloat16, then leaves
    the process's policy as it found it: later models compute in float32."""
    import keras
    import tensorflow as tf

    from magenta_style.imaging.folders import load_style_image
    from magenta_style.network.model import StylizationModel
    from magenta_style.training.loop import train
    from magenta_style.training.pipeline import PhotoFolder

    config = TrainConfig(image_size=32, batch_size=1, steps=1,
                         checkpoint_every=1, precision="bfloat16",
                         vgg_weights=VGG_WEIGHTS)
    seen = []

    def build():
        seen.append(keras.mixed_precision.global_policy().name)
        return StylizationModel(["udnie"], alpha=0.25)

    assert keras.mixed_precision.global_policy().name == "float32"
    path = train(config, build, [load_style_image(
        os.path.join(STYLES_DIR, "udnie.jpg"), 64)], PhotoFolder(PHOTOS_DIR),
        str(tmp_path), tf.distribute.get_strategy())
    assert seen == ["mixed_bfloat16"]
    assert keras.mixed_precision.global_policy().name == "float32"
    assert load_model(path).transformer.dtype_policy.compute_dtype == "float32"

