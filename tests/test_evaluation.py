"""Evaluation helpers against NumPy / SciPy-free references."""

import numpy as np

from magenta_style.objective.evaluation import spearman


def test_spearman_of_monotone_sequences():
    x = [0.0, 0.1, 0.5, 0.9]
    assert spearman(x, [10, 8, 3, 1]) == -1.0
    assert spearman(x, [1, 2, 5, 40]) == 1.0


def test_spearman_matches_rank_correlation_formula(rng):
    x, y = rng.random(9), rng.random(9)
    rx, ry = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))
    d = rx - ry
    expected = 1 - 6 * np.sum(d ** 2) / (9 * (81 - 1))
    assert abs(spearman(x, y) - expected) < 1e-12
