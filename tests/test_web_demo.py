"""The web page (web_demo/) in headless Chromium against the Keras model.

Exports the bundled model with --web_demo, serves the page with those files on
127.0.0.1 and drives it with web_demo/tests/e2e.mjs (Playwright and Debian's
chromium). .ci/run installs both; where either is missing the tests fail and
say what to install.
"""

import functools
import http.server
import json
import os
import shutil
import subprocess
import threading

import numpy as np
import pytest
from conftest import CONTENT_DIR, REPO, VGG_WEIGHTS, run_cli
from PIL import Image

from export import manifest
from magenta_style.runtime import contract
from magenta_style.runtime.exported_model import load_exported_model
from magenta_style import constants
from magenta_style.imaging.images import open_image, to_uint8
from magenta_style.imaging.transforms import center_crop
from magenta_style.measurement import psnr
from magenta_style.network.model import load_model

WEB = os.path.join(REPO, "web_demo")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PAGE_FILES = ("index.html", "style.css", "js", "node_modules")
SIZE = 512  # export.to_tflite's default --web_size
MIN_PSNR_DB = 40.0



@pytest.fixture(autouse=True, scope="module")
def browser_tools():
    """Fails (never skips) where the browser or the page's packages are
    missing: a test whose tool is missing must not pass in CI."""
    missing = [what for what, there in (
        ("node", shutil.which("node") is not None),
        (f"Debian's chromium at {CHROMIUM}", os.path.exists(CHROMIUM)),
        ("web_demo/node_modules (npm ci in web_demo)", os.path.isdir(
            os.path.join(WEB, "node_modules", "playwright-core"))))
        if not there]
    if missing:
        pytest.fail(f"the web page test needs {', '.join(missing)} "
                    "(.ci/run installs them)")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def page_folder(root, name: str, exported, leave_out=(), replace=None):
    """A served folder: the page's files and the export (symlinked), minus
    ``leave_out``, with files of ``replace`` (name → text) written instead."""
    folder = root / name
    folder.mkdir()
    for entry in PAGE_FILES:
        os.symlink(os.path.join(WEB, entry), folder / entry)
    for entry in os.listdir(exported):
        if entry not in leave_out and entry not in (replace or {}):
            os.symlink(exported / entry, folder / entry)
    for entry, text in (replace or {}).items():
        (folder / entry).write_text(text)
    return name


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("web_export")
    process = run_cli("export.to_tflite", "--web_demo", str(folder),
                      "--vgg_weights", VGG_WEIGHTS)
    assert process.returncode == 0, process.stderr[-3000:]
    return folder


@pytest.fixture(scope="module")
def server(exported, tmp_path_factory):
    """Base URL of a real HTTP server over three page folders."""
    root = tmp_path_factory.mktemp("web_root")
    page_folder(root, "page", exported)
    page_folder(root, "broken_manifest", exported,
                replace={contract.MANIFEST_FILE: '{"format": "magenta_style'})
    page_folder(root, "no_model", exported, leave_out=[contract.MODEL_FILE])
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=root))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def run_page(url: str, *args: str) -> dict:
    """Runs e2e.mjs on the page at ``url``; returns its JSON summary."""
    process = subprocess.run(
        ["node", os.path.join(WEB, "tests", "e2e.mjs"), "--url", url, *args],
        cwd=WEB, capture_output=True, text=True, timeout=600)
    assert process.returncode == 0, process.stdout[-2000:] + process.stderr[-3000:]
    return json.loads(process.stdout.strip().splitlines()[-1])


def test_page_blend_matches_keras(server, tmp_path):
    """A 50/50 blend rendered by the page is the Keras pastiche (PSNR)."""
    photo_path = tmp_path / "chicago.png"  # already SIZE²: no resampling
    photo = to_uint8(center_crop(open_image(os.path.join(
        CONTENT_DIR, "chicago.jpg")), SIZE))
    Image.fromarray(photo).save(photo_path)
    model = load_model(constants.DEVICE_MODEL_NAME)  # what the export took
    first, last = model.style_names[0], model.style_names[-1]
    pixels = tmp_path / "pastiche.rgba"

    result = run_page(f"{server}/page/?accelerator=wasm", "--photo",
                      str(photo_path), "--weights", f"{first}=50,{last}=50",
                      "--pixels", str(pixels))

    assert result["error"] is None, result
    assert result["photoNote"] == ""  # used as is
    rgba = np.frombuffer(pixels.read_bytes(), np.uint8).reshape(SIZE, SIZE, 4)
    assert (rgba[..., 3] == 255).all()
    expected = model.stylize(photo, {first: 0.5, last: 0.5})
    db = psnr(rgba[..., :3] / 255.0, expected)
    print(f"page vs Keras: {db:.1f} dB; render {result['renderMs'][0]} ms")
    assert db >= MIN_PSNR_DB, result


