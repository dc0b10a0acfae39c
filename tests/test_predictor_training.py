"""Training the style predictor: the held-out split, the painting bank, the
trainer (loss falls, only the predictor's head moves), and the tools that
train, use, store and export predicted styles, end to end."""

import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import CONTENT_DIR, VGG_WEIGHTS, assert_one_line_error, run_cli

from magenta_style import constants
from magenta_style.imaging.images import open_image, save_image
from magenta_style.network.model import (
    StylizationModel,
    attach_predictor,
    load_model,
)
from magenta_style.network.predictor import StylePredictor
from magenta_style.runtime.contract import predictor_view, read_style_view
from magenta_style.objective.losses import PerceptualLoss
from magenta_style.stylebook import table
from magenta_style.training import paintings
from magenta_style.training.trainer import PredictorTrainer

TINY = ["--image_size", "32", "--batch_size", "2", "--vgg_weights",
        VGG_WEIGHTS]


def painting_images(count, seed=0):
    """Paintings of distinct looks: stripes, blotches and noise in
    different palettes, 48×72."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:48, 0:72] / 72.0
    images = []
    for i in range(count):
        palette = rng.random((2, 3))
        frequency = 4 + 6 * (i % 3)
        mix = 0.5 + 0.5 * np.sin(2 * np.pi * frequency * (x + (i % 2) * y))
        image = mix[..., None] * palette[0] + (1 - mix[..., None]) * palette[1]
        image += rng.normal(0, 0.05 * (i % 4), image.shape)
        images.append(np.clip(image, 0, 1).astype(np.float32))
    return images


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A folder of ten painting files (one is held out) and a corrupt one."""
    folder = tmp_path_factory.mktemp("paintings")
    for i, image in enumerate(painting_images(10)):
        save_image(image, str(folder / f"p{i:02d}.png"))
    (folder / "broken.jpg").write_bytes(b"not an image")
    return folder


@pytest.fixture(scope="module")
def base_file(tmp_path_factory):
    """A small base model file (alpha 0.25, two styles)."""
    keras.utils.set_random_seed(0)
    path = str(tmp_path_factory.mktemp("base") / "base.keras")
    StylizationModel(["ink", "oil"], alpha=0.25).save_atomic(path)
    return path


@pytest.fixture(scope="module")
def trained(corpus, base_file, tmp_path_factory):
    """The output folder of a 4-step train_predictor run."""
    out = tmp_path_factory.mktemp("predictor_run")
    process = run_cli("magenta_style.train_predictor", "--paintings_dir",
                      str(corpus), "--content_dir", CONTENT_DIR,
                      "--output_dir", str(out), "--model", base_file,
                      "--steps", "4", "--checkpoint_every", "2", *TINY)
    assert process.returncode == 0, process.stderr[-3000:]
    return out, process


def test_every_tenth_painting_is_held_out():
    paths = [f"x/p{i:02d}.jpg" for i in range(30)][::-1]
    training, held = paintings.split_held_out(paths)
    assert held == ["x/p09.jpg", "x/p19.jpg", "x/p29.jpg"]
    assert len(training) == 27 and not set(training) & set(held)
    assert paintings.split_held_out(paths[::-1]) == (training, held)


def test_bank_holds_each_paintings_statistics_and_grams(vgg, corpus,
                                                        tmp_path):
    base = StylizationModel(["a"], alpha=0.25)
    predictor = StylePredictor(base.embedding_size, vgg=vgg)
    perceptual = PerceptualLoss(vgg)
    files = sorted(str(p) for p in corpus.iterdir())
    bank = paintings.painting_bank(files, predictor, perceptual)
    assert len(bank) == 10 and not any("broken" in f for f in bank.files)
    view = read_style_view(bank.files[3])
    np.testing.assert_allclose(
        bank.statistics[3], predictor.image_statistics(view[None])[0],
        rtol=1e-4, atol=1e-3)
    grams = perceptual.style_grams([view])
    for layer, values in bank.grams.items():
        np.testing.assert_allclose(values[3], grams[layer][0], rtol=1e-4,
                                   atol=1e-2)
    cached = paintings.cached_painting_bank(files, predictor, perceptual,
                                            str(tmp_path))
    again = paintings.cached_painting_bank(files, predictor, perceptual,
                                           str(tmp_path))
    assert again.files == cached.files
    np.testing.assert_array_equal(again.statistics, cached.statistics)


