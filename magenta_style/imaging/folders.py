"""Image files on disk: listing folders, style images by name, samples.

The training examples made from content photos are training.pipeline's.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Mapping, Sequence, TypeVar

import numpy as np

from magenta_style import constants
from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.images import ImageTooSmallError, open_image
from magenta_style.imaging.transforms import with_longer_side

T = TypeVar("T")


def list_images(directory: str) -> list[str]:
    """Image files (constants.IMAGE_EXTENSIONS) under ``directory``,
    recursively, sorted."""
    if not os.path.isdir(directory):
        raise MagentaStyleError(f"folder not found: {directory}")
    found = []
    for root, _, files in os.walk(directory):
        found += [os.path.join(root, f) for f in files
                  if f.lower().endswith(constants.IMAGE_EXTENSIONS)]
    return sorted(found)


def style_name(path: str) -> str:
    """A style's name: its file name without the extension."""
    return os.path.splitext(os.path.basename(path))[0]


def load_style_images(styles_dir: str, style_size: int,
                      names: Sequence[str] | None = None
                      ) -> tuple[list[str], list[np.ndarray], list[str]]:
    """Style names, images (longer side ``style_size``) and files, by name.

    ``names`` picks a subset; unknown names and unreadable images are errors.
    """
    paths = list_images(styles_dir)
    if not paths:
        raise MagentaStyleError(
            f"no style images ({constants.IMAGE_KINDS}) in {styles_dir}")
    by_name = {style_name(p): p for p in paths}
    if names:
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise MagentaStyleError(
                f"unknown style(s) {', '.join(unknown)} in {styles_dir}; "
                f"available: {', '.join(sorted(by_name))}")
        by_name = {n: by_name[n] for n in sorted(names)}
    chosen = sorted(by_name)
    images = [load_style_image(by_name[n], style_size) for n in chosen]
    return chosen, images, [by_name[n] for n in chosen]


def find_style_images(names: Sequence[str], infos: Sequence[Mapping],
                      styles_dir: str, size: int) -> list[np.ndarray]:
    """A model's style images (longer side ``size``), found in
    ``styles_dir`` by each style's source file name, else by its name."""
    files = {os.path.basename(p): p for p in list_images(styles_dir)}
    stems = {os.path.splitext(k)[0]: v for k, v in files.items()}
    images = []
    for name, info in zip(names, infos):
        path = files.get(info.get("source", "")) or stems.get(name)
        if path is None:
            raise MagentaStyleError(
                f"style image of '{name}' not found in {styles_dir}")
        images.append(load_style_image(path, size))
    return images


def load_style_image(path: str, style_size: int) -> np.ndarray:
    """One style image with longer side ``style_size`` (unreadable or, at
    that size, too small: error)."""
    return with_longer_side(open_image(path, max_side=style_size), style_size)


def decode_each(paths: Sequence[str], decode: Callable[[str], T]
                ) -> tuple[list[T], list[str], dict[str, list[str]]]:
    """Runs ``decode`` on every path in parallel (Pillow releases the GIL):
    what it returned, for which paths, and the paths skipped by reason
    ("unreadable", "too small": its MagentaStyleError), in order."""

    def attempt(path):
        try:
            return decode(path), None
        except ImageTooSmallError:
            return None, "too small"
        except MagentaStyleError:
            return None, "unreadable"

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        results = list(pool.map(attempt, paths))
    decoded = [value for value, reason in results if reason is None]
    good = [path for path, (_, reason) in zip(paths, results)
            if reason is None]
    skipped: dict[str, list[str]] = {}
    for path, (_, reason) in zip(paths, results):
        if reason is not None:
            skipped.setdefault(reason, []).append(path)
    return decoded, good, skipped


def readable_images(paths: Sequence[str], max_side: int) -> list[str]:
    """The paths that open_image reads at ``max_side`` (each decoded once,
    not kept; images too small at that size are not readable)."""
    return decode_each(paths, lambda p: open_image(p, max_side=max_side)
                       is not None)[1]


def sample_images(directory: str, count: int, max_side: int = 1024
                  ) -> list[np.ndarray]:
    """Up to ``count`` readable images spread over a folder's sorted files.

    Raises MagentaStyleError if the folder has no readable image.
    """
    good = readable_images(list_images(directory), max_side)
    if not good:
        raise MagentaStyleError(
            f"no readable image ({constants.IMAGE_KINDS}) in {directory}")
    step = max(1, len(good) // count)
    return [open_image(p, max_side=max_side) for p in good[::step][:count]]
