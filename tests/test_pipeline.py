"""Training examples: corrupt files skipped, crops in range, every example a
function of (seed, pipeline, index), shares of the photos disjoint."""

import os

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from magenta_style.errors import MagentaStyleError
from magenta_style.training.pipeline import (
    PhotoFolder,
    photo_examples,
    random_crop,
)


def _write(path, size=(48, 40), color=(10, 200, 30)):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.new("RGB", size, color).save(path)


def _photos(count, rng):
    return [rng.integers(0, 256, (40 + 3 * i, 50, 3), dtype=np.uint8)
            for i in range(count)]


def _take(dataset, count):
    return [(image.numpy(), int(style))
            for image, style in dataset.take(count)]


def test_corrupt_images_are_skipped_and_counted(tmp_path):
    for i in range(3):
        _write(str(tmp_path / f"good{i}.png"))
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8garbage")
    _write(str(tmp_path / "tiny.png"), size=(8, 8))
    photos, line = PhotoFolder(str(tmp_path)).share(32)
    assert len(photos) == 3 and all(p.dtype == np.uint8 for p in photos)
    assert "3 images" in line
    assert "skipped 1 unreadable (broken.jpg); skipped 1 too small (tiny.png)" in line
    examples, _ = PhotoFolder(str(tmp_path)).examples(32, [0], seed=0)
    image, style = next(iter(examples))
    assert image.shape == (32, 32, 3) and int(style) == 0


def test_folder_without_readable_images_is_an_error(tmp_path):
    (tmp_path / "x.png").write_bytes(b"nope")
    with pytest.raises(MagentaStyleError, match="no readable image"):
        PhotoFolder(str(tmp_path)).share(32)
    with pytest.raises(MagentaStyleError, match="not found"):
        PhotoFolder(str(tmp_path / "missing"))


def test_random_crop_is_square_in_range_repeatable_and_varies():
    image = tf.random.uniform([50, 80, 3])
    seeds = [tf.constant([7, i], tf.int64) for i in range(4)]
    crops = [random_crop(image, 24, s).numpy() for s in seeds]
    assert all(c.shape == (24, 24, 3) for c in crops)
    assert all(0.0 <= c.min() and c.max() <= 1.0 for c in crops)
    assert max(np.abs(crops[0] - c).max() for c in crops[1:]) > 0.01
    np.testing.assert_array_equal(crops[2], random_crop(image, 24,
                                                        seeds[2]).numpy())


def test_examples_are_a_function_of_seed_and_index(rng):
    photos = _photos(5, rng)
    first = _take(photo_examples(photos, 32, [0, 1, 2], seed=3), 12)
    again = _take(photo_examples(photos, 32, [0, 1, 2], seed=3), 12)
    other = _take(photo_examples(photos, 32, [0, 1, 2], seed=4), 12)
    resumed = _take(photo_examples(photos, 32, [0, 1, 2], seed=3, first=7), 5)
    for (a, s), (b, t) in zip(first, again):
        np.testing.assert_array_equal(a, b)
        assert s == t
    for (a, s), (b, t) in zip(first[7:], resumed):
        np.testing.assert_array_equal(a, b)
        assert s == t
    assert max(np.abs(a - b).max() for (a, _), (b, _) in zip(first, other)) > 0.1


def test_every_photo_is_used_once_per_epoch(rng):
    # Each photo has its own constant colour, so the crop tells which it is.
    photos = [np.full((40, 40, 3), 20 * i, np.uint8) for i in range(6)]
    examples = _take(photo_examples(photos, 32, [0], seed=1), 12)
    seen = [int(round(image.mean() * 255 / 20)) for image, _ in examples]
    assert sorted(seen[:6]) == list(range(6))
    assert sorted(seen[6:]) == list(range(6))
    assert seen[:6] != seen[6:]  # a new order each epoch


def test_styles_are_drawn_from_the_given_rows_only(rng):
    examples = _take(photo_examples(_photos(3, rng), 32, [2, 5], seed=0), 200)
    styles = [s for _, s in examples]
    assert set(styles) == {2, 5}
    assert 70 < styles.count(2) < 130


def test_pipelines_share_out_disjoint_photos(tmp_path):
    for i in range(5):
        _write(str(tmp_path / f"p{i}.png"))
    folder = PhotoFolder(str(tmp_path))
    lines = [folder.share(32, pipeline=i, pipelines=2)[1] for i in range(2)]
    assert "p0.png, p2.png, p4.png" in lines[0] and "3 images" in lines[0]
    assert "p1.png, p3.png" in lines[1] and "2 images" in lines[1]
