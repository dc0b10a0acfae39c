"""The portable file of one style, ``NAME.style.json``: its one owner.

A style is one row of a model's style table (γ, β of every CIN layer, in the
layout of network.embedding) plus its name and record; the convolutions are
shared. So a style moves between copies of the same network (same
architecture and ``alpha``) as a small file::

    {"format": "magenta_style.style", "format_version": 1, "name": "udnie",
     "embedding_size": 3206, "dtype": "float16", "byte_order": "little",
     "embedding": "<base64 of the float16 little-endian values>",
     "metadata": {"source": "udnie.jpg", "steps": 500,
                  "trained_by": "finetune", "architecture": "paper",
                  "alpha": 1.0}}

A style with stroke and intensity points (runtime.controls) also has
``"controls": {"stroke_small": "<base64>", "stroke_large": ..., "intense":
...}`` in the same encoding, and its record under ``metadata.controls``.

The embedding is stored as float16 (6.4 KB at alpha = 1), so exporting
rounds it to the nearest float16 (relative error at most 2⁻¹¹) and an
imported style is that rounded embedding; the Android core reads the same
file. ``check_fits`` is the one rule for whether a style fits a network.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from typing import Mapping

import numpy as np

from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.files import atomic_file
from magenta_style.network.model import StylizationModel
from magenta_style.runtime.controls import CONTROL_POINTS

FORMAT = "magenta_style.style"
FORMAT_VERSION = 1
EXTENSION = ".style.json"
_DTYPE = "float16"
_BYTE_ORDER = "little"
# What a style record says (besides its thumbnail), in style files too.
INFO_KEYS = ("source", "artist", "title", "trained_by", "steps")


@dataclasses.dataclass
class StyleFile:
    """A style read from a ``.style.json`` file (embedding and control
    points [len(CONTROL_POINTS), D], or None, as float32)."""

    name: str
    embedding: np.ndarray
    metadata: dict
    path: str = ""
    controls: np.ndarray | None = None


def export_style(model: StylizationModel, style: str | int) -> dict:
    """The style file (a JSON-ready dict) of one style."""
    index = model.style_index(style)
    name = model.style_names[index]
    info = model.style_info[index]
    metadata = {k: info[k] for k in INFO_KEYS if info.get(k) is not None}
    metadata.update(model.network)
    document = {"format": FORMAT, "format_version": FORMAT_VERSION,
                "name": name, "embedding_size": model.embedding_size,
                "dtype": _DTYPE, "byte_order": _BYTE_ORDER,
                "embedding": _encoded(model.style_rows()[index], name),
                "metadata": metadata}
    if model.has_controls(index):
        metadata["controls"] = info["controls"]
        document["controls"] = {
            point: _encoded(values, name)
            for point, values in zip(CONTROL_POINTS,
                                     model.control_rows()[index])}
    return document


def _encoded(values: np.ndarray, name: str) -> str:
    """float16 little-endian base64 of an embedding."""
    values = np.asarray(values).astype("<f2")
    if not np.all(np.isfinite(values)):
        raise MagentaStyleError(f"style '{name}' has values beyond float16")
    return base64.b64encode(values.tobytes()).decode("ascii")


def write_style_file(document: dict, path: str) -> None:
    """Writes a style file atomically (compact JSON)."""
    try:
        with atomic_file(path) as tmp, open(tmp, "w") as f:
            json.dump(document, f, separators=(",", ":"))
    except OSError as error:
        raise MagentaStyleError(
            f"cannot write style file {path}: {error.strerror or error}"
        ) from None


def parse_style_file(document: object, path: str = "style file") -> StyleFile:
    """Checks a decoded style file; the embedding comes back as float32."""
    def bad(message):
        return MagentaStyleError(f"{path}: {message}")

    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise bad(f"not a {FORMAT} file")
    if document.get("format_version") != FORMAT_VERSION:
        raise bad(f"unsupported format_version {document.get('format_version')}"
                  f" (expected {FORMAT_VERSION})")
    name = document.get("name")
    if not isinstance(name, str) or not name:
        raise bad("name must be a non-empty string")
    size = document.get("embedding_size")
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise bad(f"embedding_size must be a positive integer, got {size!r}")
    if document.get("dtype") != _DTYPE:
        raise bad(f"dtype must be {_DTYPE}, got {document.get('dtype')!r}")
    if document.get("byte_order", _BYTE_ORDER) != _BYTE_ORDER:
        raise bad(f"byte_order must be {_BYTE_ORDER}")
    def decoded(text, what):
        try:
            raw = base64.b64decode(text, validate=True)
        except (ValueError, TypeError):
            raise bad(f"{what} is not valid base64") from None
        if len(raw) != 2 * size:
            raise bad(f"{what} has {len(raw)} bytes, expected {2 * size} "
                      f"(embedding_size {size} float16 values)")
        values = np.frombuffer(raw, "<f2").astype(np.float32)
        if not np.all(np.isfinite(values)):
            raise bad(f"{what} has non-finite values")
        return values

    embedding = decoded(document.get("embedding", ""), "embedding")
    metadata = document.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise bad("metadata must be an object")
    points = document.get("controls")
    controls = None
    if points is not None:
        if not isinstance(points, dict) or set(points) != set(CONTROL_POINTS):
            raise bad("controls must have exactly the points "
                      + ", ".join(CONTROL_POINTS))
        controls = np.stack([decoded(points[p], f"control point {p}")
                             for p in CONTROL_POINTS])
    return StyleFile(name, embedding, dict(metadata), path, controls)


def read_style_file(path: str) -> StyleFile:
    """Reads and checks a ``.style.json`` file."""
    try:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
    except FileNotFoundError:
        raise MagentaStyleError(f"style file not found: {path}") from None
    except (OSError, ValueError) as error:
        raise MagentaStyleError(f"cannot read style file {path}: {error}"
                                ) from None
    return parse_style_file(document, path)


def check_fits(style: StyleFile, embedding_size: int,
               network: Mapping[str, object]) -> None:
    """Raises unless ``style`` was made for a network of this size and kind.

    ``network`` is the model's ``{"architecture": ..., "alpha": ...}``; a key
    missing or null on either side (older files) is not compared, as in the
    Android core.
    """
    mine = {k: v for k, v in network.items() if v is not None}
    theirs = {k: style.metadata[k] for k in mine
              if style.metadata.get(k) is not None}
    if len(style.embedding) != embedding_size:
        raise MagentaStyleError(
            f"style '{style.name}' has embedding size {len(style.embedding)}"
            + (f" (made for {_describe(theirs)})" if theirs else "")
            + f" but the model's is {embedding_size}"
            + (f" ({_describe(mine)})" if mine else "")
            + ": a style only fits the network it was trained for")
    for key, value in theirs.items():
        if not _same_value(value, mine[key]):
            raise MagentaStyleError(
                f"style '{style.name}' was made for {key} {value} but the "
                f"model has {key} {mine[key]}: a style only fits the network "
                "it was trained for")


def _describe(network: Mapping[str, object]) -> str:
    """A network's keys and values as text: "architecture paper, alpha 0.25"."""
    return ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}"
                     for k, v in network.items())


def _same_value(a: object, b: object) -> bool:
    """Equality of a metadata value read from JSON and the model's value;
    numbers compare as numbers (a number written as text does not match, as
    in the Android core)."""
    if isinstance(b, float):
        return (isinstance(a, (int, float)) and not isinstance(a, bool)
                and float(a) == b)
    return a == b