def test_predictor_trainer_lowers_the_loss_moving_only_the_head(vgg):
    keras.utils.set_random_seed(1)
    base = StylizationModel(["a"], alpha=0.25)
    predictor = StylePredictor(base.embedding_size, vgg=vgg)
    perceptual = PerceptualLoss(vgg)
    views = np.stack([predictor_view(p) for p in painting_images(4)])
    bank = paintings.PaintingBank(
        tuple("abcd"), predictor.image_statistics(views).numpy(),
        {k: v.numpy() for k, v in perceptual.grams(views).items()})
    predictor.start_from(bank.statistics, table.table(base)[0])
    stylizer = attach_predictor(base, predictor)
    backbone = stylizer.predictor.backbone()
    frozen = [w.numpy().copy() for w in (*stylizer.transformer.weights,
                                         *stylizer.style_table.weights,
                                         *backbone.weights)]
    trainer = PredictorTrainer(stylizer, perceptual, bank, 4)
    head = [w.numpy().copy() for w in stylizer.trainable_weights]
    trainer.compile(optimizer=keras.optimizers.Adam(1e-3))
    photo = open_image(os.path.join(CONTENT_DIR, "tubingen.jpg"),
                       max_side=64)
    content = tf.constant(np.stack([photo[:32, :32]] * 4))
    styles = tf.constant([0, 1, 2, 3])
    before = trainer.compute_losses(content, styles)["total"].numpy().mean()
    trainer.fit(tf.data.Dataset.from_tensors((content, styles)).repeat(),
                steps_per_epoch=20, epochs=1, shuffle=False, verbose=0)
    after = trainer.compute_losses(content, styles)["total"].numpy().mean()
    assert after < 0.8 * before, (before, after)
    now = [w.numpy() for w in (*stylizer.transformer.weights,
                               *stylizer.style_table.weights,
                               *backbone.weights)]
    for a, b in zip(frozen, now):
        np.testing.assert_array_equal(a, b)
    assert len(head) == 4  # bottleneck and output map: kernels and biases
    assert all(np.abs(a - w.numpy()).max() > 0
               for a, w in zip(head, stylizer.trainable_weights))


def test_train_predictor_writes_a_model_with_a_predictor(trained, base_file):
    out, process = trained
    assert "10 for training, 1 held out" in process.stdout  # broken.jpg too
    assert "paintings skipped (unreadable)" in process.stdout
    model = load_model(str(out), vgg_weights=VGG_WEIGHTS)
    base = load_model(base_file)
    assert model.has_predictor and model.style_names == base.style_names
    for a, b in zip(base.transformer.get_weights() + [table.table(base)],
                    model.transformer.get_weights() + [table.table(model)]):
        np.testing.assert_array_equal(a, b)
    record = json.loads((out / "train_config.json").read_text())
    assert record["paintings"].startswith("9 files")
    assert os.path.isdir(out / "checkpoints" / "step-00000004")


def test_train_predictor_resumes(trained, corpus, base_file):
    out, _ = trained
    process = run_cli("magenta_style.train_predictor", "--paintings_dir",
                      str(corpus), "--content_dir", CONTENT_DIR,
                      "--output_dir", str(out), "--model", base_file,
                      "--steps", "6", "--checkpoint_every", "2", *TINY)
    assert process.returncode == 0, process.stderr[-3000:]
    assert "resuming from step 4" in process.stdout
    assert "painting statistics: read" in process.stdout


def test_train_predictor_starts_from_the_base_models_predictor(
        trained, corpus, tmp_path):
    """A base with a predictor gives the start: one step (Adam, 1e-3) moves
    each head weight by about the rate, where a new head differs wholly."""
    out, _ = trained
    process = run_cli("magenta_style.train_predictor", "--paintings_dir",
                      str(corpus), "--content_dir", CONTENT_DIR,
                      "--output_dir", str(tmp_path), "--model", str(out),
                      "--steps", "1", *TINY)
    assert process.returncode == 0, process.stderr[-3000:]
    assert "starting from the base model's style predictor" in process.stdout
    base = load_model(str(out)).predictor.get_weights()
    warm = load_model(str(tmp_path)).predictor.get_weights()
    moves = [np.abs(a - b).max() for a, b in zip(base, warm)]
    assert 0 < max(moves) < 5e-3, moves


