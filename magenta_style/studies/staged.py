"""Staged training: train, measure, train on from the checkpoint, measure
again; the curve of a score against the steps trained."""

from __future__ import annotations

import dataclasses
import time
from typing import Callable, Sequence

import numpy as np

from magenta_style.network.model import StylizationModel, load_model
from magenta_style.stylebook import table
from magenta_style.training import distribute
from magenta_style.training.config import TrainConfig
from magenta_style.training.loop import train


def train_to(config: TrainConfig, build_stylizer: Callable[[],
                                                           StylizationModel],
             style_images: Sequence[np.ndarray], content, output_dir: str,
             strategy, trainable_styles: Sequence[int] | None = None
             ) -> tuple[str, float]:
    """training.loop.train up to ``config.steps`` in all, resuming from the
    folder's checkpoint: the model's path and the seconds it took (a
    machine busy with other work counts in them)."""
    start = time.perf_counter()
    path = train(config, build_stylizer, style_images, content, output_dir,
                 strategy, trainable_styles=trainable_styles)
    return path, time.perf_counter() - start


def finetune_curve(model, names, views, start, steps, config, content,
                   output_dir, measure, enough=None
                   ) -> tuple[dict, np.ndarray]:
    """Fine-tunes new rows for ``views`` (from ``start`` rows or identity)
    up to each of ``steps`` per row: the rows train together for
    steps × len(views) steps, each row drawn in 1/len(views) of the examples.
    ``measure(rows)`` scores each stage; the curve stops at the first stage
    whose score ``enough(score)`` accepts. Returns {step: score} and the last
    rows."""
    strategy = distribute.create_strategy(config)
    info = [{"source": n, "trained_by": "finetune"} for n in names]
    rows = range(model.num_styles, model.num_styles + len(names))
    new_rows = start if start is not None else np.tile(
        model.embedding_layout.identity(), (len(names), 1))
    curve = {0: measure(new_rows)}
    for step in steps:
        if enough is not None and enough(list(curve.values())[-1]):
            break
        path, _ = train_to(
            dataclasses.replace(config, steps=step * len(names)),
            lambda: table.add_new_styles(model, names, info, start), views,
            content, output_dir, strategy, trainable_styles=rows)
        new_rows = table.table(load_model(path))[rows[0]:]
        curve[step] = measure(new_rows)
    return curve, new_rows
