"""The style library: style files, rename/remove/import/export, the styles
CLI, style files in the TFLite manifest, and blends of several styles."""

import base64
import json
import os

import keras
import numpy as np
import pytest
from conftest import CONTENT_DIR, assert_one_line_error, run_cli

from export import manifest
from magenta_style.runtime import contract
from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.images import open_image
from magenta_style.network.model import StylizationModel, load_model
from magenta_style.stylebook import style_file, table

STYLES = "magenta_style.styles"
# Largest pastiche change from rounding an embedding to float16, measured on
# three 256-px photos: 2.5e-3 (0.63/255) for random_model at alpha 0.25,
# 2.9e-3 (0.73/255) at alpha 1, 6.4e-4 (0.16/255) for the six styles of a
# real alpha-1 model after 400 training steps: under one 8-bit level.
FLOAT16_BOUND = 1 / 255


def random_model(names, alpha=0.25, seed=0):
    """A model with random convolutions and style rows far from identity."""
    keras.utils.set_random_seed(seed)
    model = StylizationModel(names, alpha=alpha, style_info=[
        {"source": f"{n}.jpg", "trained_by": "train", "steps": 10 * (i + 1)}
        for i, n in enumerate(names)])
    for weight in model.transformer.weights:  # trained-scale kernels
        weight.assign(weight.numpy() * 8)
    table = model.style_table.table
    noise = np.random.default_rng(seed).normal(0, 0.5, table.shape)
    table.assign(table.numpy() + noise.astype(np.float32))
    return model


@pytest.fixture(scope="module")
def model():
    return random_model(["ink", "oil", "wash"])


@pytest.fixture
def photo():
    image = open_image(os.path.join(CONTENT_DIR, "chicago.jpg"), max_side=64)
    return image[:40, :56]


