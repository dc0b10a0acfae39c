"""The Android core (pure JVM) against the Python implementation.

Runs the JVM unit tests, then lets the JVM blend embeddings from an exported
manifest, turn a fixed pixel array into the model's input, read the manifest's
style predictor and turn pictures into its input, and import style files;
checks all of it against Python and runs the exported model and predictor
.tflite files on the JVM's inputs against Keras.
"""

import base64
import json
import math
import os
import subprocess

import numpy as np
import pytest
from conftest import ANDROID_ASSETS, CONTENT_DIR, FLOAT32_TFLITE_ERROR, \
    REPO

from export import convert, manifest
from magenta_style.errors import MagentaStyleError
from magenta_style.network.model import StylizationModel, attach_predictor
from magenta_style.network.predictor import StylePredictor
from magenta_style.runtime import contract, sessions
from magenta_style.runtime.contract import (
    EMBEDDING_INPUT,
    PREDICTOR_IMAGE_SIZE,
    PREDICTOR_INPUT,
    predictor_view,
)
from magenta_style.runtime.controls import CONTROL_POINTS
from magenta_style.stylebook import style_file
from magenta_style.stylebook import table as stylebook_table

SCRIPT = os.path.join(REPO, "android_demo", "run_jvm_tests.sh")
# PSNR (dB) of a float16 export against its Keras network: measured 89-90
# (README, "TFLite export"); 40 leaves room for any CPU's rounding.
MIN_ASSET_PSNR_DB = 40.0


@pytest.fixture(scope="module")
def model():
    """Three styles, the first two with (random) stroke and intensity
    points."""
    stylizer = StylizationModel(["ink", "oil", "wash"], alpha=0.25)
    table = stylizer.style_table.table
    rng = np.random.default_rng(5)
    table.assign(table.numpy() + rng.normal(0, 0.4, table.shape).astype(
        np.float32))
    points = {p: stylebook_table.table(stylizer)[:2] + rng.normal(
        0, 0.4, (2, stylizer.embedding_size)).astype(np.float32)
        for p in CONTROL_POINTS}
    return stylebook_table.with_controls(stylizer, ["ink", "oil"], points,
                                         {"steps": 1})


@pytest.fixture(scope="module")
def predicting(model, vgg):
    """``model`` with an untrained style predictor: the contract is about
    names, shapes and pixels, not about good styles."""
    return attach_predictor(model, StylePredictor(model.embedding_size,
                                                  vgg=vgg))


@pytest.fixture(scope="module")
def exported(predicting):
    """The manifest the export writes for ``predicting``."""
    return manifest.build_manifest(predicting, "float32", (384, 384),
                                   "float32", camera_model=True)


def rgb(argb) -> np.ndarray:
    """Unsigned ARGB numbers → float32 RGB [N, 3] in [0, 1]: channel / 255."""
    argb = np.asarray(argb, np.uint64)
    channels = np.stack([(argb >> 16) & 255, (argb >> 8) & 255, argb & 255],
                        -1)
    return channels.astype(np.float32) / np.float32(255)


def write_style_file(path, name, embedding, network):
    """A .style.json file of ``embedding`` made for ``network``."""
    values = np.asarray(embedding, "<f2")
    path.write_text(json.dumps({
        "format": "magenta_style.style", "format_version": 1, "name": name,
        "embedding_size": len(values), "dtype": "float16",
        "byte_order": "little",
        "embedding": base64.b64encode(values.tobytes()).decode("ascii"),
        "metadata": {"source": f"{name}.jpg", **network}}))
    return str(path)


@pytest.fixture(scope="module")
def style_files(model, tmp_path_factory):
    """One style file exported from ``model`` (by the style library, as users
    make them) and three made for other networks."""
    folder = tmp_path_factory.mktemp("style_files")
    wide = StylizationModel(["wide"], alpha=1.0)
    own = model.embedding(0)
    fits = folder / "fits.style.json"
    exported = style_file.export_style(model, 0)
    style_file.write_style_file({**exported, "name": "fits"}, str(fits))
    return {
        "fits": str(fits),
        "mobile": write_style_file(folder / "mobile.style.json", "mobile", own,
                                   {**model.network, "architecture": "mobile"}),
        "alpha": write_style_file(folder / "alpha.style.json", "alpha", own,
                                  {**model.network, "alpha": 1.0}),
        "wide": write_style_file(folder / "wide.style.json", "wide",
                                 wide.embedding(0), wide.network),
    }


