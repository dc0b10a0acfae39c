"""A painting corpus as the style predictor trains on it.

Each painting is seen as its predictor view (network.predictor) and reduced,
once before training, to what a training step needs of it: the predictor's
channel statistics (the only input of the part that trains) and the Gram
targets of the perceptual loss at that same view. A fixed part of every
corpus is held out (``split_held_out``) for evaluation; no training reads it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from typing import Sequence

import numpy as np

from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.files import atomic_file
from magenta_style.imaging.folders import decode_each, list_images
from magenta_style.network.predictor import StylePredictor
from magenta_style.runtime.contract import read_style_view
from magenta_style.objective.losses import PerceptualLoss

HOLDOUT_EVERY = 10  # every 10th painting, in sorted order, is held out
# Paintings per batch of VGG passes while computing a bank.
_BANK_BATCH = 8


def split_held_out(paths: Sequence[str], every: int = HOLDOUT_EVERY
                   ) -> tuple[list[str], list[str]]:
    """(training, held out) paintings: the held-out ones are the every-th,
    2·every-th, … of the sorted paths."""
    ordered = sorted(paths)
    held = [p for i, p in enumerate(ordered, 1) if i % every == 0]
    return [p for i, p in enumerate(ordered, 1) if i % every], held


def corpus(directory: str, every: int = HOLDOUT_EVERY
           ) -> tuple[list[str], list[str]]:
    """The training and held-out paintings of a folder (recursively)."""
    paths = list_images(directory)
    if len(paths) < every:
        raise MagentaStyleError(
            f"{directory} has {len(paths)} painting(s); a corpus needs at "
            f"least {every} (every {every}th is held out)")
    return split_held_out(paths, every)


@dataclasses.dataclass(frozen=True)
class PaintingBank:
    """Per painting: predictor statistics [P, F] and Gram targets
    {layer: [P, C, C]}, in the order of ``files``."""

    files: tuple[str, ...]
    statistics: np.ndarray
    grams: dict

    def __len__(self) -> int:
        return len(self.files)


def painting_bank(paths: Sequence[str], predictor: StylePredictor,
                  perceptual: PerceptualLoss) -> PaintingBank:
    """Reads every painting's view and computes its statistics and Grams.

    Unreadable or too small files are skipped and listed; none readable is
    an error. Prints progress (this takes minutes for a thousand).
    """
    views, files, skipped = decode_each(paths, read_style_view)
    for reason, names in skipped.items():
        print(f"paintings skipped ({reason}): {', '.join(names)}", flush=True)
    if not views:
        raise MagentaStyleError("no readable paintings")
    statistics, grams = [], []
    for start in range(0, len(views), _BANK_BATCH):
        batch = np.stack(views[start:start + _BANK_BATCH])
        statistics.append(predictor.image_statistics(batch).numpy())
        grams.append({k: v.numpy() for k, v in perceptual.grams(batch).items()})
        done = min(start + _BANK_BATCH, len(views))
        if done % (20 * _BANK_BATCH) == 0 or done == len(views):
            print(f"painting statistics: {done}/{len(views)}", flush=True)
    return PaintingBank(
        tuple(files), np.concatenate(statistics),
        {k: np.concatenate([g[k] for g in grams]) for k in grams[0]})


def bank_key(paths: Sequence[str], predictor: StylePredictor,
             perceptual: PerceptualLoss) -> str:
    """A short hash of what a bank depends on: files, predictor layers and
    the loss' style layers."""
    what = {"files": [os.path.abspath(p) for p in paths],
            "predictor": list(predictor.feature_layers),
            "style_layers": list(perceptual.config.style_layers)}
    return hashlib.sha256(json.dumps(what).encode()).hexdigest()[:16]


def save_bank(bank: PaintingBank, path: str) -> None:
    """Writes a bank as .npz (through a temporary file)."""
    with atomic_file(path) as tmp, open(tmp, "wb") as f:
        np.savez(f, files=np.asarray(bank.files), statistics=bank.statistics,
                 **{f"gram/{k}": v for k, v in bank.grams.items()})


def load_bank(path: str) -> PaintingBank:
    """Reads a bank written by save_bank."""
    with np.load(path) as data:
        grams = {k.split("/", 1)[1]: data[k] for k in data.files
                 if k.startswith("gram/")}
        return PaintingBank(tuple(str(f) for f in data["files"]),
                            data["statistics"], grams)


def cached_painting_bank(paths: Sequence[str], predictor: StylePredictor,
                         perceptual: PerceptualLoss, folder: str
                         ) -> PaintingBank:
    """painting_bank, kept in ``folder`` so that a resumed run reads it."""
    path = os.path.join(folder, f"painting_bank-"
                        f"{bank_key(paths, predictor, perceptual)}.npz")
    if os.path.isfile(path):
        print(f"painting statistics: read {path}", flush=True)
        return load_bank(path)
    bank = painting_bank(paths, predictor, perceptual)
    os.makedirs(folder, exist_ok=True)
    save_bank(bank, path)
    return bank