@pytest.fixture
def model_dir(model, tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    model.save_atomic(str(folder / "model.keras"))
    return folder


def test_style_file_format_and_size_at_alpha_1(tmp_path):
    big = random_model(["starry_night"], alpha=1.0)
    big.style_info[0]["thumbnail_jpeg"] = "x" * 6000  # never exported
    document = style_file.export_style(big, "starry_night")
    assert list(document) == ["format", "format_version", "name",
                              "embedding_size", "dtype", "byte_order",
                              "embedding", "metadata"]
    assert document["format"] == "magenta_style.style"
    assert document["format_version"] == 1 and document["dtype"] == "float16"
    assert document["byte_order"] == "little"
    assert document["embedding_size"] == 3206
    assert document["metadata"] == {"source": "starry_night.jpg",
                                    "trained_by": "train", "steps": 10,
                                    "architecture": "paper", "alpha": 1.0}
    raw = base64.b64decode(document["embedding"])
    expected = table.table(big)[0].astype("<f2")
    assert raw == expected.tobytes()
    path = tmp_path / "starry_night.style.json"
    style_file.write_style_file(document, str(path))
    assert path.stat().st_size < 16 * 1024
    style = style_file.read_style_file(str(path))
    assert style.name == "starry_night"
    np.testing.assert_array_equal(style.embedding, expected.astype(np.float32))


def test_export_import_round_trip_within_float16_bound(model, photo, tmp_path):
    other_copy = table.remove_style(model, "oil")
    path = tmp_path / "oil.style.json"
    style_file.write_style_file(style_file.export_style(model, "oil"), str(path))
    imported = table.import_style(other_copy, style_file.read_style_file(
        str(path)))
    assert imported.style_names == ["ink", "wash", "oil"]
    info = imported.style_info[2]
    assert info == {"source": "oil.jpg", "trained_by": "train", "steps": 20,
                    "imported_from": "oil.style.json"}
    np.testing.assert_array_equal(table.table(imported)[2],
                                  table.table(model)[1].astype(np.float16)
                                  .astype(np.float32))
    worst = np.abs(imported.stylize(photo, "oil")
                   - model.stylize(photo, "oil")).max()
    assert worst <= FLOAT16_BOUND, worst
    # Untouched styles keep their outputs bit for bit.
    np.testing.assert_array_equal(imported.stylize(photo, "wash"),
                                  model.stylize(photo, "wash"))


def test_rename_remove_list(model):
    renamed = table.rename_style(model, "oil", "oil_paint")
    assert renamed.style_names == ["ink", "oil_paint", "wash"]
    np.testing.assert_array_equal(table.table(renamed), table.table(model))
    assert model.style_names == ["ink", "oil", "wash"]  # input unchanged
    removed = table.remove_style(model, "ink")
    assert removed.style_names == ["oil", "wash"]
    np.testing.assert_array_equal(table.table(removed),
                                  table.table(model)[1:])
    assert [r["steps"] for r in table.list_styles(removed)] == [20, 30]
    with pytest.raises(MagentaStyleError, match="only style"):
        table.remove_style(table.remove_style(removed, "oil"), "wash")
    with pytest.raises(MagentaStyleError, match="already has a style 'wash'"):
        table.rename_style(model, "oil", "wash")
    for bad in ("", "a,b", "a=b", "12", "x/y"):
        with pytest.raises(MagentaStyleError, match="invalid style name"):
            table.rename_style(model, "oil", bad)


def test_import_checks_name_size_and_alpha(model):
    style = style_file.parse_style_file(style_file.export_style(model, "ink"))
    with pytest.raises(MagentaStyleError, match="already has a style 'ink'"):
        table.import_style(model, style)
    assert table.import_style(model, style, "ink2").style_names[-1] == "ink2"
    half = StylizationModel(["x"], alpha=0.5)
    with pytest.raises(MagentaStyleError, match="embedding size 806"):
        table.import_style(half, style)
    style.metadata["alpha"] = 0.3  # same size, other network
    with pytest.raises(MagentaStyleError, match="alpha 0.3"):
        table.import_style(model, style)
    mobile = StylizationModel(["m"], alpha=0.25, architecture="mobile")
    with pytest.raises(MagentaStyleError, match="architecture mobile"):
        table.import_style(
            model, style_file.parse_style_file(style_file.export_style(mobile, 0)))


def test_malformed_style_files_are_errors(model, tmp_path):
    good = style_file.export_style(model, "ink")
    cases = [({"format": "other"}, "not a magenta_style.style"),
             ({"format_version": 2}, "format_version"),
             ({"dtype": "float32"}, "dtype"),
             ({"embedding_size": 5}, "expected 10"),
             ({"embedding": "@@@"}, "base64"),
             ({"name": ""}, "name")]
    for change, message in cases:
        with pytest.raises(MagentaStyleError, match=message):
            style_file.parse_style_file({**good, **change})
    inf = np.full(model.embedding_size, np.inf, "<f2").tobytes()
    with pytest.raises(MagentaStyleError, match="non-finite"):
        style_file.parse_style_file({**good,
                                  "embedding": base64.b64encode(inf).decode()})
    path = tmp_path / "x.style.json"
    path.write_text("{not json")
    with pytest.raises(MagentaStyleError, match="cannot read style file"):
        style_file.read_style_file(str(path))


def test_blend_of_three_named_styles(model, photo):
    weights = {"ink": 0.5, "oil": 0.3, "wash": 0.2}
    rows = table.table(model)
    expected_embedding = 0.5 * rows[0] + 0.3 * rows[1] + 0.2 * rows[2]
    np.testing.assert_allclose(model.embedding(weights), expected_embedding,
                               rtol=1e-6, atol=1e-6)
    blend = model.stylize(photo, weights)
    direct = model.transformer([photo[None], model.embedding(weights)[None]])
    np.testing.assert_allclose(blend, np.asarray(direct)[0], atol=1e-5)
    for name in weights:  # the blend is none of its parts
        assert np.abs(blend - model.stylize(photo, name)).max() > 1e-3


def test_styles_cli_list_rename_export_import(model_dir, tmp_path):
    path = str(model_dir / "model.keras")
    listed = run_cli(STYLES, "--model", str(model_dir))
    assert listed.returncode == 0, listed.stderr[-2000:]
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["#", "name", "source", "trained_by", "steps",
                                "credit"]
    assert lines[2].split() == ["1", "oil", "oil.jpg", "train", "20", "-"]
    assert "3 style(s), paper network, alpha 0.25, embedding size 806" in listed.stdout

    copy = tmp_path / "copy"
    process = run_cli(STYLES, "--model", path, "--rename", "oil=oil_paint",
                      "--output", str(copy))
    assert process.returncode == 0, process.stderr[-2000:]
    assert load_model(str(copy)).style_names == ["ink", "oil_paint", "wash"]
    assert load_model(path).style_names == ["ink", "oil", "wash"]

    process = run_cli(STYLES, "--model", str(copy), "--credit", "oil_paint",
                      "--artist", "Jan Steen", "--title", "A Merry Company")
    assert process.returncode == 0, process.stderr[-2000:]
    credited = load_model(str(copy)).style_info[1]
    assert (credited["artist"], credited["title"]) == ("Jan Steen",
                                                      "A Merry Company")
    listed = run_cli(STYLES, "--model", str(copy)).stdout.splitlines()
    assert listed[2].endswith("Jan Steen, A Merry Company")
    assert_one_line_error(run_cli(STYLES, "--model", str(copy), "--credit",
                                  "oil_paint"), "--credit needs --artist")
    assert_one_line_error(run_cli(STYLES, "--model", str(copy), "--artist",
                                  "X"), "--artist and --title go with")

    style_file = tmp_path / "oil_paint.style.json"
    process = run_cli(STYLES, "--model", str(copy), "--export", "oil_paint",
                      "--to", str(style_file))
    assert process.returncode == 0, process.stderr[-2000:]
    process = run_cli(STYLES, "--model", path, "--import", str(style_file))
    assert process.returncode == 0, process.stderr[-2000:]
    assert "rounded to float16" in process.stdout
    assert load_model(path).style_names == ["ink", "oil", "wash", "oil_paint"]
    assert load_model(path).style_info[3]["artist"] == "Jan Steen"
    process = run_cli(STYLES, "--model", path, "--remove", "ink")
    assert process.returncode == 0, process.stderr[-2000:]
    assert load_model(path).style_names == ["oil", "wash", "oil_paint"]
    assert not [p for p in os.listdir(model_dir) if p.startswith(".tmp")]


def test_styles_cli_bad_input_keeps_the_model(model, model_dir, tmp_path):
    path = model_dir / "model.keras"
    before = path.read_bytes()
    ink = tmp_path / "ink.style.json"
    style_file.write_style_file(style_file.export_style(model, "ink"), str(ink))
    wrong_size = tmp_path / "big.style.json"
    style_file.write_style_file(style_file.export_style(
        random_model(["big"], alpha=0.5), "big"), str(wrong_size))
    wrong_alpha = tmp_path / "alpha.style.json"
    document = style_file.export_style(model, "ink")
    document["metadata"]["alpha"] = 0.3
    style_file.write_style_file(document, str(wrong_alpha))

    def fails(*args):
        return run_cli(STYLES, "--model", str(model_dir), *args)

    assert_one_line_error(fails("--import", str(ink)),
                          "already has a style 'ink'", "--as")
    assert_one_line_error(fails("--import", str(wrong_size)),
                          "embedding size 1606", "806")
    assert_one_line_error(fails("--import", str(wrong_alpha)), "alpha 0.3")
    assert_one_line_error(fails("--import", str(tmp_path / "none.style.json")),
                          "style file not found")
    assert_one_line_error(fails("--rename", "nope=x"), "unknown style 'nope'")
    assert_one_line_error(fails("--rename", "oil"), "old=new")
    assert_one_line_error(fails("--remove", "ink", "--rename", "a=b"),
                          "one action")
    assert_one_line_error(fails("--export", "nope"), "unknown style 'nope'")
    assert path.read_bytes() == before
    assert sorted(os.listdir(model_dir)) == ["model.keras"]

    empty = tmp_path / "empty"
    empty.mkdir()
    assert_one_line_error(run_cli(STYLES, "--model", str(empty)),
                          "no model.keras")
    foreign = tmp_path / "foreign.keras"
    keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)]).save(foreign)
    foreign_bytes = foreign.read_bytes()
    assert_one_line_error(run_cli(STYLES, "--model", str(foreign), "--import",
                                  str(ink), "--as", "x"),
                          "not a magenta_style model")
    assert foreign.read_bytes() == foreign_bytes


