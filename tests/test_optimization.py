"""Direct optimization (Gatys et al.) on the real VGG-19 and a real pair, the
optimize command end to end, stylize --preserve_colors, and bad input."""

import os

import numpy as np
import pytest
from conftest import (
    CONTENT_DIR,
    STYLES_DIR,
    VGG_WEIGHTS,
    assert_one_line_error,
    run_cli,
)
from PIL import Image

from magenta_style import constants
from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.color import rgb_to_yiq, yiq_to_rgb
from magenta_style.imaging.folders import load_style_image
from magenta_style.imaging.images import open_image
from magenta_style.objective.optimization import (
    initial_image,
    load_content,
    optimize_pastiche,
)

OPTIMIZE = "magenta_style.optimize"
TUBINGEN = os.path.join(CONTENT_DIR, "tubingen.jpg")
STARRY = os.path.join(STYLES_DIR, "starry_night.jpg")


@pytest.fixture(scope="module")
def perceptual(vgg):
    from magenta_style.objective.losses import PerceptualLoss

    return PerceptualLoss(vgg)  # the default loss weights and layers


@pytest.fixture(scope="module")
def pair():
    """tubingen at 64x48 and starry_night with longer side 64."""
    return load_content(TUBINGEN, 64, log=None), load_style_image(STARRY, 64)


def test_lbfgs_from_the_content_lowers_the_loss_fivefold(perceptual, pair):
    content, style = pair
    seen = []
    result = optimize_pastiche(
        perceptual, content, style, iterations=50, method="lbfgs",
        callback=lambda i, image, losses: seen.append((i, image.shape)))
    history = result.history
    assert [h["iteration"] for h in history] == list(range(51))
    assert seen == [(i, content.shape) for i in range(1, 51)]
    assert result.stop_reason is None and result.evaluations >= 51
    # Starts at the content: no content loss, all style loss.
    assert history[0]["content"] == 0 and history[0]["style"] > 0
    # Measured 7.5x on this pair at 64 px; L-BFGS never accepts a worse point.
    assert history[0]["total"] / history[-1]["total"] >= 5
    totals = [h["total"] for h in history]
    assert all(b <= a * (1 + 1e-5) for a, b in zip(totals, totals[1:]))
    assert result.image.shape == content.shape
    assert result.image.dtype == np.float32
    assert 0 <= result.image.min() and result.image.max() <= 1
    assert np.abs(result.image - content).mean() > 0.03  # visibly restyled


def test_adam_lowers_the_loss_and_stays_in_range(perceptual, pair):
    content, style = pair
    result = optimize_pastiche(perceptual, content, style, iterations=50,
                               method="adam", learning_rate=0.02)
    history = result.history
    assert len(history) == 51 and result.evaluations == 51
    # Measured 6.7x on this pair at 64 px with learning rate 0.02.
    assert history[0]["total"] / history[-1]["total"] >= 4
    assert 0 <= result.image.min() and result.image.max() <= 1


def test_other_starting_points(perceptual, pair):
    content, style = pair
    noise = initial_image(content, style, "noise", seed=3)
    assert noise.shape == content.shape and 0 <= noise.min() <= noise.max() <= 1
    np.testing.assert_array_equal(noise,
                                  initial_image(content, style, "noise", 3))
    from_style = initial_image(content, style, "style")
    assert from_style.shape == content.shape  # resized to the content's size
    result = optimize_pastiche(perceptual, content, style, iterations=5,
                               init="style")
    assert result.history[0]["content"] > 0
    assert result.history[-1]["total"] < result.history[0]["total"]
    with pytest.raises(MagentaStyleError, match="unknown init"):
        initial_image(content, style, "gray")
    with pytest.raises(MagentaStyleError, match="unknown method"):
        optimize_pastiche(perceptual, content, style, 1, method="sgd")


def test_loading_downscales_large_content_and_refuses_tiny_styles(tmp_path):
    messages = []
    content = load_content(TUBINGEN, 80, log=messages.append)
    assert content.shape == (60, 80, 3)
    assert len(messages) == 1 and "downscaled to 80x60" in messages[0]
    assert load_style_image(STARRY, 96).shape[1] == 96
    small = tmp_path / "small.png"
    Image.new("RGB", (40, 20), (10, 200, 30)).save(small)
    with pytest.raises(MagentaStyleError, match="40x20 pixels"):
        load_style_image(str(small), 512)
    Image.new("RGB", (40, 40), (10, 200, 30)).save(small)
    assert load_style_image(str(small), 64).shape == (64, 64, 3)  # enlarged


