"""A model's styles as a library: list, rename, remove, export, import.

A style is one row of the style table (γ, β of every CIN layer) plus its
name and record in ``style_info``; the convolutions are shared. So a style
moves between copies of the same network (same ``alpha``) as a small file,
``NAME.style.json``::

    {"format": "magenta_style.style", "format_version": 1, "name": "udnie",
     "embedding_size": 3206, "dtype": "float16", "byte_order": "little",
     "embedding": "<base64 of the float16 little-endian values>",
     "metadata": {"source": "udnie.jpg", "steps": 500,
                  "trained_by": "finetune", "alpha": 1.0}}

The embedding is stored as float16 (6.4 KB at alpha = 1), so exporting
rounds it to the nearest float16 (relative error at most 2⁻¹¹) and an
imported style is that rounded embedding; the Android core reads the same
file. Every operation returns a new float32 model and leaves its input as it
was; ``save_model`` writes a model atomically.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
from typing import Mapping, Sequence

import numpy as np

from magenta_style import constants
from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.files import atomic_file
from magenta_style.network.layers import identity_embedding
from magenta_style.network.model import StylizationModel
from magenta_style.network.transformer import cin_channels

FORMAT = "magenta_style.style"
FORMAT_VERSION = 1
EXTENSION = ".style.json"
_DTYPE = "float16"
_BYTE_ORDER = "little"
_INFO_KEYS = ("source", "trained_by", "steps")


@dataclasses.dataclass
class StyleFile:
    """A style read from a ``.style.json`` file (embedding as float32)."""

    name: str
    embedding: np.ndarray
    metadata: dict
    path: str = ""


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


def with_styles(model: StylizationModel, names: Sequence[str],
                rows: np.ndarray, info: Sequence[Mapping]) -> StylizationModel:
    """A model with ``model``'s transformer and the given styles.

    Built under the current Keras dtype policy; weights are copied exactly.
    """
    for name in names:
        check_style_name(name)
    rows = np.asarray(rows, np.float32)
    if rows.shape != (len(names), model.embedding_size):
        raise MagentaStyleError(
            f"style rows of shape {rows.shape} do not fit {len(names)} styles "
            f"of embedding size {model.embedding_size}")
    copy = StylizationModel(list(names), model.alpha, [dict(i) for i in info],
                            model.architecture)
    copy.transformer.set_weights(model.transformer.get_weights())
    copy.style_table.table.assign(rows)
    return copy


def add_new_styles(model: StylizationModel, names: Sequence[str],
                   info: Sequence[Mapping]) -> StylizationModel:
    """``model`` plus new styles at γ = 1, β = 0 (to be fine-tuned)."""
    clash = [n for n in names if n in model.style_names]
    if clash:
        raise MagentaStyleError(
            f"the model already has style(s) {', '.join(clash)}; rename the "
            "image(s) or the existing style (python -m magenta_style.styles "
            "--rename old=new)")
    if len(set(names)) != len(names):
        raise MagentaStyleError(f"new style names repeat: {list(names)}")
    identity = identity_embedding(cin_channels(model.alpha))
    rows = np.concatenate([table(model),
                           np.tile(identity[None], [len(names), 1])])
    return with_styles(model, model.style_names + list(names), rows,
                       model.style_info + [dict(i) for i in info])


def list_styles(model: StylizationModel) -> list[dict]:
    """Name, source image, how trained and steps of every style, in order."""
    return [{"name": name, **{k: info.get(k) for k in _INFO_KEYS}}
            for name, info in zip(model.style_names, model.style_info)]


def format_styles(model: StylizationModel) -> str:
    """``list_styles`` as a text table."""
    header = ("#", "name", "source", "trained_by", "steps")
    lines = [header] + [
        (str(i), row["name"], str(row["source"] or "-"),
         str(row["trained_by"] or "-"),
         "-" if row["steps"] is None else str(row["steps"]))
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
    return with_styles(model, names, table(model), model.style_info)


def remove_style(model: StylizationModel, name: str) -> StylizationModel:
    """The model without style ``name`` (a model keeps at least one)."""
    index = model.style_index(name)
    if model.num_styles == 1:
        raise MagentaStyleError(
            f"cannot remove '{model.style_names[index]}': it is the model's "
            "only style")
    keep = [i for i in range(model.num_styles) if i != index]
    return with_styles(model, [model.style_names[i] for i in keep],
                       table(model)[keep], [model.style_info[i] for i in keep])


def export_style(model: StylizationModel, style: str | int) -> dict:
    """The style file (a JSON-ready dict) of one style."""
    index = model.style_index(style)
    values = table(model)[index].astype("<f2")
    if not np.all(np.isfinite(values)):
        raise MagentaStyleError(
            f"style '{model.style_names[index]}' has values beyond float16")
    info = model.style_info[index]
    metadata = {k: info[k] for k in _INFO_KEYS if info.get(k) is not None}
    metadata.update(model.network)
    return {"format": FORMAT, "format_version": FORMAT_VERSION,
            "name": model.style_names[index],
            "embedding_size": model.embedding_size, "dtype": _DTYPE,
            "byte_order": _BYTE_ORDER,
            "embedding": base64.b64encode(values.tobytes()).decode("ascii"),
            "metadata": metadata}


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
    try:
        raw = base64.b64decode(document.get("embedding", ""), validate=True)
    except (ValueError, TypeError):
        raise bad("embedding is not valid base64") from None
    if len(raw) != 2 * size:
        raise bad(f"embedding has {len(raw)} bytes, expected {2 * size} "
                  f"(embedding_size {size} float16 values)")
    embedding = np.frombuffer(raw, "<f2").astype(np.float32)
    if not np.all(np.isfinite(embedding)):
        raise bad("embedding has non-finite values")
    metadata = document.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise bad("metadata must be an object")
    return StyleFile(name, embedding, dict(metadata), path)


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
    missing on either side (older files) is not compared.
    """
    mine = {k: v for k, v in network.items() if v is not None}
    theirs = {k: style.metadata[k] for k in mine if k in style.metadata}
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
    """Equality of a metadata value read from JSON and the model's value."""
    if isinstance(b, float):
        try:
            return float(a) == b
        except (TypeError, ValueError):
            return False
    return a == b


def import_style(model: StylizationModel, style: StyleFile,
                 name: str | None = None) -> StylizationModel:
    """``model`` plus ``style`` (as ``name`` if given), appended last."""
    check_fits(style, model.embedding_size, model.network)
    name = check_style_name(name or style.name)
    if name in model.style_names:
        raise MagentaStyleError(
            f"the model already has a style '{name}'; import it under another "
            "name (--as NEWNAME)")
    info = {k: style.metadata[k] for k in _INFO_KEYS if k in style.metadata}
    if style.path:
        info["imported_from"] = os.path.basename(style.path)
    rows = np.concatenate([table(model), style.embedding[None]])
    return with_styles(model, model.style_names + [name], rows,
                       model.style_info + [info])


def float32_model(model: StylizationModel) -> StylizationModel:
    """``model`` itself if built under float32, else a float32 copy."""
    from magenta_style.network.model import float32_copy

    if model.dtype_policy.name == "float32":
        return model
    return float32_copy(model)


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
        float32_model(model).save_atomic(path)
    except OSError as error:
        raise MagentaStyleError(
            f"cannot write model {path}: {error.strerror or error}") from None

