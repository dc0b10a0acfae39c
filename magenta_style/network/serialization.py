"""How the network's layers are saved: their Keras registration package and
the reading of configs that older models wrote."""

from __future__ import annotations

# The package under which every layer and model of magenta_style registers
# for Keras saving: a saved model names its classes "magenta_style>Class",
# whatever module defines them.
PACKAGE = "magenta_style"


def current_config(config: dict) -> dict:
    """A layer config without ``pad_with_slices``, which models saved before
    2026-11-28 carry (always False): pads now pick their ops by
    ``training``."""
    return {k: v for k, v in config.items() if k != "pad_with_slices"}
