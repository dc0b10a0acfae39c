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