def run_contract(exported_manifest, folder, style_paths=()):
    """Runs the JVM tests and the JVM side of the contract on a manifest;
    returns its JSON."""
    manifest_path = folder / contract.MANIFEST_FILE
    manifest_path.write_text(json.dumps(exported_manifest))
    out = folder / "jvm.json"
    process = subprocess.run(["bash", SCRIPT, "--contract", str(manifest_path),
                              str(out), *style_paths],
                             capture_output=True, text=True, timeout=900)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert "OK (" in process.stdout  # JUnit's summary: every JVM test passed
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def jvm(exported, style_files, tmp_path_factory):
    """The JVM side of the contract on the manifest of ``predicting``."""
    return run_contract(exported, tmp_path_factory.mktemp("contract"),
                        style_files.values())


def test_jvm_blends_equal_python_bit_for_bit(exported, jvm):
    styles = [np.asarray(s["embedding"], np.float32)
              for s in exported["styles"]]
    for key in ("blend_2", "blend_3"):
        spec = jvm[f"{key}_spec"]
        python = manifest.blend_embeddings([styles[i] for i in spec["styles"]],
                                           spec["weights"])
        np.testing.assert_array_equal(np.asarray(jvm[key], np.float32), python)


def test_jvm_pixels_equal_python_conversion(jvm):
    pixels = jvm["pixels"]
    python = rgb(pixels["argb"])
    jvm_tensor = np.asarray(pixels["tensor"], np.float32).reshape(
        pixels["height"], pixels["width"], 3)
    python = python.reshape(pixels["height"], pixels["width"], 3)
    assert np.abs(jvm_tensor - python).max() <= 1 / 255
    np.testing.assert_array_equal(jvm_tensor, python)

    values = np.clip(np.asarray(jvm["to_argb"]["tensor"], np.float32), 0, 1)
    bytes_ = np.floor(values.astype(np.float64) * 255 + 0.5).astype(np.uint64)
    r, g, b = bytes_.reshape(-1, 3).T
    expected = 0xFF000000 | (r << 16) | (g << 8) | b
    np.testing.assert_array_equal(np.asarray(jvm["to_argb"]["argb"], np.uint64),
                                  expected)


def test_jvm_input_sizes_keep_aspect_in_multiples_of_four(jvm):
    for width, height, long_side, w, h in jvm["fit_sizes"]:
        scale = long_side / max(width, height)
        assert w == max(4, 4 * math.floor(width * scale / 4 + 0.5))
        assert h == max(4, 4 * math.floor(height * scale / 4 + 0.5))
        assert max(w, h) == long_side


def test_style_files_fit_on_both_sides_alike(exported, jvm, style_files):
    refusals = {}
    for key, path in style_files.items():
        imported = jvm["style_files"][path]
        try:
            entry = manifest.add_style_file(exported, path)["styles"][-1]
        except MagentaStyleError as error:
            refusals[key] = imported["refused"]
            assert imported["refused"] == str(error)
        else:
            assert "refused" not in imported, imported["refused"]
            np.testing.assert_array_equal(
                np.asarray(imported["embedding"], np.float32),
                np.asarray(entry["embedding"], np.float32))
            points = [entry["controls"][p] for p in CONTROL_POINTS] if (
                "controls" in entry) else None
            assert (imported["points"] is None) == (points is None)
            if points is not None:
                np.testing.assert_array_equal(
                    np.asarray(imported["points"], np.float32),
                    np.asarray(points, np.float32))
    assert sorted(refusals) == ["alpha", "mobile", "wide"]
    assert "architecture mobile" in refusals["mobile"]
    assert "alpha 1.0" in refusals["alpha"]
    assert "alpha 1)" in refusals["wide"]


def test_tflite_on_jvm_inputs_matches_keras(model, jvm):
    flatbuffer = convert.convert(model.transformer, "float32")
    runner = sessions.open_session(flatbuffer)
    pixels = jvm["pixels"]
    content = np.asarray(pixels["tensor"], np.float32).reshape(
        1, pixels["height"], pixels["width"], 3)
    embedding = np.asarray(jvm["blend_3"], np.float32)[None]
    lite = sessions.render(runner, content, embedding)
    keras_out = model.stylize(content, {"ink": 1, "oil": 2, "wash": 1})
    assert lite.shape == content.shape
    assert np.abs(lite - keras_out).max() <= FLOAT32_TFLITE_ERROR
    equal_weights = model.stylize(content, {"ink": 1, "oil": 1, "wash": 1})
    assert np.abs(lite - equal_weights).max() > 10 * FLOAT32_TFLITE_ERROR


def test_jvm_reads_the_predictor_section(exported, jvm):
    section = exported["predictor"]
    image = section["inputs"][PREDICTOR_INPUT]
    embedding = section["outputs"][EMBEDDING_INPUT]
    parsed = {key: value for key, value in jvm["predictor"].items()
              if key != "views"}
    assert parsed == {
        "model_file": section["model_file"],
        "signature": section["signature"],
        "input": image["name"], "input_side": image["shape"][1],
        "output": embedding["name"], "embedding_size": embedding["shape"][1]}
    assert parsed["input_side"] == PREDICTOR_IMAGE_SIZE
    assert parsed["embedding_size"] == exported["embedding_size"]


