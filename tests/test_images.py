"""Image reading: modes, bit depths, EXIF orientation, bad files."""

import numpy as np
import pytest
from PIL import Image

from magenta_style import constants
from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.images import open_image, save_image, stored_size


def test_rgba_is_composited_over_white(tmp_path):
    rgba = np.zeros((32, 32, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[:16, :, 3] = 255  # top half opaque red, bottom half transparent
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    image = open_image(str(tmp_path / "a.png"))
    assert image.shape == (32, 32, 3) and image.dtype == np.float32
    np.testing.assert_allclose(image[0, 0], [1, 0, 0])
    np.testing.assert_allclose(image[31, 0], [1, 1, 1])


def test_grayscale_becomes_three_equal_channels(tmp_path):
    Image.fromarray(np.full((32, 40), 51, np.uint8), "L").save(tmp_path / "g.png")
    image = open_image(str(tmp_path / "g.png"))
    assert image.shape == (32, 40, 3)
    np.testing.assert_allclose(image, 0.2, atol=1e-6)


def test_sixteen_bit_png_keeps_its_precision(tmp_path):
    values = np.tile(np.array([[0, 1000, 65535]], np.uint16), (32, 11))
    Image.fromarray(values).save(tmp_path / "16.png")
    assert Image.open(tmp_path / "16.png").mode.startswith("I")
    image = open_image(str(tmp_path / "16.png"))
    np.testing.assert_allclose(image[0, :, 0], values[0] / 65535.0, atol=1e-6)


def test_exif_orientation_is_applied(tmp_path):
    pixels = np.zeros((32, 96, 3), np.uint8)  # wide image
    pixels[0, 0] = 255
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    Image.fromarray(pixels).save(tmp_path / "r.jpg", exif=exif, quality=100)
    assert open_image(str(tmp_path / "r.jpg")).shape == (96, 32, 3)
    assert stored_size(str(tmp_path / "r.jpg")) == (32, 96)


def test_max_side_shrinks_longer_side(tmp_path):
    Image.new("RGB", (300, 120)).save(tmp_path / "w.png")
    assert open_image(str(tmp_path / "w.png"), max_side=90).shape == (36, 90, 3)


@pytest.mark.parametrize("size", [(1, 1), (4, 4), (1, 500), (500, 2), (31, 40)])
def test_images_below_the_minimum_side_are_refused(tmp_path, size):
    Image.new("RGB", size).save(tmp_path / "tiny.png")
    with pytest.raises(MagentaStyleError,
                       match=f"tiny.png is {size[0]}x{size[1]} pixels: too "
                             f"small.*at least {constants.MIN_IMAGE_SIDE}"):
        open_image(str(tmp_path / "tiny.png"))


def test_the_minimum_side_holds_after_shrinking(tmp_path):
    Image.new("RGB", (4000, 60)).save(tmp_path / "pano.png")
    assert open_image(str(tmp_path / "pano.png")).shape == (60, 4000, 3)
    with pytest.raises(MagentaStyleError,
                       match=r"1024x15 pixels after shrinking to 1024 \(from "
                             r"4000x60\)"):
        open_image(str(tmp_path / "pano.png"), max_side=1024)


@pytest.mark.parametrize("content", [b"", b"not an image at all",
                                     b"\xff\xd8\xff\xe0" + b"\x00" * 50])
def test_corrupt_file_is_a_clear_error(tmp_path, content):
    (tmp_path / "bad.jpg").write_bytes(content)
    with pytest.raises(MagentaStyleError, match="bad.jpg"):
        open_image(str(tmp_path / "bad.jpg"))


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(MagentaStyleError, match="not found"):
        open_image(str(tmp_path / "nope.png"))


def test_save_image_round_trips_png(tmp_path, rng):
    image = rng.random((33, 35, 3), dtype=np.float32)
    save_image(image, str(tmp_path / "o.png"))
    back = open_image(str(tmp_path / "o.png"))
    np.testing.assert_allclose(back, image, atol=0.5 / 255 + 1e-6)
    assert [p.name for p in tmp_path.iterdir()] == ["o.png"]
