"""Atomic writes: results appear whole under their final name, or not at all."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from typing import Iterator


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_file(path: str) -> Iterator[str]:
    """Yields a temporary path beside ``path`` (same extension); on success
    renames it onto ``path``, on failure removes it and keeps the old file.
    An OSError of writing names ``path``."""
    directory = os.path.dirname(os.path.abspath(path))
    suffix = os.path.splitext(path)[1]
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=suffix, dir=directory)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())
    try:
        with naming_errors(path, tmp):
            yield tmp
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def atomic_directory(path: str) -> Iterator[str]:
    """Like atomic_file for a folder: fill the yielded folder; on success it
    replaces ``path``."""
    parent = os.path.dirname(os.path.abspath(path))
    tmp = tempfile.mkdtemp(prefix=".tmp-", dir=parent)
    os.chmod(tmp, 0o777 & ~_umask())
    try:
        with naming_errors(path, tmp):
            yield tmp
        if os.path.exists(path):
            shutil.rmtree(path)
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextlib.contextmanager
def naming_errors(path: str, tmp: str | None = None) -> Iterator[None]:
    """Re-raises an OSError that names no file (a write to a full disk), or
    names the temporary ``tmp``, as one about ``path``."""
    try:
        yield
    except OSError as error:
        unnamed = error.filename is None or (
            tmp is not None and str(error.filename).startswith(tmp))
        if error.errno is None or not unnamed:
            raise
        raise OSError(error.errno, error.strerror, path) from None


def write_files(files: dict[str, bytes], names: list[str],
                destination: str) -> None:
    """Writes ``files`` (relative path → bytes) in a staging folder inside
    ``destination``, then moves each of ``names`` (files or folders, each
    replaced whole) into place; a failure leaves the old ones, and no
    ``destination`` that was not there before. The moves are one rename
    each: a reader may see some names new and others old."""
    existed = os.path.isdir(destination)
    os.makedirs(destination, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".tmp-", dir=destination)
    try:
        for relative, content in files.items():
            path = os.path.join(staging, relative)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with naming_errors(os.path.join(destination, relative), staging), \
                    open(path, "wb") as f:
                f.write(content)
        for name in names:
            source, target = (os.path.join(staging, name),
                              os.path.join(destination, name))
            if os.path.isdir(source) and os.path.exists(target):
                shutil.rmtree(target)
            os.replace(source, target)
    except BaseException:
        if not existed:
            shutil.rmtree(destination, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
