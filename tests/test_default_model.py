"""The model shipped with the package: it loads by default and its pastiches
carry each style on the CPU (a regression test on real output, e.g. against
all-black or unchanged images after a TensorFlow upgrade)."""

import os

import numpy as np
import pytest
from conftest import (
    CONTENT_DIR,
    DATA,
    STYLES_DIR,
    VGG_WEIGHTS,
    assert_one_line_error,
    run_cli,
)

from magenta_style import constants

PAINTINGS_DIR = os.path.join(DATA, "paintings")
# The first six styles come from STYLES_DIR; the curated ones from paintings
# that train_predictor trains on (none held out), by file in PAINTINGS_DIR.
FIRST_STYLES = ["composition_vii", "shipwreck", "starry_night",
                "the_scream", "udnie", "wave_crop"]
CURATED_STYLES = {
    "klimt_the_kiss": "masters/97full.jpg",
    "matisse_dance": "masters/41full.jpg",
    "monet_impression_sunrise": "masters/204full.jpg",
    "seurat_grande_jatte_sketch": "museums/aic_61616.jpg",
    "vrubel_demon_seated": "masters/163full.jpg",
    "werefkin_autumn_school": "masters/214full.jpg",
}
SHIPPED_STYLES = FIRST_STYLES + list(CURATED_STYLES)


@pytest.fixture(scope="module")
def model():
    from magenta_style import load_model

    assert os.path.isfile(constants.BUNDLED_MODELS[
        constants.DEFAULT_MODEL_NAME]), "default model not shipped"
    return load_model(vgg_weights=VGG_WEIGHTS)


@pytest.fixture(scope="module")
def photo():
    from magenta_style.imaging.images import open_image

    return open_image(os.path.join(CONTENT_DIR, "chicago.jpg"), max_side=256)


def test_default_model_has_the_public_domain_styles(model):
    from magenta_style.training import paintings

    assert model.style_names == SHIPPED_STYLES
    assert model.alpha == 1.0 and model.has_predictor
    assert all(info["steps"] > 0 and info["artist"] and info["title"]
               for info in model.style_info)
    first, curated = model.style_info[:6], model.style_info[6:]
    assert all(info["trained_by"] == "train" for info in first)
    assert all(info["trained_by"] == "finetune"
               and info["init"] == "predicted" for info in curated)
    training, _ = paintings.corpus(PAINTINGS_DIR)
    assert {os.path.join(PAINTINGS_DIR, f) for f in CURATED_STYLES.values()
            } <= set(training)


def style_images(size):
    """The painting of every shipped style, longer side ``size``."""
    from magenta_style.imaging.folders import load_style_images
    from magenta_style.imaging.images import open_image

    _, images, _ = load_style_images(STYLES_DIR, size, FIRST_STYLES)
    return list(images) + [
        open_image(os.path.join(PAINTINGS_DIR, f), max_side=size)
        for f in CURATED_STYLES.values()]


def test_every_style_changes_the_photo_and_lowers_its_style_loss(model, photo,
                                                                 vgg):
    from magenta_style.objective.evaluation import losses_against
    from magenta_style.objective.losses import PerceptualLoss

    pastiches = model.stylize_styles(photo)
    assert pastiches.shape == (len(SHIPPED_STYLES),) + photo.shape
    perceptual = PerceptualLoss(vgg)
    grams = perceptual.style_grams(style_images(256))
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


def test_stylize_a_held_out_painting_with_the_bundled_predictor(tmp_path,
                                                                vgg):
    """A painting no training saw, as a style (--style_image): the pastiche
    is much nearer the painting's style than the photo is."""
    from magenta_style.imaging.images import open_image
    from magenta_style.objective.evaluation import losses_against
    from magenta_style.objective.losses import PerceptualLoss
    from magenta_style.training import paintings

    _, held_out = paintings.corpus(PAINTINGS_DIR)
    painting = held_out[len(held_out) // 2]
    process = run_cli("magenta_style.stylize", "--content",
                      os.path.join(CONTENT_DIR, "chicago.jpg"),
                      "--style_image", painting, "--max_size", "256",
                      "--vgg_weights", VGG_WEIGHTS,
                      "--output_dir", str(tmp_path))
    assert process.returncode == 0, process.stderr[-2000:]
    [written] = os.listdir(tmp_path)
    pastiche = open_image(str(tmp_path / written))
    photo = open_image(os.path.join(CONTENT_DIR, "chicago.jpg"), max_side=256)
    perceptual = PerceptualLoss(vgg)
    grams = perceptual.style_grams([open_image(painting, max_side=256)])
    ours = losses_against(perceptual, pastiche[None], photo[None], grams,
                          0)["style"][0]
    before = losses_against(perceptual, photo[None], photo[None], grams,
                            0)["style"][0]
    assert ours < before / 2, (painting, ours, before)


def test_predicting_without_the_vgg_weights_is_one_line(tmp_path):
    """The bundled file has no VGG-19 backbone: a style image with weights
    that cannot be read fails in one line and writes nothing."""
    process = run_cli("magenta_style.stylize", "--content",
                      os.path.join(CONTENT_DIR, "chicago.jpg"),
                      "--style_image", os.path.join(STYLES_DIR, "udnie.jpg"),
                      "--vgg_weights", str(tmp_path / "missing.h5"),
                      "--output_dir", str(tmp_path / "out"))
    assert_one_line_error(process, "VGG-19 weights file not found")
    assert not list(tmp_path.glob("out/*"))


def test_bundled_model_and_an_old_style_file_give_the_stored_pastiches(model):
    """full.keras (saved as default.keras) and a .style.json written before the package layout
    changed (tests/data, made with the code of that time) still load and
    render the stored pixels (within one level of 255: CPUs round apart).
    The pastiches were rendered again when the bundled network was trained
    further (the style file's embedding is the same)."""
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
    from magenta_style.imaging.images import open_image
    from magenta_style.objective.evaluation import interpolation
    from magenta_style.objective.losses import PerceptualLoss

    perceptual = PerceptualLoss(vgg)
    grams = perceptual.style_grams(style_images(256))  # row i: style i
    a, b = "composition_vii", "shipwreck"
    photo = open_image(os.path.join(CONTENT_DIR, "tubingen.jpg"), max_side=128)
    study = interpolation(model, perceptual, grams, [photo], a, b, steps=6)
    assert study["spearman_a"] <= -0.9 and study["spearman_b"] <= -0.9
    assert study["style_loss_a"][-1] < 0.5 * study["style_loss_a"][0]


def test_the_download_digests_are_those_of_the_bundled_files():
    """A wheel's [train] install downloads the .keras files (constants.
    BUNDLED_MODEL_URL); they must be these bytes."""
    import hashlib

    for name, path in constants.BUNDLED_MODELS.items():
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        assert digest == constants.BUNDLED_MODEL_SHA256[name], name
