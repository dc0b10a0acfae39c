"""The Android core (pure JVM) against the Python implementation.

Runs the JVM unit tests, then lets the JVM blend embeddings from an exported
manifest, turn a fixed pixel array into the model's input and import style
files; checks all three against Python and runs the exported .tflite on the
first two against Keras.
"""

import base64
import json
import math
import os
import subprocess

import numpy as np
import pytest
from conftest import REPO

from export import convert, manifest
from magenta_style.errors import MagentaStyleError
from magenta_style.network.model import StylizationModel
from magenta_style.stylebook import style_file

SCRIPT = os.path.join(REPO, "android_demo", "run_jvm_tests.sh")


@pytest.fixture(scope="module")
def model():
    stylizer = StylizationModel(["ink", "oil", "wash"], alpha=0.25)
    table = stylizer.style_table.table
    noise = np.random.default_rng(5).normal(0, 0.4, table.shape)
    table.assign(table.numpy() + noise.astype(np.float32))
    return stylizer


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


@pytest.fixture(scope="module")
def jvm(model, style_files, tmp_path_factory):
    """Runs the JVM tests and the JVM side of the contract; returns its JSON."""
    folder = tmp_path_factory.mktemp("contract")
    manifest_path = folder / manifest.MANIFEST_FILE
    manifest_path.write_text(json.dumps(
        manifest.build_manifest(model, "float32", (384, 384))))
    out = folder / "jvm.json"
    process = subprocess.run(["bash", SCRIPT, "--contract", str(manifest_path),
                              str(out), *style_files.values()],
                             capture_output=True, text=True, timeout=900)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    assert "OK (" in process.stdout  # JUnit's summary: every JVM test passed
    return json.loads(out.read_text())


def test_jvm_blends_equal_python_bit_for_bit(model, jvm):
    styles = [np.asarray(s["embedding"], np.float32) for s in
              manifest.build_manifest(model, "float32", (384, 384))["styles"]]
    for key in ("blend_2", "blend_3"):
        spec = jvm[f"{key}_spec"]
        python = manifest.blend_embeddings([styles[i] for i in spec["styles"]],
                                           spec["weights"])
        np.testing.assert_array_equal(np.asarray(jvm[key], np.float32), python)


def test_jvm_pixels_equal_python_conversion(jvm):
    pixels = jvm["pixels"]
    argb = np.asarray(pixels["argb"], np.uint64)
    rgb = np.stack([(argb >> 16) & 255, (argb >> 8) & 255, argb & 255], -1)
    python = rgb.astype(np.float32) / np.float32(255)
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


def test_style_files_fit_on_both_sides_alike(model, jvm, style_files):
    exported = manifest.build_manifest(model, "float32", (384, 384))
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
    assert sorted(refusals) == ["alpha", "mobile", "wide"]
    assert "architecture mobile" in refusals["mobile"]
    assert "alpha 1.0" in refusals["alpha"]
    assert "alpha 1)" in refusals["wide"]


def test_tflite_on_jvm_inputs_matches_keras(model, jvm):
    flatbuffer = convert.convert(model.transformer, "float32")
    runner = convert.interpreter(flatbuffer).get_signature_runner(
        convert.SIGNATURE)
    pixels = jvm["pixels"]
    content = np.asarray(pixels["tensor"], np.float32).reshape(
        1, pixels["height"], pixels["width"], 3)
    embedding = np.asarray(jvm["blend_3"], np.float32)[None]
    lite = convert.run(runner, content, embedding)
    keras_out = model.stylize(content, {"ink": 1, "oil": 2, "wash": 1})
    assert lite.shape == content.shape
    assert np.abs(lite - keras_out).max() <= 1e-4
