"""The style embedding's layout: the one contract every part shares.

A style embedding is one flat vector: for each conditional instance
normalization (CIN) layer, in the order the network is built, its γ (C
values) then its β (C values). The transformer is built through an
EmbeddingLayout that hands each CIN layer its slot as the layer is made, so
the order exists in one place; training, blending, fine-tuning, style files,
the TFLite manifest and the Android app all read the layout from there.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


class EmbeddingLayout:
    """Slots (offset, channels) of CIN layers in a style embedding."""

    def __init__(self, channels: Sequence[int] = ()):
        self._channels: list[int] = []
        for count in channels:
            self.allocate(count)

    def allocate(self, channels: int) -> int:
        """Reserves the slot of the next CIN layer; returns its offset."""
        if channels < 1:
            raise ValueError(f"a CIN layer needs channels >= 1, got {channels}")
        offset = self.size
        self._channels.append(int(channels))
        return offset

    @property
    def channels(self) -> tuple[int, ...]:
        """Channel counts of the CIN layers, in embedding order."""
        return tuple(self._channels)

    @property
    def size(self) -> int:
        """Length of an embedding: γ and β of every channel."""
        return 2 * sum(self._channels)

    def identity(self) -> np.ndarray:
        """The embedding with γ = 1 and β = 0 everywhere (plain instance
        normalization): where a new style starts."""
        parts = []
        for count in self._channels:
            parts += [np.ones(count, np.float32), np.zeros(count, np.float32)]
        return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def check_slot(offset: int, channels: int, embedding_size: int) -> None:
    """Raises unless [offset, offset + 2·channels) lies inside the embedding."""
    if offset < 0 or offset + 2 * channels > embedding_size:
        raise ValueError(
            f"CIN slot of {channels} channels at offset {offset} runs past "
            f"the style embedding of size {embedding_size}")
