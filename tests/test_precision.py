"""Stylizing in bfloat16: the same pastiches as float32 to within 40 dB, the
same weights, and "auto" choosing by what the CPU runs natively."""

import os

import numpy as np
from conftest import CONTENT_DIR, run_cli

from export.fidelity import psnr
from magenta_style.imaging.images import open_image
from magenta_style.network.model import load_model
from magenta_style.network.precision import (
    cpu_runs_bfloat16,
    inference_precision,
)


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


def test_auto_follows_the_cpu_and_the_cli_says_which(tmp_path):
    expected = "bfloat16" if cpu_runs_bfloat16() else "float32"
    assert inference_precision("auto") == expected
    process = run_cli("magenta_style.stylize", "--content",
                      os.path.join(CONTENT_DIR, "chicago.jpg"), "--styles",
                      "udnie", "--max_size", "64", "--output_dir",
                      str(tmp_path))
    assert process.returncode == 0, process.stderr[-2000:]
    assert f"precision: {expected}" in process.stdout
