"""Stylizing without TensorFlow: exported models (TFLite in LiteRT, ONNX in
onnxruntime) with the Keras model's styles, blends and strength, the
bundled exports, and the runtime-only install (a new virtualenv with
``pip install .`` and no extras, built once per test session)."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from conftest import (
    CONTENT_DIR,
    REPO,
    VGG_WEIGHTS,
    assert_one_line_error,
    run_cli,
)
from PIL import Image

from export import convert, convert_onnx, manifest
from magenta_style import constants
from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.images import open_image
from magenta_style.imaging.transforms import center_crop
from magenta_style.measurement import psnr
from magenta_style.network.model import (
    StylizationModel,
    attach_predictor,
    load_model,
)
from magenta_style.network.predictor import StylePredictor
from magenta_style.runtime import contract
from magenta_style.runtime.choice import chosen_runtime
from magenta_style.runtime.exported_model import (
    ExportedModel,
    load_exported_model,
)

@pytest.fixture(scope="module")
def predicting(vgg):
    """A random mobile model (alpha 0.25) with a random style predictor:
    nothing here depends on training, only on the two runtimes agreeing."""
    stylizer = StylizationModel(["ink", "oil", "wash"], alpha=0.25,
                                architecture="mobile")
    rng = np.random.default_rng(5)
    stylizer.style_table.table.assign(rng.normal(
        1.0, 0.3, stylizer.style_table.table.shape).astype(np.float32))
    return attach_predictor(stylizer, StylePredictor(stylizer.embedding_size,
                                                     vgg=vgg))


def export_folder(model, folder, model_format: str):
    """``model`` written as an export folder of ``model_format`` (float32
    weights), as the export commands write it."""
    if model_format == "tflite":
        files = {contract.MODEL_FILE: convert.convert(model.transformer,
                                                      "float32"),
                 contract.PREDICTOR_FILE: convert.convert_predictor(
                     model.predictor, "float32")}
    else:
        files = {contract.MODEL_FILES["onnx"]:
                 convert_onnx.convert_transformer(model.transformer),
                 contract.PREDICTOR_FILES["onnx"]:
                 convert_onnx.convert_predictor(model.predictor)}
    files[contract.MANIFEST_FILE] = json.dumps(manifest.build_manifest(
        model, "float32", (64, 64), "float32", model_format)).encode()
    os.makedirs(folder, exist_ok=True)
    for name, content in files.items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(content)
    return folder


@pytest.fixture(scope="module", params=contract.FORMATS)
def exported(request, predicting, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    return ExportedModel(export_folder(predicting, str(folder),
                                       request.param))


def test_center_crop_is_tensorflows_antialiased_resize():
    """The TF-free transform equals what the predictor and the training
    crops were made with (tf.image.resize, antialiased bilinear)."""
    image = open_image(os.path.join(CONTENT_DIR, "tubingen.jpg"))
    h, w = image.shape[:2]
    left = (w - h) // 2
    for size in (64, 256, 900):
        reference = np.clip(tf.image.resize(image[:, left:left + h],
                                            [size, size], antialias=True
                                            ).numpy(), 0, 1)
        np.testing.assert_allclose(center_crop(image, size), reference,
                                   atol=1e-4)  # a wrong filter: 1e-2


def test_exported_styles_blends_and_strength_match_keras(exported,
                                                         predicting):
    """Odd sizes, a table style, a three-way blend and an image style at
    strength 0.6: the export renders what Keras renders (float32 weights:
    over 70 dB; ONNX is exact to 1e-6)."""
    photo = open_image(os.path.join(CONTENT_DIR, "chicago.jpg"), max_side=61)
    painting = open_image(os.path.join(CONTENT_DIR, "tubingen.jpg"),
                          max_side=200)
    assert exported.style_names == predicting.style_names
    assert exported.network == predicting.network
    np.testing.assert_array_equal(exported.style_rows(),
                                  predicting.style_rows())
    ours_painted = exported.predict_embeddings([painting])[0]
    keras_painted = predicting.predict_embeddings([painting])[0]
    np.testing.assert_allclose(ours_painted, keras_painted,
                               atol=1e-3 * np.abs(keras_painted).max())
    blend = {"ink": 0.2, "oil": 0.5, "wash": 0.3}
    for ours_style, keras_style in (("oil", "oil"), (blend, blend),
                                    (ours_painted, keras_painted)):
        for strength in (1.0, 0.6):
            ours = exported.stylize(photo, ours_style, strength)
            reference = predicting.stylize(photo, keras_style, strength)
            assert ours.shape == photo.shape
            assert psnr(ours, reference) > 70, (keras_style, strength)


def test_exported_renders_several_styles_in_one_call(exported, predicting):
    photo = open_image(os.path.join(CONTENT_DIR, "chicago.jpg"), max_side=48)
    ours = exported.stylize_styles(photo, ["wash", "ink"])
    reference = predicting.stylize_styles(photo, ["wash", "ink"])
    assert ours.shape == (2, *photo.shape)
    assert min(psnr(a, b) for a, b in zip(ours, reference)) > 70
    assert psnr(ours[0], ours[1]) < 60  # two styles, two pastiches


def test_the_bundled_exports_are_the_bundled_models():
    """Each bundled export holds its .keras model's styles, records and
    predictor, and renders its pastiches (float16 weights: 60+ dB; through
    the dynamic-range predictor, at strength 0.5: 38+ dB)."""
    photo = open_image(os.path.join(CONTENT_DIR, "golden_gate.jpg"),
                       max_side=96)
    for name in constants.BUNDLED_MODELS:
        keras_model = load_model(name, vgg_weights=VGG_WEIGHTS)
        lite = load_exported_model(name)
        assert lite.style_names == keras_model.style_names
        assert lite.network == keras_model.network
        assert lite.has_predictor == keras_model.has_predictor
        np.testing.assert_array_equal(lite.style_rows(),
                                      keras_model.style_rows())
        for style in (0, keras_model.style_names[-1]):
            assert psnr(lite.stylize(photo, style),
                        keras_model.stylize(photo, style)) > 60, (name, style)
        assert psnr(lite.stylize(photo, 0, 0.5),
                    keras_model.stylize(photo, 0, 0.5)) > 38, name


def test_the_runtime_is_chosen_once_for_a_path(tmp_path):
    assert chosen_runtime(None, "auto") == "keras"  # TensorFlow is here
    assert chosen_runtime("fast", "exported") == "exported"
    (tmp_path / contract.MANIFEST_FILE).write_text("{}")
    assert chosen_runtime(str(tmp_path), "auto") == "exported"
    with pytest.raises(MagentaStyleError, match="is an exported model"):
        chosen_runtime(str(tmp_path), "keras")
    with pytest.raises(MagentaStyleError, match="not an exported model"):
        load_exported_model(str(tmp_path / "nowhere"))
    with pytest.raises(MagentaStyleError, match="not a version-1"):
        load_exported_model(str(tmp_path))


def test_stylize_runs_an_onnx_folder_and_refuses_tiles(predicting,
                                                       tmp_path):
    folder = export_folder(predicting, str(tmp_path / "onnx"), "onnx")
    photo = os.path.join(CONTENT_DIR, "hoovertowernight.jpg")
    done = run_cli("magenta_style.stylize", "--content", photo, "--model",
                   folder, "--output_dir", str(tmp_path / "out"),
                   "--styles", "oil", "--max_size", "64")
    assert done.returncode == 0, done.stderr
    assert "runtime: onnxruntime" in done.stdout
    written = np.asarray(Image.open(tmp_path / "out" /
                                    "hoovertowernight_oil.png"), np.float32)
    reference = predicting.stylize(open_image(photo, max_side=64), "oil")
    assert psnr(written / 255, reference) > 45  # 8-bit PNG
    assert_one_line_error(run_cli(
        "magenta_style.stylize", "--content", photo, "--model", folder,
        "--output_dir", str(tmp_path / "out"), "--tiled"),
        "tiled rendering", "magenta_style[train]")


@pytest.fixture(scope="session")
def runtime_python(tmp_path_factory):
    """A function running its arguments with the Python of a new
    runtime-only virtualenv (what ``pip install magenta_style`` gives a
    user: no TensorFlow), outside the checkout, so that the installed
    package, not the source, is imported."""
    venv = tmp_path_factory.mktemp("runtime") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    installed = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-input", REPO],
        capture_output=True, text=True, timeout=900)
    assert installed.returncode == 0, installed.stderr[-3000:]

    def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run([python, *args], capture_output=True,
                              text=True, timeout=600, **kwargs)
    return run


def test_runtime_install_has_no_tensorflow_and_stylizes_as_keras(
        runtime_python, tmp_path):
    """The README's first command, in the runtime-only install: the bundled
    default model's export, 40+ dB from the Keras path (this venv's)."""
    check = runtime_python("-c", "import importlib.util as u; print("
                           "u.find_spec('tensorflow'), u.find_spec('keras'))",
                           cwd=tmp_path)
    assert check.stdout.split() == ["None", "None"], check.stderr
    package = runtime_python("-c", "import magenta_style, os; print(os.path."
                             "dirname(magenta_style.__file__))",
                             cwd=tmp_path).stdout.strip()
    assert not [f for _, _, files in os.walk(package) for f in files
                if f.endswith(".keras")]  # the wheel leaves them out
    photo = os.path.join(CONTENT_DIR, "brad_pitt.jpg")
    done = runtime_python("-m", "magenta_style.stylize", "--content", photo,
                          "--output_dir", str(tmp_path / "lite"),
                          "--styles", "0,udnie", "--max_size", "256",
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "runtime: LiteRT" in done.stdout
    assert done.stderr == ""  # LiteRT's start-up notice is dropped
    keras_model = load_model()
    image = open_image(photo, max_side=256)
    for label, style in (("0", 0), ("udnie", "udnie")):
        name = keras_model.style_names[style] if label == "0" else label
        written = np.asarray(Image.open(tmp_path / "lite" /
                                        f"brad_pitt_{name}.png"), np.float32)
        assert psnr(written / 255, keras_model.stylize(image, style)) > 40


def test_runtime_install_names_the_extra_a_command_needs(runtime_python,
                                                        tmp_path):
    done = runtime_python("-m", "magenta_style.train", "--styles_dir",
                          str(tmp_path), "--content_dir", str(tmp_path),
                          "--output_dir", str(tmp_path / "run"),
                          cwd=tmp_path)
    assert_one_line_error(done, "needs tensorflow", "magenta_style[train]")
    done = runtime_python("-m", "magenta_style.stylize", "--content",
                          os.path.join(CONTENT_DIR, "chicago.jpg"),
                          "--output_dir", str(tmp_path), "--runtime",
                          "keras", cwd=tmp_path)
    assert_one_line_error(done, "Keras runtime needs TensorFlow",
                          "magenta_style[train]")
