"""Tiled rendering: windows with the whole image's statistics give the
whole-image pass, for both architectures, at image sizes that are not
multiples of the windows or of the network's size multiple."""

import keras
import numpy as np
import pytest

from magenta_style.network.model import StylizationModel
from magenta_style.rendering import tiles
from magenta_style.stylebook import table


def styled_model(architecture: str, rng) -> StylizationModel:
    keras.utils.set_random_seed(1)
    model = StylizationModel(["a", "b"], alpha=0.25,
                             architecture=architecture)
    model.style_table.table.assign(table.table(model) + rng.normal(
        0, 0.3, (2, model.embedding_size)).astype(np.float32))
    return model


@pytest.mark.parametrize("architecture", ["paper", "mobile"])
def test_windows_with_measured_statistics_are_the_whole_pass(architecture,
                                                             rng):
    model = styled_model(architecture, rng)
    image = (rng.random((70, 101, 3)) * 255).astype(np.uint8)
    embedding = table.table(model)[1]
    whole = model.transformer([image[None].astype(np.float32) / 255,
                               embedding[None]]).numpy()[0]
    grid = tiles.window_grid(70, 101, 24, tiles.halo(model.transformer))
    assert (len(grid), len(grid[0])) == (3, 5)
    every = [w for row in grid for w in row]
    statistics = tiles.measure_statistics(model.transformer, image,
                                          embedding, every)
    assert len(statistics) == 16  # every CIN layer
    bands = list(tiles.render_windows(model.transformer, image, embedding,
                                      statistics, grid))
    assert [top for top, _ in bands] == [0, 24, 48]
    tiled = np.concatenate([band for _, band in bands])
    assert tiled.shape == whole.shape
    np.testing.assert_allclose(tiled, whole, atol=5e-5)
    # A window's own statistics are not the image's: naive tiling differs.
    own = tiles.measure_statistics(model.transformer, image, embedding,
                                   every[:1])
    naive = np.concatenate([b for _, b in tiles.render_windows(
        model.transformer, image, embedding, own, grid)])
    assert np.abs(naive - whole).mean() > 1e-3


def test_halo_covers_the_receptive_field(rng):
    model = styled_model("paper", rng)
    margin = tiles.halo(model.transformer)
    assert margin % 4 == 0
    # One window of a core 4 px too little halo no longer computes it.
    inner = tiles.Extent(256 - margin + 4, 256 + 64 + margin - 4, 1024)
    rows, _ = tiles._output_extents(model.transformer, inner, inner)
    assert rows.start > 256 or rows.stop < 256 + 64


def test_sampled_windows_spread_over_rows_and_columns():
    grid = tiles.window_grid(400, 640, 80, 8)  # 5 rows of 8 windows
    picked = tiles.sample_windows(grid, 8)
    assert len({w.core for w in picked}) == 8
    assert {w.core[0] for w in picked} == {r[0].core[0] for r in grid}
    assert len({w.core[1] for w in picked}) >= 6
