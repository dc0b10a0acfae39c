"""Image files: discovery, style images by name, their errors."""

import os

import pytest
from conftest import STYLES_DIR
from PIL import Image

from magenta_style.errors import MagentaStyleError
from magenta_style.imaging import folders as data


def _write(path, size=(40, 32), color=(10, 200, 30)):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.new("RGB", size, color).save(path)


def test_list_images_is_recursive_sorted_and_filtered(tmp_path):
    _write(str(tmp_path / "b.png"))
    _write(str(tmp_path / "sub" / "a.JPG"))
    _write(str(tmp_path / "sub" / "c.webp"))
    _write(str(tmp_path / "sub" / "d.gif"))
    (tmp_path / "notes.txt").write_text("x")
    names = [os.path.relpath(p, tmp_path) for p in data.list_images(str(tmp_path))]
    assert names == ["b.png", os.path.join("sub", "a.JPG"),
                     os.path.join("sub", "c.webp"), os.path.join("sub", "d.gif")]


def test_style_images_are_sorted_named_and_resized():
    names, images, paths = data.load_style_images(
        STYLES_DIR, 64, ["wave_crop", "the_scream"])
    assert names == ["the_scream", "wave_crop"]
    assert [max(i.shape[:2]) for i in images] == [64, 64]
    assert os.path.basename(paths[0]) == "the_scream.jpg"


def test_small_style_image_is_enlarged_and_a_tiny_one_refused(tmp_path):
    _write(str(tmp_path / "small.png"), size=(48, 32))
    _, images, _ = data.load_style_images(str(tmp_path), 96)
    assert images[0].shape == (64, 96, 3)
    _write(str(tmp_path / "tiny.png"), size=(20, 10))
    with pytest.raises(MagentaStyleError, match="tiny.png is 20x10 pixels"):
        data.load_style_images(str(tmp_path), 96)


def test_style_folder_errors(tmp_path):
    with pytest.raises(MagentaStyleError, match="no style images"):
        data.load_style_images(str(tmp_path), 64)
    with pytest.raises(MagentaStyleError, match="not found"):
        data.load_style_images(str(tmp_path / "missing"), 64)
    with pytest.raises(MagentaStyleError, match="unknown style"):
        data.load_style_images(STYLES_DIR, 64, ["no_such_style"])
