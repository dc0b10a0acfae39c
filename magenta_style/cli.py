"""What every command-line tool shares: error reporting and common checks."""

from __future__ import annotations

import os
import sys
import tempfile
from typing import Callable

from absl import app, flags, logging

from magenta_style.errors import MagentaStyleError


def run(main: Callable[[list[str]], None]) -> None:
    """absl ``app.run`` that turns user errors into one line and exit code 1."""

    def guarded(argv):
        if not flags.FLAGS["verbosity"].present:
            logging.set_verbosity(logging.WARNING)  # hide TensorFlow's INFO logs
        if len(argv) > 1:
            fail(f"unexpected argument(s): {' '.join(argv[1:])} "
                 "(options are given as --name=value)")
        try:
            main(argv)
        except MagentaStyleError as error:
            fail(str(error))
        except KeyboardInterrupt:
            fail("interrupted", code=130)
        except MemoryError:
            fail("out of memory: try a smaller --image_size, --batch_size or "
                 "--max_size")

    app.run(guarded, flags_parser=_parse_flags)


def _parse_flags(argv: list[str]) -> list[str]:
    """absl flag parsing with a bad value reported as one ``error:`` line."""
    try:
        return flags.FLAGS(argv)
    except flags.Error as error:
        fail(f"{error} (see --help)", code=2)


def fail(message: str, code: int = 1) -> None:
    """Prints ``error: message`` on one line to stderr and exits."""
    print(f"error: {message}", file=sys.stderr)
    sys.exit(code)


def writable_dir(path: str) -> str:
    """Creates ``path`` if needed and checks that files can be written there."""
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as error:
        raise MagentaStyleError(
            f"output folder {path} is not writable: {error.strerror}") from None
    return path


def require(condition: bool, message: str) -> None:
    """Raises a MagentaStyleError with ``message`` unless ``condition`` holds."""
    if not condition:
        raise MagentaStyleError(message)


def parse_blend(spec: str) -> dict[str | int, float]:
    """Parses "name_or_index=weight,..." into {name or index: weight}.

    Keys made of digits are indices; weights must be numbers >= 0.
    """
    blend: dict[str | int, float] = {}
    for item in filter(None, (s.strip() for s in spec.split(","))):
        key, sep, value = item.rpartition("=")
        if not sep or not key:
            raise MagentaStyleError(
                f"--blend item '{item}' is not of the form name=weight")
        try:
            weight = float(value)
        except ValueError:
            raise MagentaStyleError(
                f"--blend weight '{value}' of '{key}' is not a number") from None
        if weight < 0:
            raise MagentaStyleError(
                f"--blend weight of '{key}' is negative ({weight}); "
                "weights must be >= 0")
        style: str | int = int(key) if key.isdigit() else key
        blend[style] = blend.get(style, 0.0) + weight
    if not blend:
        raise MagentaStyleError("--blend is empty; give name=weight,...")
    return blend