def test_train_predictor_refuses_a_tiny_corpus(tmp_path, base_file):
    folder = tmp_path / "few"
    folder.mkdir()
    for i, image in enumerate(painting_images(3)):
        save_image(image, str(folder / f"p{i}.png"))
    process = run_cli("magenta_style.train_predictor", "--paintings_dir",
                      str(folder), "--content_dir", CONTENT_DIR,
                      "--output_dir", str(tmp_path / "out"), "--model",
                      base_file, *TINY)
    assert_one_line_error(process, "has 3 painting(s)")


def test_stylize_with_a_style_image_and_strength(trained, corpus, tmp_path):
    out, _ = trained
    painting = str(corpus / "p03.png")
    photo = os.path.join(CONTENT_DIR, "tubingen.jpg")
    # float32, as the API's default (auto is bfloat16 on some CPUs).
    common = ["--model", str(out), "--content", photo, "--max_size", "64",
              "--output_dir", str(tmp_path), "--vgg_weights", VGG_WEIGHTS,
              "--precision", "float32"]
    for extra in (["--style_image", painting],
                  ["--style_image", painting, "--strength", "0"],
                  ["--blend", f"ink=1,{painting}=1"]):
        process = run_cli("magenta_style.stylize", *common, *extra)
        assert process.returncode == 0, process.stderr[-2000:]
    model = load_model(str(out), vgg_weights=VGG_WEIGHTS)
    image = open_image(photo, max_side=64)
    style = model.predict_embeddings([read_style_view(painting)])[0]
    written = {name: open_image(str(tmp_path / name))
               for name in ("tubingen_p03.png", "tubingen_p03_strength0.png",
                            "tubingen_blend_ink50_p0350.png")}
    np.testing.assert_allclose(written["tubingen_p03.png"],
                               model.stylize(image, style), atol=1 / 255)
    np.testing.assert_allclose(
        written["tubingen_blend_ink50_p0350.png"],
        model.stylize(image, [("ink", 1.0), (style, 1.0)]), atol=1 / 255)
    assert np.abs(written["tubingen_p03_strength0.png"]
                  - written["tubingen_p03.png"]).max() > 0.05


def test_strength_needs_a_predictor(base_file, tmp_path):
    process = run_cli("magenta_style.stylize", "--model", base_file,
                      "--content", os.path.join(CONTENT_DIR, "tubingen.jpg"),
                      "--max_size", "64", "--strength", "0.5",
                      "--output_dir", str(tmp_path))
    assert_one_line_error(process, "no style predictor")
    process = run_cli("magenta_style.stylize", "--model", base_file,
                      "--content", os.path.join(CONTENT_DIR, "tubingen.jpg"),
                      "--strength", "1.5", "--output_dir", str(tmp_path))
    assert process.returncode != 0 and "Traceback" not in process.stderr


def test_styles_add_image_stores_the_prediction(trained, corpus, tmp_path):
    out, _ = trained
    painting = str(corpus / "p05.png")
    target = str(tmp_path / "added.keras")
    process = run_cli("magenta_style.styles", "--model", str(out),
                      "--add_image", painting, "--as", "stripes",
                      "--output", target, "--vgg_weights", VGG_WEIGHTS)
    assert process.returncode == 0, process.stderr[-2000:]
    added = load_model(target, vgg_weights=VGG_WEIGHTS)
    assert added.style_names[-1] == "stripes"
    assert added.style_info[-1]["trained_by"] == "predicted"
    expected = added.predict_embeddings([read_style_view(painting)])[0]
    np.testing.assert_allclose(added.embedding("stripes"), expected,
                               atol=1e-6)


def test_finetune_init_predicted_starts_at_the_prediction(trained, corpus,
                                                          tmp_path):
    out, _ = trained
    painting = str(corpus / "p06.png")
    rows = {}
    for init in ("identity", "predicted"):
        folder = tmp_path / init
        process = run_cli("magenta_style.finetune", "--model", str(out),
                          "--style_images", painting, "--content_dir",
                          CONTENT_DIR, "--output_dir", str(folder),
                          "--init", init, "--steps", "1",
                          "--learning_rate", "1e-9", "--style_size", "64",
                          *TINY)
        assert process.returncode == 0, process.stderr[-2000:]
        assert "Gradients do not exist" not in process.stderr  # frozen
        model = load_model(str(folder), vgg_weights=VGG_WEIGHTS)
        rows[init] = model.embedding("p06")
        assert model.style_info[-1]["init"] == init
    predicted = model.predict_embeddings([read_style_view(painting)])[0]
    np.testing.assert_allclose(rows["predicted"], predicted, atol=1e-5)
    np.testing.assert_allclose(rows["identity"],
                               model.embedding_layout.identity(), atol=1e-5)


