"""Colour preservation: exact YIQ round trip, luminance of the pastiche with
the chrominance of the content, on real images."""

import os

import numpy as np
import pytest
from conftest import CONTENT_DIR, STYLES_DIR

from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.color import preserve_colors, rgb_to_yiq, yiq_to_rgb
from magenta_style.imaging.images import open_image, to_uint8
from magenta_style.imaging.transforms import resize


@pytest.fixture(scope="module")
def pair():
    """A real photo and a painting of the same size (the painting stands in
    for a pastiche: strong colours of its own)."""
    content = open_image(os.path.join(CONTENT_DIR, "tubingen.jpg"), max_side=96)
    painting = open_image(os.path.join(STYLES_DIR, "starry_night.jpg"),
                          max_side=256)
    return content, resize(painting, *content.shape[:2])


def test_yiq_of_the_primaries_and_the_published_inverse(rng):
    # NTSC 1953: Y of red, green, blue is 0.299, 0.587, 0.114 (they sum to
    # the Y of white, 1); the commonly published inverse is, to its 3
    # decimals, R = Y + 0.956 I + 0.619 Q, G = Y - 0.272 I - 0.647 Q,
    # B = Y - 1.106 I + 1.703 Q.
    primaries = rgb_to_yiq(np.eye(3))
    np.testing.assert_allclose(primaries[:, 0], [0.299, 0.587, 0.114])
    np.testing.assert_allclose(rgb_to_yiq(np.ones(3)), [1.0, 0.0, 0.0],
                               atol=1e-5)
    yiq = rng.random((17, 23, 3)) * [1.0, 0.5, 0.5] - [0.0, 0.25, 0.25]
    published = yiq @ np.array([[1.0, 0.956, 0.619], [1.0, -0.272, -0.647],
                                [1.0, -1.106, 1.703]]).T
    np.testing.assert_allclose(yiq_to_rgb(yiq), published, atol=2e-3)
    gray = np.full((4, 4, 3), 0.4)
    yiq = rgb_to_yiq(gray)
    np.testing.assert_allclose(yiq[..., 0], 0.4, atol=1e-12)  # Y of gray
    np.testing.assert_allclose(yiq[..., 1:], 0.0, atol=1e-12)  # no chroma


def test_output_has_content_chroma_and_pastiche_luma(pair):
    content, pastiche = pair
    out = preserve_colors(content, pastiche)
    assert out.dtype == np.float32 and out.shape == content.shape
    assert out.min() >= 0.0 and out.max() <= 1.0

    wanted = rgb_to_yiq(content)
    wanted[..., 0] = rgb_to_yiq(pastiche)[..., 0]
    unclipped = np.all((yiq_to_rgb(wanted) >= 0) & (yiq_to_rgb(wanted) <= 1),
                       axis=-1)
    assert unclipped.mean() > 0.5  # the check below covers most pixels

    got = rgb_to_yiq(out)
    content_yiq, pastiche_yiq = rgb_to_yiq(content), rgb_to_yiq(pastiche)
    # Float result: chroma of the content, luma of the pastiche.
    assert np.abs(got[..., 1:] - content_yiq[..., 1:])[unclipped].max() < 1e-5
    assert np.abs(got[..., 0] - pastiche_yiq[..., 0])[unclipped].max() < 1e-5
    # ... and still within 1/255 once written as 8-bit RGB.
    saved = rgb_to_yiq(to_uint8(out) / 255.0)
    assert np.abs(saved[..., 1:] - content_yiq[..., 1:])[unclipped].max() \
        <= 1 / 255
    assert np.abs(saved[..., 0] - pastiche_yiq[..., 0])[unclipped].max() \
        <= 1 / 255
    # The luminance really is the pastiche's, not the content's, and the
    # colours really are the content's, not the pastiche's.
    assert np.abs(got[..., 0] - content_yiq[..., 0]).mean() > 0.05
    assert np.abs(got[..., 1:] - pastiche_yiq[..., 1:]).mean() > 0.03


def test_accepts_uint8_and_rejects_mismatched_shapes(pair):
    content, pastiche = pair
    np.testing.assert_allclose(
        preserve_colors(to_uint8(content), to_uint8(pastiche)),
        preserve_colors(to_uint8(content) / 255.0, to_uint8(pastiche) / 255.0),
        atol=1e-6)
    with pytest.raises(MagentaStyleError, match="same shape"):
        preserve_colors(content, pastiche[:-1])
    with pytest.raises(MagentaStyleError, match="3 colour channels"):
        rgb_to_yiq(np.zeros((4, 4, 4)))
