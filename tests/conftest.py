"""Shared fixtures: the real data beside the checkout (../shared/data)."""

import os
import subprocess
import sys

import numpy as np
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("MAGENTA_STYLE_DATA",
                      os.path.join(os.path.dirname(REPO), "shared", "data"))
VGG_WEIGHTS = os.path.join(DATA, "vgg19_notop.h5")
STYLES_DIR = os.path.join(DATA, "styles")
CONTENT_DIR = os.path.join(DATA, "content")
PHOTOS_DIR = os.path.join(DATA, "photos")
# The Android app's committed assets (export.to_tflite --android_assets).
ANDROID_ASSETS = os.path.join(REPO, "android_demo", "app", "src", "main",
                              "assets")

# Largest difference, on a 0..1 pixel, between a float32 TFLite pastiche and
# Keras' for the same input and embedding. The two runtimes sum the same
# convolutions in different orders (XNNPACK against oneDNN, whose kernels
# differ between CPUs): 1.2e-4 was seen on a CI machine, against 9e-5 here.
# A wrong embedding, blend or layer moves pixels by 1e-2 or more.
FLOAT32_TFLITE_ERROR = 5e-4


@pytest.fixture(scope="session")
def vgg():
    """The real VGG-19 ImageNet weights, loaded once."""
    from magenta_style.objective.vgg import load_vgg19

    assert os.path.isfile(VGG_WEIGHTS), f"missing {VGG_WEIGHTS}"
    return load_vgg19(VGG_WEIGHTS)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def run_cli(module: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    """Runs ``python -m module args`` and returns the finished process."""
    env = {**os.environ, "PYTHONPATH": REPO, **kwargs.pop("env", {})}
    return subprocess.run([sys.executable, "-m", module, *args], cwd=REPO,
                          env=env, capture_output=True, text=True,
                          timeout=kwargs.pop("timeout", 600), **kwargs)


def error_lines(process: subprocess.CompletedProcess) -> list[str]:
    """The stderr lines our tools print for user errors."""
    return [l for l in process.stderr.splitlines() if l.startswith("error: ")]


def assert_one_line_error(process: subprocess.CompletedProcess,
                          *fragments: str) -> None:
    """A failed run that printed one ``error:`` line holding ``fragments``."""
    assert process.returncode != 0
    lines = error_lines(process)
    assert len(lines) == 1, process.stderr[-2000:]
    assert "Traceback" not in process.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