def test_finetune_default_rate_depends_on_the_start(trained, corpus,
                                                    tmp_path):
    out, _ = trained
    expected = constants.DEFAULT_FINETUNE_LEARNING_RATES
    assert expected["predicted"] < expected["identity"]
    for init, rate in expected.items():
        folder = tmp_path / init
        process = run_cli("magenta_style.finetune", "--model", str(out),
                          "--style_images", str(corpus / "p06.png"),
                          "--content_dir", CONTENT_DIR, "--output_dir",
                          str(folder), "--init", init, "--steps", "1",
                          "--style_size", "64", *TINY)
        assert process.returncode == 0, process.stderr[-2000:]
        record = json.loads((folder / "train_config.json").read_text())
        assert record["learning_rate"] == pytest.approx(rate)


def test_export_writes_a_faithful_predictor_tflite(trained, tmp_path):
    out, _ = trained
    process = run_cli("export.to_tflite", "--model", str(out),
                      "--vgg_weights", VGG_WEIGHTS,
                      "--output_dir", str(tmp_path), "--eval_dir",
                      CONTENT_DIR, "--eval_count", "3", "--report_sizes",
                      "64", "--latency_sizes", "64", "--latency_runs", "1")
    assert process.returncode == 0, process.stderr[-3000:]
    assert (tmp_path / "predictor.tflite").stat().st_size > 1e6
    manifest = json.loads((tmp_path / "styles.json").read_text())
    assert manifest["predictor"]["model_file"] == "predictor.tflite"
    assert manifest["predictor"]["outputs"]["style_embedding"]["shape"] == [
        1, manifest["embedding_size"]]
    report = json.loads((tmp_path / "fidelity_report.json").read_text())
    assert report["predictor"]["fidelity"]["photos"] == 3
    assert report["predictor"]["fidelity"]["pastiche_psnr_db_min"] >= 40


def test_evaluate_predictor_reports_ratios_strength_and_finetuning(
        trained, corpus, tmp_path):
    out, _ = trained
    process = run_cli(
        "magenta_style.evaluate_predictor", "--model", str(out),
        "--paintings_dir", str(corpus), "--content_dir", CONTENT_DIR,
        "--output_dir", str(tmp_path), "--vgg_weights", VGG_WEIGHTS,
        "--size", "64", "--paintings", "1", "--strength_paintings", "1",
        "--finetune_photos", CONTENT_DIR, "--finetune_count", "1",
        "--finetune_checkpoints", "3,6", "--finetune_image_size", "32",
        "--finetune_batch_size", "2")
    assert process.returncode == 0, process.stderr[-3000:]
    report = json.loads((tmp_path / "predictor_report.json").read_text())
    held_out = paintings.corpus(str(corpus))[1]
    [row] = report["paintings"]
    assert row["painting"] == os.path.basename(held_out[0])
    assert row["ratio"] == pytest.approx(row["style"] / row["photo_style"])
    assert len(report["strength"][0]["style_loss"]) >= 3
    finetune = report["finetune"]
    assert finetune["steps"] == [0, 3, 6]
    identity = finetune["style_loss_median"]["identity"]
    assert identity[-1] < identity[0]
    assert finetune["style_loss_median"]["predicted"][0] == pytest.approx(
        row["style"], rel=1e-4)
    assert finetune["predicted_over_finetuned"] == [
        pytest.approx(row["style"] / identity[-1])]
    # The predicted start's curve ends where it reaches identity's last.
    predicted = finetune["style_loss_median"]["predicted"]
    reached = finetune["predicted_start_reaches_identity_final_at"]
    assert len(predicted) == (finetune["steps"].index(reached) + 1
                              if reached is not None else 3)
    assert all(p > identity[-1] for p in predicted[:-1])
    assert (tmp_path / "predictor_sheet.jpg").stat().st_size > 1000
