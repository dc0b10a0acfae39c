"""The flags that choose styles (--styles, --style_image, --blend,
--strength, --stroke) of the tools that render (stylize, stylize_video),
and the styles they name."""

from __future__ import annotations

import os

import numpy as np
from absl import flags

from magenta_style import cli
from magenta_style.errors import MagentaStyleError
from magenta_style.runtime.controls import MAX_STRENGTH, STROKE_RANGE

flags.DEFINE_list("styles", None,
                  "Styles to render (names or indices); default: all.")
flags.DEFINE_list("style_image", None,
                  "Image file(s) to use as styles, through the model's style "
                  "predictor (with --styles: rendered as well).")
flags.DEFINE_string("blend", None,
                    "One blended style instead: 'style=weight,...', each "
                    "style a name, an index or an image file; weights >= 0, "
                    "normalised to sum 1.")
flags.DEFINE_float("strength", 1.0,
                   "How far from each photo's own predicted style (0) to the "
                   "chosen style (1), and on to its trained intense look "
                   f"({MAX_STRENGTH:g}); below 1 needs a style predictor, "
                   "above 1 a style with controls (train_controls).",
                   lower_bound=0.0, upper_bound=MAX_STRENGTH)
flags.DEFINE_float("stroke", 1.0,
                   "Stroke size relative to the style as trained (1), from "
                   f"{STROKE_RANGE[0]:g} to {STROKE_RANGE[1]:g}: a blend of "
                   "the style's points trained at other painting scales "
                   "(styles with controls; train_controls).",
                   lower_bound=STROKE_RANGE[0], upper_bound=STROKE_RANGE[1])


def _parsable_blend(spec: str | None) -> bool:
    """A --blend that cli.parse_blend reads (its error is the message)."""
    try:
        spec is None or cli.parse_blend(spec)
    except MagentaStyleError as error:
        raise flags.ValidationError(str(error)) from None
    return True


flags.register_validator("blend", _parsable_blend)
flags.register_multi_flags_validator(
    ["blend", "styles", "style_image"],
    lambda values: not (values["blend"] and (values["styles"]
                                             or values["style_image"])),
    "give --styles/--style_image or --blend, not both")
FLAGS = flags.FLAGS


def blend_label(blend: dict, style_names: list[str]) -> str:
    """A file-name part such as 'blend_starry_night70_wave30' (an image file
    in the blend is named by its file name without extension)."""
    from magenta_style.imaging.folders import style_name

    total = sum(blend.values())
    parts = []
    for key, weight in blend.items():
        name = style_names[key] if isinstance(key, int) else style_name(key)
        parts.append(f"{name}{round(100 * weight / total)}")
    return "blend_" + "_".join(parts)


def image_style(model, path: str) -> np.ndarray:
    """The predicted embedding of a style image (errors name the file)."""
    from magenta_style.runtime.contract import read_style_image

    cli.require(os.path.isfile(path), f"style image not found: {path}")
    return model.predict_embeddings([read_style_image(path)])[0]


def chosen_styles(model) -> tuple[list, list[str]]:
    """The styles to render (runtime.style_space.Style: a table row, a
    predicted embedding, or a blend of them) and their file-name labels: the
    --blend's one blend (each key a table style or an image file), or the
    --styles and --style_image styles (all table styles if neither is
    given); --stroke and --strength other than 1 add to the labels."""
    from magenta_style.imaging.folders import style_name

    if FLAGS.blend is not None:
        blend = cli.parse_blend(FLAGS.blend)
        parts = [(image_style(model, key) if isinstance(key, str)
                  and key not in model.style_names and os.path.isfile(key)
                  else model.style_index(key), weight)
                 for key, weight in blend.items()]
        styles, labels = [parts], [blend_label(blend, model.style_names)]
    else:
        styles = [model.style_index(cli.style_key(s))
                  for s in FLAGS.styles or []]
        if not styles and not FLAGS.style_image:
            styles = list(range(model.num_styles))
        labels = [model.style_names[row] for row in styles]
        for path in FLAGS.style_image or []:
            styles.append(image_style(model, path))
            labels.append(style_name(path))
    return styles, [label + setting_label() for label in labels]


def setting_label() -> str:
    """'_stroke150_strength80' for --stroke 1.5 --strength 0.8; '' at 1, 1."""
    return "".join(f"_{name}{round(100 * value)}"
                   for name, value in (("stroke", FLAGS.stroke),
                                       ("strength", FLAGS.strength))
                   if value != 1.0)
