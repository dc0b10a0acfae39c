"""What a training run is: one frozen TrainConfig, each field with its unit.

The library's ``training.loop.train`` takes a TrainConfig; the command-line
tools only turn flags into one. A run's folder records its config, and a
rerun resumes only if the fields that decide the result (RESUME_KEYS) match.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping

from magenta_style import constants
from magenta_style.errors import MagentaStyleError
from magenta_style.network.precision import LEGACY_NAMES, PRECISIONS
from magenta_style.objective.loss_config import LossConfig

# Where the steps run (see training.distribute): "auto" is MirroredStrategy
# when more than one GPU (or --cpu_replicas > 1) is visible, else "default".
STRATEGIES = ("auto", "default", "mirrored", "multi_worker", "tpu")
OPTIMIZERS = ("adam", "sgd")

# Fields that decide what a run computes: a run folder resumes only with the
# same values. Steps, batch, rate, strategy and precision may change.
RESUME_KEYS = ("image_size", "style_size", "seed", "optimizer", "loss")


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters and placement of one training run."""

    image_size: int = constants.DEFAULT_IMAGE_SIZE  # px, side of square crops
    style_size: int = constants.DEFAULT_STYLE_SIZE  # px, longer side of styles
    batch_size: int = constants.DEFAULT_BATCH_SIZE  # images/step, all replicas
    steps: int = constants.DEFAULT_STEPS  # optimizer steps in total
    learning_rate: float = constants.DEFAULT_LEARNING_RATE  # per step
    optimizer: str = "adam"
    checkpoint_every: int = constants.DEFAULT_CHECKPOINT_EVERY  # steps
    seed: int = 0
    deterministic: bool = False  # TensorFlow op determinism (slower)
    precision: str = "auto"  # network.precision: PRECISIONS
    strategy: str = "auto"
    cpu_replicas: int = 1  # logical CPU devices for "mirrored" without GPUs
    tpu: str = ""  # TPU name or grpc:// address; "" = the local TPU VM
    cache_images: bool = True  # keep decoded photos in memory
    loss: LossConfig = LossConfig()
    vgg_weights: str = "imagenet"  # or the path of a local VGG-19 notop .h5

    def __post_init__(self):
        _check(self.image_size >= constants.MIN_IMAGE_SIDE
               and self.image_size % constants.SIZE_MULTIPLE == 0,
               f"image_size must be a multiple of {constants.SIZE_MULTIPLE} "
               f"and >= {constants.MIN_IMAGE_SIDE} px, got {self.image_size}")
        _check(self.style_size >= constants.MIN_IMAGE_SIDE,
               f"style_size must be >= {constants.MIN_IMAGE_SIDE} px, "
               f"got {self.style_size}")
        for name in ("batch_size", "steps", "checkpoint_every",
                     "cpu_replicas"):
            _check(getattr(self, name) >= 1,
                   f"{name} must be >= 1, got {getattr(self, name)}")
        _check(self.learning_rate > 0,
               f"learning_rate must be > 0, got {self.learning_rate}")
        for name, choices in (("strategy", STRATEGIES),
                              ("precision", PRECISIONS),
                              ("optimizer", OPTIMIZERS)):
            _check(getattr(self, name) in choices,
                   f"{name} must be one of {', '.join(choices)}, "
                   f"got {getattr(self, name)!r}")
        _check(self.cpu_replicas == 1 or self.strategy in ("auto", "mirrored"),
               "cpu_replicas > 1 needs the mirrored (or auto) strategy")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (train_config.json)."""
        return {**dataclasses.asdict(self), "loss": self.loss.to_dict()}

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> "TrainConfig":
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in values.items() if k in known}
        if "precision" in values:
            values["precision"] = LEGACY_NAMES.get(values["precision"],
                                                   values["precision"])
        if "loss" in values:
            values["loss"] = LossConfig.from_dict(values["loss"])
        return cls(**values)


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise MagentaStyleError(message)
