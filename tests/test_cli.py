"""The command-line tools end to end, and their handling of bad input:
one-line errors, non-zero exit, earlier results kept."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

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

TRAIN = "magenta_style.train"
STYLIZE = "magenta_style.stylize"
TINY = ["--image_size", "32", "--batch_size", "2", "--style_size", "64",
        "--alpha", "0.25", "--vgg_weights", VGG_WEIGHTS]


def train_args(output_dir, content_dir=CONTENT_DIR, styles="the_scream,wave_crop",
               steps="4"):
    return ["--styles_dir", STYLES_DIR, "--styles", styles, "--content_dir",
            content_dir, "--output_dir", str(output_dir), "--steps", steps,
            "--checkpoint_every", "2", *TINY]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny model trained through the CLI, shared by the tests below."""
    output = tmp_path_factory.mktemp("model")
    process = run_cli(TRAIN, *train_args(output))
    assert process.returncode == 0, process.stderr[-2000:]
    return output


def test_train_writes_model_checkpoints_and_logs(trained):
    assert os.path.isfile(trained / "model.keras")
    assert sorted(os.listdir(trained / "checkpoints")) == [
        "step-00000002", "step-00000004"]
    assert os.listdir(trained / "logs")
    assert not [p for p in os.listdir(trained) if p.startswith(".tmp")]


def test_stylize_writes_every_style_and_a_blend(trained, tmp_path):
    process = run_cli(STYLIZE, "--model", str(trained), "--content", CONTENT_DIR,
                      "--output_dir", str(tmp_path), "--max_size", "64")
    assert process.returncode == 0, process.stderr[-2000:]
    written = sorted(os.listdir(tmp_path))
    assert len(written) == 10 and "chicago_wave_crop.png" in written
    content = np.asarray(Image.open(os.path.join(CONTENT_DIR, "chicago.jpg"))
                         .resize((64, 43)), np.float32)
    pastiche = np.asarray(Image.open(tmp_path / "chicago_wave_crop.png"),
                          np.float32)
    assert pastiche.shape == content.shape
    assert np.abs(pastiche - content).mean() > 5  # the image changed

    process = run_cli(STYLIZE, "--model", str(trained), "--content",
                      os.path.join(CONTENT_DIR, "chicago.jpg"), "--output_dir",
                      str(tmp_path / "blend"), "--max_size", "64",
                      "--blend", "the_scream=3,1=1")
    assert process.returncode == 0, process.stderr[-2000:]
    assert os.listdir(tmp_path / "blend") == [
        "chicago_blend_the_scream75_wave_crop25.png"]


def test_stylize_keeps_odd_sizes(trained, tmp_path):
    photo = tmp_path / "odd.png"
    Image.new("RGB", (457, 301), (120, 30, 60)).save(photo)
    process = run_cli(STYLIZE, "--model", str(trained), "--content", str(photo),
                      "--output_dir", str(tmp_path / "out"), "--styles", "0")
    assert process.returncode == 0, process.stderr[-2000:]
    out = Image.open(tmp_path / "out" / "odd_the_scream.png")
    assert out.size == (457, 301)