def test_camera_mode_renders_the_fake_cameras_frames(server, tmp_path):
    """The camera mode on Chromium's fake camera (a moving test pattern):
    frames are drawn, rendered by the camera network (the bundled video
    network: its last pastiche is the Keras video network's of the last
    frame, not the fast network's) and counted; its frames per second
    print."""
    shot, photo, pastiche = (tmp_path / "camera.png", tmp_path / "in.rgba",
                             tmp_path / "out.rgba")
    result = run_page(f"{server}/page/?accelerator=wasm", "--camera", "4",
                      "--screenshot", str(shot), "--photo_pixels", str(photo),
                      "--pixels", str(pastiche))
    assert result["error"] is None, result
    assert result["cameraFrames"] >= 4, result
    assert result["cameraFps"] > 0
    assert result["cameraModel"] == contract.CAMERA_MODEL_FILE
    assert "640×480" in result["photoNote"]  # the camera's frames, cropped
    print(f"camera mode: {result['cameraFps']:.2f} frames/s at {SIZE}² "
          f"({result['cameraFrames']} frames)")
    page = np.asarray(Image.open(shot).convert("L"), np.float32)
    assert page.std() > 5  # the page with its pastiche, not blank
    frame, out = (np.frombuffer(p.read_bytes(), np.uint8).reshape(
        SIZE, SIZE, 4)[..., :3] for p in (photo, pastiche))
    video = load_model(constants.VIDEO_MODEL_NAME)
    fast = load_model(constants.DEVICE_MODEL_NAME)
    style = video.style_names[0]  # the page's first slider starts at 100
    db = psnr(out / 255.0, video.stylize(frame, style))
    assert db >= MIN_PSNR_DB, db
    assert psnr(out / 255.0, fast.stylize(frame, style)) < db - 5


def test_larger_photo_is_reduced_and_page_says_so(server):
    result = run_page(f"{server}/page/", "--photo",
                      os.path.join(CONTENT_DIR, "tubingen.jpg"), "--runs", "0")
    assert result["error"] is None, result
    assert "1024×768" in result["photoNote"]
    assert f"reduced to {SIZE}×{SIZE}" in result["photoNote"]


def test_malformed_manifest_shows_error(server):
    result = run_page(f"{server}/broken_manifest/")
    assert result["state"] == "error"
    assert "styles.json: not valid JSON" in result["error"]


def test_page_stroke_and_intensity_match_keras(server, tmp_path):
    """The page's look sliders blend the style's control points as Keras
    does: a render at stroke 1.5 and intensity 1.5 is the Keras pastiche."""
    photo_path = tmp_path / "tubingen.png"
    photo = to_uint8(center_crop(open_image(os.path.join(
        CONTENT_DIR, "tubingen.jpg")), SIZE))
    Image.fromarray(photo).save(photo_path)
    model = load_model(constants.DEVICE_MODEL_NAME)
    pixels = tmp_path / "pastiche.rgba"

    result = run_page(f"{server}/page/?accelerator=wasm", "--photo",
                      str(photo_path), "--weights", "udnie=100",
                      "--stroke", "1.5", "--strength", "1.5",
                      "--pixels", str(pixels))

    assert result["error"] is None, result
    rgba = np.frombuffer(pixels.read_bytes(), np.uint8).reshape(SIZE, SIZE, 4)
    expected = model.stylize(photo, "udnie", 1.5, stroke=1.5)
    assert psnr(rgba[..., :3] / 255.0, expected) >= MIN_PSNR_DB
    assert psnr(expected, model.stylize(photo, "udnie")) < 30  # it changed


def test_missing_model_shows_error(server):
    result = run_page(f"{server}/no_model/")
    assert result["state"] == "error"
    assert "cannot load model.tflite: HTTP 404" in result["error"]


@pytest.mark.parametrize("indices,weights,stroke,strength", [
    ([0, 1], [0.3, 0.7], 1.0, 1.0), ([0, 2, 5], [1.0, 2.0, 1.0], 1.0, 1.0),
    ([0, 1], [0.3, 0.7], 0.7, 1.0), ([0, 2, 5], [1.0, 2.0, 1.0], 1.3, 1.6),
    ([3], [1.0], 2.0, 2.0), ([4, 1], [2.0, 1.0], 0.5, 1.25)])
def test_js_blend_equals_python_bit_for_bit(exported, indices, weights,
                                            stroke, strength):
    path = exported / contract.MANIFEST_FILE
    process = subprocess.run(
        ["node", os.path.join(WEB, "tests", "blend_cli.mjs"), str(path),
         ",".join(map(str, indices)), ",".join(map(str, weights)),
         str(stroke), str(strength)],
        capture_output=True, text=True, timeout=60)
    assert process.returncode == 0, process.stderr
    styles = json.loads(path.read_text())["styles"]
    python = load_exported_model(str(exported)).embedding(
        list(zip(indices, weights)), stroke, strength)
    if stroke == 1.0 and strength == 1.0:  # the plain blend's reference too
        np.testing.assert_array_equal(python, manifest.blend_embeddings(
            [styles[i]["embedding"] for i in indices], weights))
    np.testing.assert_array_equal(
        np.asarray(json.loads(process.stdout), np.float32), python)
