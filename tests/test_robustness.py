"""Bad input through the real command-line tools (issue 13): each case ends in
one ``error:`` line and a non-zero exit, or, in a folder, in the good photos
written and the bad ones listed as skipped; no traceback, no partial file."""

import os
import resource
import shutil
import subprocess
import sys

import numpy as np
import pytest
from conftest import (
    CONTENT_DIR,
    REPO,
    STYLES_DIR,
    VGG_WEIGHTS,
    assert_one_line_error,
    run_cli,
)
from PIL import Image

from magenta_style import constants
from magenta_style.cli import tf_startup
from magenta_style.errors import MagentaStyleError
from magenta_style.imaging import memory
from magenta_style.rendering.plan import plan_render

STYLIZE = "magenta_style.stylize"
CHICAGO = os.path.join(CONTENT_DIR, "chicago.jpg")
TOOLS = ["magenta_style.stylize", "magenta_style.train",
         "magenta_style.finetune", "magenta_style.styles",
         "magenta_style.optimize", "magenta_style.evaluate", "export.to_tflite"]
# An address-space limit (bytes) under which the tools still run but an
# 8000x6000 photo cannot be stylized whole (TensorFlow and the model take
# ~2 GB) and a 24000x18000 one not even in tiles.
ADDRESS_SPACE = 6 * 1024 ** 3


def photo(path, size, color=(200, 40, 40)):
    Image.new("RGB", size, color).save(path)
    return str(path)


def files(directory):
    """Every file under ``directory``, relative, hidden ones included."""
    return sorted(os.path.relpath(os.path.join(root, name), directory)
                  for root, _, names in os.walk(directory) for name in names)


def assert_quiet(process):
    """No traceback, no ANSI codes, no CUDA notices (on a machine without GPU)."""
    assert "Traceback" not in process.stderr
    assert "\x1b[" not in process.stdout + process.stderr
    if not tf_startup.has_gpu():
        assert "cuda" not in process.stderr.lower(), process.stderr


def limited_address_space():
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