def test_resume_after_kill_continues_from_checkpoint(tmp_path):
    args = train_args(tmp_path, styles="the_scream", steps="200")
    env = {**os.environ, "PYTHONPATH": REPO}
    first = subprocess.Popen([sys.executable, "-m", TRAIN, *args], cwd=REPO,
                             env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    checkpoints = tmp_path / "checkpoints"
    deadline = time.time() + 300
    while not (checkpoints.exists() and any(
            p.startswith("step-") for p in os.listdir(checkpoints))):
        assert first.poll() is None and time.time() < deadline
        time.sleep(0.2)
    first.send_signal(signal.SIGKILL)
    first.wait()
    done = max(int(p.split("-")[1]) for p in os.listdir(checkpoints)
               if p.startswith("step-"))
    assert done < 200 and not (tmp_path / "model.keras").exists()

    total = str(done + 4)
    second = run_cli(TRAIN, *train_args(tmp_path, styles="the_scream",
                                        steps=total))
    assert second.returncode == 0, second.stderr[-2000:]
    assert f"resuming from step {done}" in second.stdout
    assert f"step-{int(total):08d}" in os.listdir(checkpoints)
    assert (tmp_path / "model.keras").exists()


def test_more_steps_after_a_partial_last_interval(tmp_path):
    """A finished 3-step run (checkpoints every 2) continued to 8 steps, at
    another learning rate, which the continued steps take."""
    first = run_cli(TRAIN, *train_args(tmp_path, styles="the_scream", steps="3"))
    assert first.returncode == 0, first.stderr[-2000:]
    second = run_cli(TRAIN, *train_args(tmp_path, styles="the_scream",
                                        steps="8"), "--learning_rate", "3e-4")
    assert second.returncode == 0, second.stderr[-2000:]
    assert "resuming from step 3" in second.stdout
    assert sorted(os.listdir(tmp_path / "checkpoints")) == [
        "step-00000007", "step-00000008"]
    state = np.load(tmp_path / "checkpoints" / "step-00000008" /
                    "optimizer.npz")
    assert [float(state[k]) for k in state.files if state[k].ndim == 0] == \
        pytest.approx([8, 3e-4])  # iterations, learning rate
    record = json.loads((tmp_path / "train_config.json").read_text())
    assert record["learning_rate"] == 3e-4


def test_empty_or_missing_styles_dir(tmp_path):
    (tmp_path / "styles").mkdir()
    args = train_args(tmp_path / "out")
    args[args.index("--styles_dir") + 1] = str(tmp_path / "styles")
    assert_one_line_error(run_cli(TRAIN, *args), "no style images")
    args[args.index("--styles_dir") + 1] = str(tmp_path / "missing")
    assert_one_line_error(run_cli(TRAIN, *args), "not found", "missing")


def test_content_dir_without_readable_image(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.jpg").write_bytes(b"garbage")
    (content / "b.png").write_bytes(b"")
    assert_one_line_error(run_cli(TRAIN, *train_args(tmp_path / "out", content)),
                          "no readable image", "2 unreadable")


def test_corrupt_image_among_good_ones_is_skipped(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    (content / "zz_corrupt.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated")
    process = run_cli(TRAIN, *train_args(tmp_path / "out", content, steps="2"))
    assert process.returncode == 0, process.stderr[-2000:]
    assert "5 images" in process.stdout
    assert "skipped 1 unreadable (zz_corrupt.jpg)" in process.stdout


def test_unknown_or_negative_blend_keeps_earlier_output(trained, tmp_path):
    earlier = tmp_path / "chicago_the_scream.png"
    earlier.write_bytes(b"earlier result")
    base = ["--model", str(trained), "--content",
            os.path.join(CONTENT_DIR, "chicago.jpg"), "--output_dir",
            str(tmp_path)]
    assert_one_line_error(run_cli(STYLIZE, *base, "--blend", "nope=1"),
                          "unknown style 'nope'")
    assert_one_line_error(run_cli(STYLIZE, *base, "--blend", "the_scream=-1"),
                          "negative")
    assert earlier.read_bytes() == b"earlier result"


def test_offline_imagenet_download_says_to_pass_vgg_weights(tmp_path):
    args = train_args(tmp_path / "out")
    args[args.index("--vgg_weights") + 1] = "imagenet"
    closed = "http://127.0.0.1:9"  # nothing listens: the download must fail
    process = run_cli(TRAIN, *args, env={
        "KERAS_HOME": str(tmp_path / "keras"), "HTTPS_PROXY": closed,
        "https_proxy": closed, "HTTP_PROXY": closed, "http_proxy": closed})
    assert_one_line_error(process, "VGG-19", "--vgg_weights")


def test_unwritable_output_dir(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert_one_line_error(run_cli(TRAIN, *train_args(blocker / "out")),
                          "not writable")
    assert_one_line_error(
        run_cli(STYLIZE, "--model", str(tmp_path), "--content", CONTENT_DIR,
                "--output_dir", str(blocker / "out")), "not writable")


def test_rerun_with_other_styles_refuses_and_keeps_the_model(trained):
    before = (trained / "model.keras").read_bytes()
    process = run_cli(TRAIN, *train_args(trained, styles="the_scream"))
    assert_one_line_error(process, "different styles")
    assert (trained / "model.keras").read_bytes() == before


def test_from_model_trains_the_network_and_rows_further(trained, tmp_path):
    """--from_model continues a model: same styles and records (plus the
    further steps, summed over continuations), every weight moved, the old
    model untouched."""
    from magenta_style.network.model import load_model

    def without_styles_and_alpha(output_dir):
        return [a for a in train_args(output_dir)
                if a not in ("--styles", "the_scream,wave_crop", "--alpha",
                             "0.25")]

    before = (trained / "model.keras").read_bytes()
    args = without_styles_and_alpha(tmp_path / "more")
    process = run_cli(TRAIN, *args, "--from_model", str(trained))
    assert process.returncode == 0, process.stderr[-2000:]
    base = load_model(str(trained))
    more = load_model(str(tmp_path / "more"))
    assert more.style_names == base.style_names and more.alpha == 0.25
    assert more.style_info == [{**info, "continued_steps": 4}
                               for info in base.style_info]
    moved = [not np.array_equal(a, b) for a, b in
             zip(base.get_weights(), more.get_weights())]
    assert sum(moved) > len(moved) // 2
    assert not np.array_equal(base.style_table.table.numpy(),
                              more.style_table.table.numpy())
    assert (trained / "model.keras").read_bytes() == before
    again = run_cli(TRAIN, *without_styles_and_alpha(tmp_path / "again"),
                    "--from_model", str(tmp_path / "more"))
    assert again.returncode == 0, again.stderr[-2000:]
    assert load_model(str(tmp_path / "again")).style_info == [
        {**info, "continued_steps": 8} for info in base.style_info]
    assert_one_line_error(run_cli(TRAIN, *args, "--from_model", str(trained),
                                  "--alpha", "0.5"), "--from_model")
    assert_one_line_error(run_cli(TRAIN, *args, "--from_model",
                                  str(tmp_path / "none")), "model not found")
    assert_one_line_error(run_cli(TRAIN, *without_styles_and_alpha(trained),
                                  "--from_model", str(trained)),
                          "--output_dir must not be the folder of "
                          "--from_model")
    assert (trained / "model.keras").read_bytes() == before


def test_bad_flag_values_are_one_line_errors(tmp_path):
    args = train_args(tmp_path / "out")
    args[args.index("--image_size") + 1] = "30"
    assert_one_line_error(run_cli(TRAIN, *args), "--image_size")
    assert_one_line_error(run_cli(STYLIZE, "--model", str(tmp_path / "none"),
                                  "--content", CONTENT_DIR, "--output_dir",
                                  str(tmp_path / "o")), "model not found")


def test_evaluate_writes_report_plot_and_contact_sheet(trained, tmp_path):
    process = run_cli("magenta_style.evaluate", "--model", str(trained),
                      "--styles_dir", STYLES_DIR, "--content_dir", CONTENT_DIR,
                      "--output_dir", str(tmp_path), "--size", "64",
                      "--style_size", "64", "--vgg_weights", VGG_WEIGHTS,
                      "--compare_with", str(trained))
    assert process.returncode == 0, process.stderr[-2000:]
    assert sorted(os.listdir(tmp_path)) == [
        "contact_sheet.png", "interpolation.png", "report.json",
        "side_by_side.png"]
    # The same model twice: each style's two cells are the same pixels.
    pair = np.asarray(Image.open(tmp_path / "side_by_side.png"))
    assert pair.shape == (24 + 5 * 160, 5 * 160, 3)
    np.testing.assert_array_equal(pair[24:184, 160:320], pair[24:184, 320:480])
    assert pair[24:184, 160:320].std() > 0
    import json
    report = json.loads((tmp_path / "report.json").read_text())
    assert [r["style"] for r in report["styles"]] == ["the_scream", "wave_crop"]
    for row in report["styles"]:
        assert row["photo_style"] > 0 and row["unrelated_content"] > 0
        assert row["pastiche_content"] > 0
    study = report["interpolation"]
    assert len(study["weight_a"]) == 11
    from scipy.stats import spearmanr  # the report's ρ is of its own arrays

    assert study["spearman_a"] == pytest.approx(spearmanr(
        study["weight_a"], study["style_loss_a"]).statistic)
    sheet = Image.open(tmp_path / "contact_sheet.png")
    assert sheet.size == (3 * 192, 24 + 6 * 192)  # 5 photos + a blend row
    assert "Spearman" in process.stdout


def test_evaluate_distance_to_the_optimum_and_reusing_its_optima(trained,
                                                                 tmp_path):
    """The network's total against L-BFGS's; --optimum_from takes the optima
    of an earlier report (a changed one shows that they are not redone)."""
    import json

    def evaluate(output, *extra):
        process = run_cli(
            "magenta_style.evaluate", "--model", str(trained), "--styles_dir",
            STYLES_DIR, "--content_dir", CONTENT_DIR, "--output_dir",
            str(output), "--size", "64", "--style_size", "64",
            "--vgg_weights", VGG_WEIGHTS, "--optimum_photos", "1",
            "--optimum_styles", "wave_crop", "--optimum_size", "64",
            "--optimum_iterations", "6", *extra)
        assert process.returncode == 0, process.stderr[-2000:]
        return json.loads((output / "report.json").read_text())["optimum"]

    first = evaluate(tmp_path / "a")
    (row,) = first["rows"]
    curve = row["optimum_curve"]
    assert row["style"] == "wave_crop" and len(curve) == 7
    assert all(b <= a for a, b in zip(curve, curve[1:]))
    assert row["optimum_total"] == curve[-1] < 0.9 * curve[0]
    assert row["network_total"] == pytest.approx(
        row["network_content"] + row["network_style"], rel=1e-5)
    assert row["ratio"] == pytest.approx(row["network_total"] / curve[-1])
    passed = row["optimum_passes_network_at"]
    assert passed is None or (curve[passed] <= row["network_total"] and all(
        total > row["network_total"] for total in curve[:passed]))
    changed = {**row, "optimum_total": row["optimum_total"] / 2}
    (tmp_path / "old.json").write_text(json.dumps(
        {"optimum": {**first, "rows": [changed]}}))
    (again,) = evaluate(tmp_path / "b", "--optimum_from",
                        str(tmp_path / "old.json"))["rows"]
    assert again["ratio"] == pytest.approx(2 * row["ratio"])
    assert again["network_total"] == row["network_total"]
    process = run_cli("magenta_style.evaluate", "--model", str(trained),
                      "--styles_dir", STYLES_DIR, "--content_dir",
                      CONTENT_DIR, "--output_dir", str(tmp_path / "c"),
                      "--size", "64", "--vgg_weights", VGG_WEIGHTS,
                      "--optimum_photos", "1", "--optimum_from",
                      str(tmp_path / "old.json"))
    assert_one_line_error(process, "at 64 px, not --optimum_size 256")
