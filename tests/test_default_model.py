"""The model shipped with the package: it loads by default and its pastiches
carry each style on the CPU (a regression test on real output, e.g. against
all-black or unchanged images after a TensorFlow upgrade)."""

import os

import numpy as np
import pytest
from conftest import CONTENT_DIR, STYLES_DIR, run_cli

from magenta_style import constants

SHIPPED_STYLES = ["composition_vii", "shipwreck", "starry_night",
                  "the_scream", "udnie", "wave_crop"]


@pytest.fixture(scope="module")
def model():
    from magenta_style import load_model

    assert os.path.isfile(constants.DEFAULT_MODEL), "default model not shipped"
    return load_model()


@pytest.fixture(scope="module")
def photo():
    from magenta_style.imaging.images import open_image

    return open_image(os.path.join(CONTENT_DIR, "chicago.jpg"), max_side=256)


def test_default_model_has_the_public_domain_styles(model):
    assert model.style_names == SHIPPED_STYLES
    assert model.alpha == 1.0
    assert all(info["trained_by"] == "train" and info["steps"] > 0
               for info in model.style_info)


def test_every_style_changes_the_photo_and_lowers_its_style_loss(model, photo,
                                                                 vgg):
    from magenta_style.imaging.folders import load_style_images
    from magenta_style.objective.evaluation import losses_against
    from magenta_style.objective.losses import PerceptualLoss

    pastiches = model.stylize_styles(photo)
    assert pastiches.shape == (len(SHIPPED_STYLES),) + photo.shape
    perceptual = PerceptualLoss(vgg)
    _, images, _ = load_style_images(STYLES_DIR, 256, SHIPPED_STYLES)
    grams = perceptual.style_grams(images)
    for index, pastiche in enumerate(pastiches):
        assert pastiche.std() > 0.05  # not a flat (e.g. black) image
        assert np.abs(pastiche - photo).mean() > 0.05  # restyled
        ours = losses_against(perceptual, pastiche[None], photo[None], grams,
                              index)["style"][0]
        photos = losses_against(perceptual, photo[None], photo[None], grams,
                                index)["style"][0]
        assert ours < photos / 2, (SHIPPED_STYLES[index], ours, photos)
    # Different styles give different pastiches.
    assert np.abs(pastiches[0] - pastiches[2]).mean() > 0.03


def test_stylize_cli_uses_the_default_model(tmp_path):
    out = tmp_path / "out"
    process = run_cli("magenta_style.stylize", "--content",
                      os.path.join(CONTENT_DIR, "golden_gate.jpg"),
                      "--styles", "udnie", "--max_size", "128",
                      "--output_dir", str(out))
    assert process.returncode == 0, process.stderr[-2000:]
    assert os.listdir(out) == ["golden_gate_udnie.png"]


def test_bundled_model_and_an_old_style_file_give_the_stored_pastiches(model):
    """default.keras and a .style.json written before the package layout
    changed (tests/data, made with the code of that time) still load and
    render the same pixels (within one level of 255: CPUs round apart)."""
    from PIL import Image

    from magenta_style.imaging.images import to_uint8
    from magenta_style.stylebook import style_file, table

    data = os.path.join(os.path.dirname(__file__), "data")
    photo = np.asarray(Image.open(os.path.join(data, "tubingen_48x64.png")),
                       np.float32) / 255.0
    stored = np.asarray(Image.open(os.path.join(
        data, "default_model_pastiches.png")), np.int16)
    imported = table.import_style(model, style_file.read_style_file(
        os.path.join(data, "udnie_exported.style.json")))
    rendered = np.concatenate([
        to_uint8(model.stylize(photo, "starry_night")),
        to_uint8(model.stylize(photo, {"the_scream": 0.5, "wave_crop": 0.5})),
        to_uint8(imported.stylize(photo, "udnie_exported"))]).astype(np.int16)
    assert rendered.shape == stored.shape
    assert np.abs(rendered - stored).max() <= 1


def test_style_loss_falls_monotonically_along_a_blend(model, vgg):
    """The paper's Figure 7: as the weight of style a rises, the style loss
    with respect to a falls and that with respect to b rises."""
    from magenta_style.imaging.folders import load_style_images
    from magenta_style.imaging.images import open_image
    from magenta_style.objective.evaluation import interpolation
    from magenta_style.objective.losses import PerceptualLoss

    names, images, _ = load_style_images(STYLES_DIR, 256, model.style_names)
    assert names == model.style_names  # grams row i is style i
    perceptual = PerceptualLoss(vgg)
    grams = perceptual.style_grams(images)
    a, b = "composition_vii", "shipwreck"
    photo = open_image(os.path.join(CONTENT_DIR, "tubingen.jpg"), max_side=128)
    study = interpolation(model, perceptual, grams, [photo], a, b, steps=6)
    assert study["spearman_a"] <= -0.9 and study["spearman_b"] <= -0.9
    assert study["style_loss_a"][-1] < 0.5 * study["style_loss_a"][0]
