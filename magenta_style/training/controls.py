"""Training styles' control points (runtime.controls): each style's own
embedding, fine-tuned with every convolution frozen, against its painting at
another style size (the stroke points) or at a higher style weight (the
intense point).

One training run per point, all the styles together: the styles' rows are
copied as new table rows, only those train (training.loop.train, with its
checkpoints and resume), and the trained rows become the styles' control
points (stylebook.table.with_controls). A run's folder is
OUTPUT_DIR/<point>; rerunning resumes each point where it stopped.

What it cannot do: train styles of different own style sizes in one call
(one run has one style size).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Mapping, Sequence

import tensorflow as tf

from magenta_style import constants
from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.folders import load_style_image
from magenta_style.network.model import StylizationModel, load_model
from magenta_style.runtime.controls import (
    CONTROL_POINTS,
    INTENSE,
    INTENSE_STYLE_WEIGHT_FACTOR,
    STROKE_LARGE,
    STROKE_SCALES,
    STROKE_SMALL,
    check_stroke_scales,
)
from magenta_style.stylebook import table
from magenta_style.training.config import TrainConfig
from magenta_style.training.loop import train

def control_config(vgg_weights: str) -> TrainConfig:
    """The default TrainConfig of control-point runs (constants.CONTROL_*)."""
    return TrainConfig(image_size=constants.CONTROL_IMAGE_SIZE,
                       batch_size=constants.CONTROL_BATCH_SIZE,
                       steps=constants.CONTROL_STEPS,
                       learning_rate=constants.CONTROL_LEARNING_RATE,
                       checkpoint_every=constants.CONTROL_CHECKPOINT_EVERY,
                       vgg_weights=vgg_weights)


def own_style_size(model: StylizationModel, names: Sequence[str]) -> int:
    """The style size (px) the styles were trained at (their records'
    style_size, else constants.DEFAULT_STYLE_SIZE); one for all."""
    sizes = {model.style_info[model.style_index(n)].get(
        "style_size", constants.DEFAULT_STYLE_SIZE) for n in names}
    if len(sizes) != 1:
        raise MagentaStyleError(
            f"styles {', '.join(names)} were trained at different style "
            f"sizes ({sorted(sizes)}): give them in separate calls")
    return int(sizes.pop())


def point_config(config: TrainConfig, point: str, style_size: int,
                 stroke_scales: Mapping[str, float] = STROKE_SCALES
                 ) -> TrainConfig:
    """The TrainConfig of one control point's run: ``config`` at the point's
    style size (``stroke_scales`` × ``style_size``) or style weight."""
    if point == INTENSE:
        loss = dataclasses.replace(config.loss, style_weights=tuple(
            w * INTENSE_STYLE_WEIGHT_FACTOR for w in config.loss.style_weights))
        return dataclasses.replace(config, style_size=style_size, loss=loss)
    return dataclasses.replace(
        config, style_size=round(style_size * stroke_scales[point]))


def train_control_points(model: StylizationModel, names: Sequence[str],
                         style_paths: Sequence[str], config: TrainConfig,
                         content, output_dir: str,
                         strategy: tf.distribute.Strategy,
                         stroke_scales: Mapping[str, float] = STROKE_SCALES
                         ) -> StylizationModel:
    """``model`` with control points for the styles ``names`` (their
    paintings at ``style_paths``), trained by one run per point in
    OUTPUT_DIR/<point>; ``config`` gives steps, crops, batch and the
    default loss. ``stroke_scales`` sets the stroke points' painting sizes
    (÷ the style's own): --stroke 0.5 and 2 stay those points, so a style
    whose strokes follow its painting's scale less than in proportion can
    be given a wider pair (README, "Stroke size and intensity")."""
    if len(names) != len(style_paths) or not names:
        raise MagentaStyleError("give one painting per style, at least one")
    check_stroke_scales(stroke_scales)
    rows = table.table(model)[[model.style_index(n) for n in names]]
    size = own_style_size(model, names)
    first_new = model.num_styles
    trained = {}
    for point in CONTROL_POINTS:
        run = point_config(config, point, size, stroke_scales)
        images = [load_style_image(p, run.style_size) for p in style_paths]
        factor = run.loss.style_weights[0] / config.loss.style_weights[0]
        print(f"control point {point}: style size {run.style_size} px, "
              f"style weight x{factor:g}", flush=True)

        def build(point=point):
            return table.add_new_styles(
                model, [f"{n}~{point}" for n in names],
                [{} for _ in names], rows)

        path = train(run, build, images, content,
                     os.path.join(output_dir, point), strategy,
                     trainable_styles=range(first_new,
                                            first_new + len(names)))
        trained[point] = table.table(load_model(path))[first_new:]
    record = {"steps": config.steps, "image_size": config.image_size,
              "batch_size": config.batch_size,
              "stroke_scales": [stroke_scales[STROKE_SMALL],
                                stroke_scales[STROKE_LARGE]]}
    return table.with_controls(model, names, trained, record)

