"""A model's table of styles: list, add, rename, remove and import rows.

A style is one row of the style table plus its name and its record in
``style_info`` (source image, how it was trained, a thumbnail), and where
the record says "controls", its control points (runtime.controls). Every
operation returns a new float32 model and leaves its input as it was;
``save_model`` writes a model atomically. The style file format is
stylebook.style_file's.
"""

from __future__ import annotations

import base64
import os
from typing import Mapping, Sequence

import numpy as np

from magenta_style import constants
from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.images import thumbnail_jpeg
from magenta_style.network.model import (
    StylizationModel,
    at_precision,
    rebuilt,
)
from magenta_style.runtime.controls import CONTROL_POINTS
from magenta_style.stylebook.style_file import INFO_KEYS, StyleFile, check_fits


def check_style_name(name: str) -> str:
    """A usable style name: not empty, no path or --blend separators, not
    only digits (digits select a style by index)."""
    if (not isinstance(name, str) or not name.strip() or name != name.strip()
            or any(c in name for c in "/\\,=") or name.isdigit()):
        raise MagentaStyleError(
            f"invalid style name {name!r}: use letters, digits, '_', '-' or "
            "'.', not only digits")
    return name


def table(model: StylizationModel) -> np.ndarray:
    """The style table [N, D] as float32."""
    return np.asarray(model.style_table.table.numpy(), np.float32)


def unused_points(rows: np.ndarray) -> np.ndarray:
    """The control points [N, K, D] stored for styles without them: their
    own rows, repeated (never read: their records have no "controls")."""
    rows = np.asarray(rows, np.float32)
    return np.repeat(rows[:, None], len(CONTROL_POINTS), 1)


def control_table(model: StylizationModel) -> np.ndarray:
    """The control points [N, len(CONTROL_POINTS), D] as float32; a style
    without them has its own row there (never read)."""
    controls = model.control_rows()
    if controls is None:
        controls = unused_points(table(model))
    return np.asarray(controls, np.float32)


def with_styles(model: StylizationModel, names: Sequence[str],
                rows: np.ndarray, info: Sequence[Mapping],
                controls: np.ndarray | None = None) -> StylizationModel:
    """A model with ``model``'s transformer (and style predictor, if any)
    and the given styles, with control points [N, K, D] (needed where a
    record says "controls").

    Built under the current Keras dtype policy; weights are copied exactly.
    """
    for name in names:
        check_style_name(name)
    rows = np.asarray(rows, np.float32)
    if rows.shape != (len(names), model.embedding_size):
        raise MagentaStyleError(
            f"style rows of shape {rows.shape} do not fit {len(names)} styles "
            f"of embedding size {model.embedding_size}")
    if controls is None:
        controls = unused_points(rows)
    return rebuilt(model, names, info, rows, model.predictor, controls)


def with_controls(model: StylizationModel, names: Sequence[str],
                  points: Mapping[str, np.ndarray], record: Mapping
                  ) -> StylizationModel:
    """``model`` with control points for the styles ``names``: ``points``
    maps each of CONTROL_POINTS to rows [len(names), D]; ``record`` (how
    they were trained) goes into each style's record as "controls"."""
    missing = [p for p in CONTROL_POINTS if p not in points]
    if missing:
        raise MagentaStyleError(f"control points missing: {missing}")
    controls = control_table(model)
    info = [dict(i) for i in model.style_info]
    for k, name in enumerate(names):
        index = model.style_index(name)
        controls[index] = np.stack([points[p][k] for p in CONTROL_POINTS])
        info[index]["controls"] = dict(record)
    return with_styles(model, model.style_names, table(model), info,
                       controls)


def check_new_style_names(model: StylizationModel, names: Sequence[str]
                          ) -> None:
    """Raises unless ``names`` are usable (check_style_name), distinct and
    not yet styles of ``model``."""
    for name in names:
        check_style_name(name)
    clash = [n for n in names if n in model.style_names]
    if clash:
        raise MagentaStyleError(
            f"the model already has style(s) {', '.join(clash)}; rename the "
            "image(s) or the existing style")
    if len(set(names)) != len(names):
        raise MagentaStyleError(f"new style names repeat: {list(names)}")


def add_new_styles(model: StylizationModel, names: Sequence[str],
                   info: Sequence[Mapping],
                   start_rows: np.ndarray | None = None) -> StylizationModel:
    """``model`` plus new styles, appended last, with embeddings
    ``start_rows`` [len(names), D] (default γ = 1, β = 0: to be
    fine-tuned)."""
    check_new_style_names(model, names)
    if start_rows is None:
        start_rows = np.tile(model.embedding_layout.identity()[None],
                             [len(names), 1])
    rows = np.concatenate([table(model), start_rows])
    controls = np.concatenate([
        control_table(model),
        unused_points(start_rows)])
    return with_styles(model, model.style_names + list(names), rows,
                       model.style_info + [dict(i) for i in info], controls)