def test_style_files_join_an_exported_manifest(model, tmp_path):
    base = table.remove_style(model, "wash")
    path = tmp_path / "styles.json"
    path.write_text(json.dumps(manifest.build_manifest(base, "float32",
                                                       (64, 64))))
    wash = tmp_path / "wash.style.json"
    style_file.write_style_file(style_file.export_style(model, "wash"), str(wash))
    result = manifest.add_style_files(str(path), [str(wash)])
    stored = contract.read_manifest(str(path))
    assert stored == result
    assert [s["name"] for s in stored["styles"]] == ["ink", "oil", "wash"]
    entry = stored["styles"][-1]
    np.testing.assert_array_equal(
        np.asarray(entry["embedding"], np.float32),
        table.table(model)[2].astype(np.float16).astype(np.float32))
    assert entry["source"] == "wash.jpg" and entry["thumbnail"] is None
    before = path.read_bytes()
    with pytest.raises(MagentaStyleError, match="already has a style 'wash'"):
        manifest.add_style_files(str(path), [str(wash)])
    other = tmp_path / "other.style.json"
    style_file.write_style_file(style_file.export_style(
        random_model(["other"], alpha=0.5), "other"), str(other))
    process = run_cli("export.add_styles", "--manifest", str(tmp_path),
                      "--style_files", str(other))
    assert_one_line_error(process, "embedding size 1606")
    assert path.read_bytes() == before