def test_jvm_stroke_and_strength_blends_equal_python_bit_for_bit(predicting,
                                                                 jvm):
    assert jvm["controlled"], "the JVM saw no controls in the manifest"
    for case in jvm["controlled"]:
        python = predicting.embedding([(0, 0.3), (1, 0.7)], case["stroke"],
                                      max(case["strength"], 1.0))
        np.testing.assert_array_equal(
            np.asarray(case["embedding"], np.float32), python,
            err_msg=f"stroke {case['stroke']}, strength {case['strength']}")


def test_manifest_without_predictor_has_none_on_the_jvm(model, tmp_path):
    plain = manifest.build_manifest(model, "float32", (384, 384))
    assert plain["predictor"] is None
    jvm = run_contract(plain, tmp_path)
    assert jvm["predictor"] is None
    # Without a camera network the app's camera films with the model.
    assert jvm["camera_model_file"] == jvm["model_file"] == contract.MODEL_FILE


def test_jvm_films_with_the_manifests_camera_network(exported, jvm):
    assert exported["camera_model_file"] == contract.CAMERA_MODEL_FILE
    assert jvm["camera_model_file"] == contract.CAMERA_MODEL_FILE
    assert jvm["model_file"] == contract.MODEL_FILE


def views(jvm):
    """(picture [H, W, 3], the JVM's predictor input [S, S, 3]) pairs."""
    side = jvm["predictor"]["input_side"]
    return [(rgb(view["argb"]).reshape(view["height"], view["width"], 3),
             np.asarray(view["tensor"], np.float32).reshape(side, side, 3))
            for view in jvm["predictor"]["views"]]


def test_jvm_predictor_input_is_python_predictor_view(jvm):
    # Measured: bit for bit (max difference 0) against the x86-64 TensorFlow
    # wheel, whose resize kernel sums the same float32 products in the same
    # order. 1e-6 (about 8 float32 ulps at 1.0) leaves room for a TensorFlow
    # build that fuses those multiply-adds (FMA), as aarch64 builds may.
    for picture, jvm_view in views(jvm):
        difference = np.abs(jvm_view - predictor_view(picture))
        assert difference.max() <= 1e-6, difference.max()


def test_tflite_predictor_on_jvm_views_matches_keras(predicting, jvm):
    parsed = jvm["predictor"]
    flatbuffer = convert.convert_predictor(predicting.predictor, "float32")
    runner = sessions.interpreter(flatbuffer).get_signature_runner(
        parsed["signature"])
    for picture, jvm_view in views(jvm):
        lite = runner(**{parsed["input"]: jvm_view[None]})[parsed["output"]]
        keras_embedding = predicting.predict_embeddings([picture])
        assert lite.shape == (1, parsed["embedding_size"])
        # Measured: 6e-5 of the largest value (float32 XNNPACK against Keras).
        scale = np.abs(keras_embedding).max()
        assert np.abs(lite - keras_embedding).max() <= 5e-4 * scale


def test_the_apps_assets_are_the_fast_and_video_networks(tmp_path):
    """The committed assets: the JVM reads their manifest, photos render
    with the bundled fast network and the camera with the bundled video
    network (each .tflite against its Keras network, and farther from the
    other one)."""
    from magenta_style import constants
    from magenta_style.imaging.images import open_image
    from magenta_style.measurement import psnr
    from magenta_style.network.model import load_model

    assets = contract.read_manifest(os.path.join(ANDROID_ASSETS,
                                                 contract.MANIFEST_FILE))
    jvm = run_contract(assets, tmp_path)
    assert jvm["camera_model_file"] == contract.CAMERA_MODEL_FILE
    fast = load_model(constants.DEVICE_MODEL_NAME)
    video = load_model(constants.VIDEO_MODEL_NAME)
    assert [s["name"] for s in assets["styles"]] == fast.style_names
    photo = open_image(os.path.join(CONTENT_DIR, "tubingen.jpg"), 128)
    style = fast.style_names[0]
    embedding = np.asarray(jvm["blend_2"], np.float32)[None]
    weights = {style: 0.3, fast.style_names[1]: 0.7}
    for file, network, other in ((jvm["model_file"], fast, video),
                                 (jvm["camera_model_file"], video, fast)):
        runner = sessions.open_session(os.path.join(ANDROID_ASSETS, file))
        lite = sessions.render(runner, photo[None], embedding)[0]
        db = psnr(lite, network.stylize(photo, weights))
        assert db >= MIN_ASSET_PSNR_DB, (file, db)
        assert psnr(lite, other.stylize(photo, weights)) < db - 5, file

