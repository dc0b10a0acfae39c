"""Tiled rendering: the network layer by layer over row tiles, with the
whole image's statistics, gives the whole-image pass, for both
architectures, at sizes that are not multiples of the tiles or of the
network's size multiple; its feature files are removed. Big images: read
past Pillow's bomb limit only at full size, written as streamed rows."""

import os

import keras
import numpy as np
import pytest
from conftest import CONTENT_DIR, assert_one_line_error, run_cli
from PIL import Image

from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.images import (
    ImageFile,
    save_image,
    save_rows,
    to_uint8,
)
from magenta_style.measurement import psnr
from magenta_style.network.model import StylizationModel
from magenta_style.rendering.plan import plan_render
from magenta_style.rendering import tiles
from magenta_style.stylebook import table


def styled_model(architecture: str, rng) -> StylizationModel:
    keras.utils.set_random_seed(1)
    model = StylizationModel(["a", "b"], alpha=0.25,
                             architecture=architecture)
    model.style_table.table.assign(table.table(model) + rng.normal(
        0, 0.3, (2, model.embedding_size)).astype(np.float32))
    return model


@pytest.mark.parametrize("architecture,in_memory", [
    ("paper", False), ("mobile", False), ("mobile", True)])
def test_tiles_with_the_images_statistics_are_the_whole_pass(
        architecture, in_memory, rng, tmp_path, monkeypatch):
    monkeypatch.setattr(tiles, "TILE_VALUES", 4000)  # many tiles per layer
    if not in_memory:
        monkeypatch.setattr(tiles, "IN_MEMORY_BYTES", 0)  # in files
    model = styled_model(architecture, rng)
    image = (rng.random((70, 101, 3)) * 255).astype(np.uint8)
    embedding = table.table(model)[1]
    whole = model.transformer([image[None].astype(np.float32) / 255,
                               embedding[None]]).numpy()[0]
    reads = []

    def read_rows(start, stop):
        reads.append((start, stop))
        return image[start:stop]

    parts = list(tiles.render_tiled(model.transformer, read_rows, 70, 101,
                                    embedding, str(tmp_path)))
    tiled = np.concatenate(parts)
    assert len(parts) > 1 and tiled.shape == whole.shape
    if in_memory:  # in the network's float32
        np.testing.assert_allclose(tiled, whole, atol=2e-5)
    else:  # files hold float16 (tiles.FILE_DTYPE): 11-bit rounding
        assert psnr(tiled, whole) > 60
    assert max(stop - start for start, stop in reads) < 70  # never whole
    assert os.listdir(tmp_path) == []


def test_a_tiles_own_statistics_would_show_seams(rng, tmp_path):
    """What the exact statistics avoid: the top and bottom halves rendered
    alone differ from the whole pass, most at the border between them."""
    model = styled_model("mobile", rng)
    image = (rng.random((64, 64, 3)) * 255).astype(np.uint8)
    embedding = table.table(model)[0]
    whole = np.concatenate(list(tiles.render_tiled(
        model.transformer, lambda a, b: image[a:b], 64, 64, embedding,
        str(tmp_path))))
    halves = [np.concatenate(list(tiles.render_tiled(
        model.transformer, lambda a, b, part=part: part[a:b], 32, 64,
        embedding, str(tmp_path)))) for part in (image[:32], image[32:])]
    assert np.abs(np.concatenate(halves) - whole).mean() > 1e-3


def test_mirrored_indices_match_numpys_reflect():
    index = np.arange(-3, 12)
    expected = np.pad(np.arange(9), 3, mode="reflect")
    np.testing.assert_array_equal(tiles.mirrored(index, 9), expected)