def test_to_tflite_appends_style_files(model, model_dir, tmp_path):
    extra = random_model(["extra"], seed=3)
    extra_file = tmp_path / "extra.style.json"
    style_file.write_style_file(style_file.export_style(extra, "extra"),
                             str(extra_file))
    out = tmp_path / "out"
    process = run_cli("export.to_tflite", "--model", str(model_dir),
                      "--output_dir", str(out), "--quantize", "float32",
                      "--latency_sizes", "32", "--latency_runs", "1",
                      "--style_files", str(extra_file))
    assert process.returncode == 0, process.stderr[-2000:]
    stored = contract.read_manifest(str(out / "styles.json"))
    assert [s["name"] for s in stored["styles"]] == ["ink", "oil", "wash",
                                                     "extra"]
    ink = tmp_path / "ink.style.json"
    style_file.write_style_file(style_file.export_style(model, "ink"), str(ink))
    process = run_cli("export.to_tflite", "--model", str(model_dir),
                      "--output_dir", str(tmp_path / "out2"),
                      "--style_files", str(ink))
    assert_one_line_error(process, "'ink'", "the manifest already has a style")
    assert not (tmp_path / "out2" / "model.tflite").exists()


def test_stylize_cli_blends_three_named_styles(model, model_dir, tmp_path):
    from PIL import Image

    from magenta_style.imaging.images import to_uint8

    source = os.path.join(CONTENT_DIR, "chicago.jpg")
    process = run_cli("magenta_style.stylize", "--model", str(model_dir),
                      "--content", source, "--output_dir", str(tmp_path / "o"),
                      "--max_size", "48", "--blend", "ink=5,oil=3,wash=2",
                      "--precision", "float32")  # as the API's default
    assert process.returncode == 0, process.stderr[-2000:]
    written = tmp_path / "o" / "chicago_blend_ink50_oil30_wash20.png"
    expected = to_uint8(model.stylize(open_image(source, max_side=48),
                                      {"ink": 0.5, "oil": 0.3, "wash": 0.2}))
    got = np.asarray(Image.open(written))
    assert np.abs(got.astype(int) - expected.astype(int)).max() <= 1