def test_optimize_cli_writes_result_and_intermediates(tmp_path):
    output = tmp_path / "out" / "tubingen_starry.png"
    process = run_cli(OPTIMIZE, "--content", TUBINGEN, "--style", STARRY,
                      "--output", str(output), "--image_size", "64",
                      "--iterations", "6", "--save_every", "3",
                      "--print_every", "2", "--preserve_colors",
                      "--vgg_weights", VGG_WEIGHTS)
    assert process.returncode == 0, process.stderr[-2000:]
    assert "downscaled to 64x48" in process.stdout
    assert "iteration 6/6: total" in process.stdout
    assert sorted(os.listdir(output.parent)) == [
        "tubingen_starry.png", "tubingen_starry_3.png", "tubingen_starry_6.png"]
    assert Image.open(output).size == (64, 48)

    # --preserve_colors: the content's chroma where nothing was clipped.
    content = rgb_to_yiq(open_image(TUBINGEN, max_side=64))
    written = rgb_to_yiq(np.asarray(Image.open(output), np.float64) / 255.0)
    wanted = content.copy()
    wanted[..., 0] = written[..., 0]
    rgb = yiq_to_rgb(wanted)
    unclipped = np.all((rgb > 1 / 255) & (rgb < 254 / 255), axis=-1)
    assert unclipped.mean() > 0.5
    assert np.abs(written[..., 1:] - content[..., 1:])[unclipped].max() \
        <= 1 / 255


def test_optimize_adam_from_noise(tmp_path):
    output = tmp_path / "pastiche.jpg"
    process = run_cli(OPTIMIZE, "--content", TUBINGEN, "--style", STARRY,
                      "--output", str(output), "--image_size", "48",
                      "--style_size", "64", "--iterations", "3",
                      "--method", "adam", "--init",
                      "noise", "--vgg_weights", VGG_WEIGHTS)
    assert process.returncode == 0, process.stderr[-2000:]
    assert "with Adam" in process.stdout and "from the noise image" in \
        process.stdout
    assert Image.open(output).size == (48, 36)


def test_optimize_bad_inputs_are_one_line_errors(tmp_path):
    base = ["--vgg_weights", VGG_WEIGHTS, "--iterations", "1",
            "--image_size", "48"]
    tiny = tmp_path / "tiny.png"
    Image.new("RGB", (24, 40), (200, 30, 30)).save(tiny)
    out = str(tmp_path / "o.png")
    assert_one_line_error(
        run_cli(OPTIMIZE, "--content", TUBINGEN, "--style", str(tiny),
                "--output", out, *base),
        "tiny.png", "24x40", str(constants.MIN_IMAGE_SIDE))
    assert_one_line_error(
        run_cli(OPTIMIZE, "--content", str(tmp_path / "missing.jpg"),
                "--style", STARRY, "--output", out, *base),
        "image not found", "missing.jpg")
    garbage = tmp_path / "garbage.jpg"
    garbage.write_bytes(b"\xff\xd8\xff\xe0 not a jpeg")
    assert_one_line_error(
        run_cli(OPTIMIZE, "--content", TUBINGEN, "--style", str(garbage),
                "--output", out, *base), "cannot read image", "garbage.jpg")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert_one_line_error(
        run_cli(OPTIMIZE, "--content", TUBINGEN, "--style", STARRY,
                "--output", str(blocker / "o.png"), *base), "is a file")
    assert_one_line_error(
        run_cli(OPTIMIZE, "--content", TUBINGEN, "--style", STARRY,
                "--output", str(tmp_path / "o.gif"), *base), "--output")
    assert not os.path.exists(out)


def test_stylize_preserve_colors(tmp_path):
    from magenta_style.network.model import StylizationModel

    model = tmp_path / "model.keras"
    StylizationModel(["a", "b"], alpha=0.25).save_atomic(str(model))
    photo = os.path.join(CONTENT_DIR, "chicago.jpg")
    common = ["--model", str(model), "--content", photo, "--max_size", "64",
              "--styles", "a"]
    plain = run_cli("magenta_style.stylize", *common, "--output_dir",
                    str(tmp_path / "plain"))
    assert plain.returncode == 0, plain.stderr[-2000:]
    kept = run_cli("magenta_style.stylize", *common, "--output_dir",
                   str(tmp_path / "kept"), "--preserve_colors")
    assert kept.returncode == 0, kept.stderr[-2000:]

    def yiq(folder):
        path = tmp_path / folder / "chicago_a.png"
        return rgb_to_yiq(np.asarray(Image.open(path), np.float64) / 255.0)

    content = rgb_to_yiq(open_image(photo, max_side=64))
    plain_yiq, kept_yiq = yiq("plain"), yiq("kept")
    wanted = content.copy()
    wanted[..., 0] = plain_yiq[..., 0]
    rgb = yiq_to_rgb(wanted)
    unclipped = np.all((rgb > 1 / 255) & (rgb < 254 / 255), axis=-1)
    assert unclipped.mean() > 0.5
    # Luminance of the network's pastiche, chroma of the photo.
    assert np.abs(kept_yiq[..., 0] - plain_yiq[..., 0])[unclipped].max() \
        <= 2 / 255
    assert np.abs(kept_yiq[..., 1:] - content[..., 1:])[unclipped].max() \
        <= 2 / 255
    assert np.abs(kept_yiq[..., 1:] - plain_yiq[..., 1:])[unclipped].mean() \
        > 0.01