def test_stylize_tiled_writes_the_whole_pass_pastiche(tmp_path):
    """The command's tiled path (float32) against its whole-image path, on
    a real photo and the bundled model, with the photo's colours kept."""
    outputs = {}
    for mode in ("whole", "tiled"):
        process = run_cli(
            "magenta_style.stylize", "--content",
            os.path.join(CONTENT_DIR, "golden_gate.jpg"), "--output_dir",
            str(tmp_path / mode), "--styles", "the_scream", "--max_size",
            "200", "--precision", "float32", "--preserve_colors",
            "--scratch_dir", str(tmp_path), *(["--tiled"] * (mode == "tiled")))
        assert process.returncode == 0, process.stderr[-2000:]
        outputs[mode] = np.asarray(Image.open(
            tmp_path / mode / "golden_gate_the_scream.png"), np.float32) / 255
    assert "in tiles" in process.stdout
    assert psnr(outputs["tiled"], outputs["whole"]) >= 60
    assert [p for p in os.listdir(tmp_path) if p.endswith(".features")] == []


def test_stylize_tiled_without_room_for_features_is_one_line(tmp_path):
    process = run_cli(
        "magenta_style.stylize", "--content",
        os.path.join(CONTENT_DIR, "golden_gate.jpg"), "--output_dir",
        str(tmp_path / "out"), "--styles", "the_scream", "--max_size", "200",
        "--tiled", "--scratch_dir", str(tmp_path / "missing"))
    assert_one_line_error(process, "--scratch_dir", "missing")
    assert not (tmp_path / "out" / "golden_gate_the_scream.png").exists()


def test_pixels_past_the_bomb_limit_are_decoded_only_at_full_size(
        tmp_path, monkeypatch):
    path = str(tmp_path / "big.png")
    pixels = (np.arange(64 * 48 * 3) % 251).astype(np.uint8).reshape(48, 64, 3)
    Image.fromarray(pixels).save(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 3,072 is "big"
    with ImageFile(path) as photo:
        assert photo.oversized and photo.size == (64, 48)
        with pytest.raises(MagentaStyleError, match="decompression-bomb"):
            photo.read((48, 36))
        rows = photo.row_reader()
    # The rows outlive the file (the tiles read them after it is closed).
    np.testing.assert_array_equal(to_uint8(rows(10, 20)), pixels[10:20])
    assert Image.MAX_IMAGE_PIXELS == 1000  # the limit is back


def test_the_api_renders_in_tiles_where_a_whole_pass_does_not_fit(
        rng, monkeypatch):
    from magenta_style.imaging import memory

    model = styled_model("mobile", rng)
    photo = rng.random((70, 101, 3)).astype(np.float32)
    photos = np.stack([photo, photo[::-1]])
    whole_styles = model.stylize_styles(photo, ["a", "b"])
    whole_batch = model.stylize(photos, "b")
    assert not model.render_plan((70, 101), 2).tiled
    monkeypatch.setattr(memory, "stylize_bytes", lambda *args: 10 ** 15)
    assert model.render_plan((70, 101), 2).tiled
    np.testing.assert_allclose(model.stylize_styles(photo, ["a", "b"]),
                               whole_styles, atol=2e-5)
    np.testing.assert_allclose(model.stylize(photos, "b"), whole_batch,
                               atol=2e-5)


def test_rows_streamed_to_png_are_the_image(tmp_path, rng):
    image = rng.random((37, 29, 3)).astype(np.float32)
    save_rows(iter([image[:10], image[10:11], image[11:]]), (29, 37),
              str(tmp_path / "rows.png"))
    save_image(image, str(tmp_path / "whole.jpg"))
    read = np.asarray(Image.open(tmp_path / "rows.png"))
    np.testing.assert_array_equal(read, to_uint8(image))
    assert Image.open(tmp_path / "whole.jpg").size == (29, 37)


def test_the_plan_tiles_what_passes_the_memory_budget():
    network = {"architecture": "mobile", "alpha": 0.25}
    whole = plan_render((8000, 6000), None, network, 3, "big.jpg",
                        budget=10 ** 12)
    assert (whole.tiled, whole.size) == (False, (8000, 6000))
    tiled = plan_render((8000, 6000), None, network, 3, "big.jpg",
                        budget=3 * 10 ** 9)  # a whole pass needs ~7 GB
    assert (tiled.tiled, tiled.per_pass) == (True, 1)
    assert "in tiles" in tiled.description
    forced = plan_render((640, 480), None, network, 3, "small.jpg",
                         tiled=True)
    assert forced.tiled
