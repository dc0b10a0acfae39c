"""Which VGG-19 layers the perceptual loss reads, and their weights.

Kept apart from the loss itself (objective.losses) so that configs can be
built, compared and stored without loading TensorFlow.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping, Sequence

from magenta_style import constants
from magenta_style.errors import MagentaStyleError


def _broadcast_weights(layers: Sequence[str], weights: Sequence[float],
                       what: str) -> tuple[float, ...]:
    """One weight per layer: a single weight applies to every layer."""
    weights = tuple(float(w) for w in weights)
    if len(weights) == 1:
        weights *= len(layers)
    if len(weights) != len(layers):
        raise MagentaStyleError(
            f"{len(weights)} {what} weights given for {len(layers)} layers; "
            "give one weight or one per layer")
    if any(w < 0 for w in weights):
        raise MagentaStyleError(f"{what} weights must be >= 0, got {weights}")
    return weights


@dataclasses.dataclass(frozen=True)
class LossConfig:
    """Which VGG-19 layers the losses read, and their weights."""

    content_layers: tuple[str, ...] = constants.VGG_CONTENT_LAYERS
    content_weights: tuple[float, ...] = (constants.DEFAULT_CONTENT_WEIGHT,)
    style_layers: tuple[str, ...] = constants.VGG_STYLE_LAYERS
    style_weights: tuple[float, ...] = constants.DEFAULT_STYLE_WEIGHTS

    def __post_init__(self):
        for field in ("content_layers", "style_layers"):
            if not getattr(self, field):
                raise MagentaStyleError(f"{field} must not be empty")
            object.__setattr__(self, field, tuple(getattr(self, field)))
        object.__setattr__(self, "content_weights", _broadcast_weights(
            self.content_layers, self.content_weights, "content"))
        object.__setattr__(self, "style_weights", _broadcast_weights(
            self.style_layers, self.style_weights, "style"))

    def to_dict(self) -> dict:
        return {k: list(v) for k, v in dataclasses.asdict(self).items()}

    @classmethod
    def from_dict(cls, config: Mapping) -> "LossConfig":
        return cls(**{k: tuple(v) for k, v in config.items()})