@pytest.fixture
def small_disk(tmp_path):
    """A 200 KB tmpfs (needs root, as in CI)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "small_disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs",
                           str(mount)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_help_exits_zero_without_cuda_notices():
    for tool in TOOLS:
        process = run_cli(tool, "--help")
        assert process.returncode == 0, (tool, process.stderr)
        assert "flags" in process.stdout.lower()
        assert "cuda" not in (process.stdout + process.stderr).lower()
    assert run_cli(STYLIZE, "--helpfull").returncode == 0


def test_tiny_photo_alone_and_in_a_folder(tmp_path):
    out = tmp_path / "out"
    for size in [(1, 1), (500, 2)]:  # more sizes: test_images
        tiny = photo(tmp_path / "tiny.png", size)
        process = run_cli(STYLIZE, "--content", tiny, "--output_dir", str(out))
        assert_one_line_error(process, "tiny.png", f"{size[0]}x{size[1]}",
                              "too small", str(constants.MIN_IMAGE_SIDE))
        assert files(out) == []

    folder = tmp_path / "photos"
    folder.mkdir()
    photo(folder / "a_tiny.png", (3, 3))
    photo(folder / "b_good.png", (64, 48))
    photo(folder / "c_panorama.png", (4000, 30))  # 1024x8 at --max_size
    process = run_cli(STYLIZE, "--content", str(folder), "--output_dir",
                      str(out), "--styles", "starry_night")
    assert process.returncode == 0, process.stderr
    assert_quiet(process)
    assert files(out) == ["b_good_starry_night.png"]
    assert "skipped 2: a_tiny.png, c_panorama.png" in process.stdout
    assert "1024x8 pixels after shrinking to 1024 (from 4000x30)" in \
        process.stdout


def test_huge_photo_is_refused_before_running(tmp_path, monkeypatch):
    """Too large even for tiles: refused from its header, with the size
    that would fit (an 8000x6000 photo would now be rendered in tiles)."""
    monkeypatch.setattr(memory, "available_bytes", lambda: 2 * 10 ** 9)
    with pytest.raises(MagentaStyleError, match=r"24000x18000 .* even in "
                       r"tiles.* would fit \(max_side=\d+\)"):
        plan_render((24000, 18000), None, {"architecture": "paper",
                                           "alpha": 1.0}, 3, "huge.jpg")
    assert plan_render((8000, 6000), None, {"architecture": "paper",
                                            "alpha": 1.0}, 3,
                       "big.jpg").tiled


def test_styles_that_fit_follow_the_available_memory():
    network = {"architecture": "paper", "alpha": 1.0}
    one = memory.stylize_bytes(network, 1000, 1000)
    assert memory.stylize_bytes(network, 1000, 1000, 4) > 3 * one
    pixels = 2.5 * memory.available_bytes() / memory.stylize_bytes(
        network, 1, 1, 6)  # six styles need 2.5 times what there is
    side = int(np.sqrt(pixels))
    count = memory.styles_that_fit(network, (side, side), 6, "x.png")
    assert 1 <= count < 6


def test_reduced_photo_says_from_what_size(tmp_path):
    big = photo(tmp_path / "big.png", (200, 100))
    process = run_cli(STYLIZE, "--content", big, "--output_dir",
                      str(tmp_path / "out"), "--max_size", "64",
                      "--styles", "udnie")
    assert process.returncode == 0, process.stderr
    assert "big.png 64x32 (reduced from 200x100)" in process.stdout


def test_gif_is_read_alone_and_from_a_folder(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    photo(folder / "anim.gif", (48, 40))
    process = run_cli(STYLIZE, "--content", str(folder), "--output_dir",
                      str(tmp_path / "out"), "--styles", "udnie")
    assert process.returncode == 0, process.stderr
    assert files(tmp_path / "out") == ["anim_udnie.png"]


def test_full_disk_stylize(small_disk):
    process = run_cli(STYLIZE, "--content", CHICAGO, "--output_dir",
                      str(small_disk), "--max_size", "256")
    assert_one_line_error(process, "no space left on device while writing",
                          str(small_disk))
    assert not [f for f in files(small_disk) if f.startswith(".")]


def test_full_disk_export_leaves_no_folder(small_disk):
    out = small_disk / "export"
    process = run_cli("export.to_tflite", "--output_dir", str(out),
                      "--latency_sizes", "16", "--latency_runs", "1",
                      "--vgg_weights", VGG_WEIGHTS)
    assert_one_line_error(process, "no space left on device while writing")
    assert files(small_disk) == [] and not out.exists()


def test_full_disk_train_checkpoint(small_disk, tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    for name in sorted(os.listdir(CONTENT_DIR))[:4]:
        shutil.copy(os.path.join(CONTENT_DIR, name), content)
    out = small_disk / "run"
    process = run_cli(
        "magenta_style.train", "--styles_dir", STYLES_DIR, "--styles",
        "starry_night", "--content_dir", str(content), "--vgg_weights",
        VGG_WEIGHTS, "--output_dir", str(out), "--steps", "2",
        "--image_size", "32", "--batch_size", "1", "--checkpoint_every", "1",
        "--style_size", "64")
    assert_one_line_error(process, "no space left on device while writing",
                          "checkpoints")
    assert not [f for f in files(out) if ".tmp" in f]


@pytest.mark.parametrize("name", ["x.keras", "x"])
def test_model_that_is_not_a_keras_file(tmp_path, name):
    bogus = tmp_path / name
    bogus.write_bytes(np.random.default_rng(0).bytes(4096))
    process = run_cli(STYLIZE, "--model", str(bogus), "--content", CHICAGO,
                      "--output_dir", str(tmp_path / "out"))
    assert_one_line_error(process, str(bogus), "not a Keras model file")
    assert "TFSMLayer" not in process.stderr


@pytest.mark.parametrize("blend, fragment", [
    ("", "--blend is empty"), ("udnie=1,udnie=2", "'udnie' twice"),
    ("starry_night=1,2=1", "'starry_night' is in the blend twice")])
def test_empty_or_repeated_blend(tmp_path, blend, fragment):
    process = run_cli(STYLIZE, "--content", CHICAGO, "--output_dir",
                      str(tmp_path / "out"), "--blend", blend)
    assert_one_line_error(process, fragment)
    assert files(tmp_path / "out") == []


def test_finetune_refuses_a_tiny_style_image(tmp_path):
    tiny = photo(tmp_path / "dot.png", (1, 1))
    process = run_cli(
        "magenta_style.finetune", "--style_images", tiny, "--content_dir",
        CONTENT_DIR, "--output_dir", str(tmp_path / "out"), "--steps", "1",
        "--image_size", "32", "--style_size", "64", "--vgg_weights",
        VGG_WEIGHTS)
    assert_one_line_error(process, "dot.png is 1x1 pixels", "too small")


def test_export_checks_flags_first_and_leaves_no_folder(tmp_path):
    out = tmp_path / "export"
    process = run_cli("export.to_tflite", "--output_dir", str(out),
                      "--quantize", "int8")
    assert_one_line_error(process, "--representative_dir")
    assert "converting" not in process.stdout and not out.exists()


def test_export_without_photos_prints_no_empty_table(tmp_path):
    process = run_cli("export.to_tflite", "--output_dir", str(tmp_path / "e"),
                      "--latency_sizes", "16", "--latency_runs", "1",
                      "--vgg_weights", VGG_WEIGHTS)
    assert process.returncode == 0, process.stderr
    assert "PSNR" not in process.stdout
    assert "fidelity: not measured" in process.stdout
    assert_quiet(process)


def test_output_folder_that_is_a_file(tmp_path):
    blocker = tmp_path / "stylized"
    blocker.write_text("x")
    process = run_cli(STYLIZE, "--content", CHICAGO, "--output_dir",
                      str(blocker))
    assert_one_line_error(process, f"output folder {blocker} is a file")


def test_plain_progress_lines_when_not_a_terminal(capsys):
    import keras

    from magenta_style.training import progress

    verbose, callbacks = progress.fit_progress(4)  # pytest captures stdout
    assert verbose == 0 and isinstance(callbacks[0], progress.PlainProgress)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.zeros((8, 2), np.float32)
    model.fit(x, x[:, :1], batch_size=4, epochs=2, verbose=verbose,
              callbacks=callbacks)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["step 2/4", "step 4/4"]
    assert "loss" in lines[0] and "\x1b" not in "".join(lines)


def test_startup_filter_drops_only_the_notices(capfd):
    with tf_startup._without_notices():
        os.write(2, b"I0000 cudart_stub.cc:31] Could not find cuda drivers "
                    b"on your machine, GPU will not be used.\n")
        os.write(2, b"E0000 cuda_platform.cc:52] failed call to cuInit: "
                    b"UNKNOWN ERROR (303)\n")
        os.write(2, b"E0000 something real failed\n")
    assert capfd.readouterr().err == "E0000 something real failed\n"


def test_importing_the_package_leaves_tensorflow_alone():
    process = subprocess.run(
        [sys.executable, "-c", "import sys, magenta_style, magenta_style.cli; "
         "print('tensorflow' in sys.modules, 'TF_CPP_MIN_LOG_LEVEL' in "
         "__import__('os').environ)"], capture_output=True, text=True,
        env={k: v for k, v in os.environ.items()
             if k != "TF_CPP_MIN_LOG_LEVEL"} | {"PYTHONPATH": REPO})
    assert process.stdout.split() == ["False", "False"], process.stderr