def list_styles(model: StylizationModel) -> list[dict]:
    """Name, source image, credit (artist, title), how trained and steps of
    every style, in order (None where a record does not say)."""
    return [{"name": name, **{k: info.get(k) for k in INFO_KEYS}}
            for name, info in zip(model.style_names, model.style_info)]


def format_styles(model: StylizationModel) -> str:
    """``list_styles`` as a text table."""
    header = ("#", "name", "source", "trained_by", "steps", "credit")
    lines = [header] + [
        (str(i), row["name"], str(row["source"] or "-"),
         str(row["trained_by"] or "-"),
         "-" if row["steps"] is None else str(row["steps"]),
         ", ".join(row[k] for k in ("artist", "title") if row[k]) or "-")
        for i, row in enumerate(list_styles(model))]
    widths = [max(len(line[c]) for line in lines) for c in range(len(header))]
    text = ["  ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip()
            for line in lines]
    return "\n".join(text + [f"{model.num_styles} style(s), "
                             f"{model.architecture} network, alpha "
                             f"{model.alpha:g}, embedding size "
                             f"{model.embedding_size}"])


def rename_style(model: StylizationModel, old: str, new: str
                 ) -> StylizationModel:
    """The model with style ``old`` called ``new``."""
    index = model.style_index(old)
    check_style_name(new)
    if new in model.style_names and new != model.style_names[index]:
        raise MagentaStyleError(f"the model already has a style '{new}'")
    names = list(model.style_names)
    names[index] = new
    return with_styles(model, names, table(model), model.style_info,
                       control_table(model))


def credit_style(model: StylizationModel, name: str, artist: str | None,
                 title: str | None) -> StylizationModel:
    """The model with the artist and title of style ``name`` recorded (a
    None leaves that field as it is)."""
    index = model.style_index(name)
    credit = {k: v.strip() for k, v in (("artist", artist), ("title", title))
              if v is not None}
    if not credit or not all(credit.values()):
        raise MagentaStyleError("a credit needs a non-empty artist or title")
    info = [dict(i) for i in model.style_info]
    info[index].update(credit)
    return with_styles(model, model.style_names, table(model), info,
                       control_table(model))


def remove_style(model: StylizationModel, name: str) -> StylizationModel:
    """The model without style ``name`` (a model keeps at least one)."""
    index = model.style_index(name)
    if model.num_styles == 1:
        raise MagentaStyleError(
            f"cannot remove '{model.style_names[index]}': it is the model's "
            "only style")
    keep = [i for i in range(model.num_styles) if i != index]
    return with_styles(model, [model.style_names[i] for i in keep],
                       table(model)[keep], [model.style_info[i] for i in keep],
                       control_table(model)[keep])


def import_style(model: StylizationModel, style: StyleFile,
                 name: str | None = None) -> StylizationModel:
    """``model`` plus ``style`` (as ``name`` if given), appended last."""
    check_fits(style, model.embedding_size, model.network)
    name = check_style_name(name or style.name)
    if name in model.style_names:
        raise MagentaStyleError(
            f"the model already has a style '{name}'; import it under another "
            "name=...", arguments=["name"])
    info = {k: style.metadata[k] for k in INFO_KEYS if k in style.metadata}
    if style.path:
        info["imported_from"] = os.path.basename(style.path)
    points = unused_points(style.embedding[None])[0]
    if style.controls is not None:
        info["controls"] = dict(style.metadata.get("controls") or
                                {"imported": True})
        points = style.controls
    rows = np.concatenate([table(model), style.embedding[None]])
    controls = np.concatenate([control_table(model), points[None]])
    return with_styles(model, model.style_names + [name], rows,
                       model.style_info + [info], controls)


def output_file(path: str) -> str:
    """The .keras file to write for ``--output``: a .keras path or a folder."""
    if path.endswith(".keras"):
        directory = os.path.dirname(os.path.abspath(path))
    else:
        directory, path = path, os.path.join(path, constants.MODEL_FILENAME)
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as error:
        raise MagentaStyleError(
            f"cannot create output folder {directory}: {error.strerror}"
        ) from None
    return path


def save_model(model: StylizationModel, path: str) -> None:
    """Writes ``model`` (as float32) to the .keras file ``path`` atomically."""
    try:
        at_precision(model, "float32").save_atomic(path)
    except OSError as error:
        raise MagentaStyleError(
            f"cannot write model {path}: {error.strerror or error}") from None


def style_record(source: str, image: np.ndarray, trained_by: str,
                 steps: int, style_size: int | None = None) -> dict:
    """What a model keeps about a style: source file, training (and the
    style size it was trained at, which its stroke points scale), a
    thumbnail."""
    record = {"source": os.path.basename(source), "trained_by": trained_by,
              "steps": int(steps),
              "thumbnail_jpeg": base64.b64encode(thumbnail_jpeg(image)).decode()}
    if style_size is not None:
        record["style_size"] = int(style_size)
    return record
