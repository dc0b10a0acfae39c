"""What the command-line tools share: running ``main`` with one-line errors and
common checks; the shared flag modules sit beside it in this package."""

from __future__ import annotations

import errno
import os
import re
import sys
import tempfile
from typing import Callable

from absl import app, flags, logging

from magenta_style.cli import tf_startup
from magenta_style.errors import MagentaStyleError
from magenta_style.runtime.choice import EXTRA_OF_MODULE, install_hint


def run(main: Callable[[list[str]], None], tensorflow: bool = True) -> None:
    """absl ``app.run`` that turns user errors into one line and exit code 1.

    A command that needs ``tensorflow`` starts it after the flags are parsed
    (tf_startup), so --help is quick and quiet; one that may run without it
    starts it itself where it does. --help and --helpfull exit with 0. A
    module of an extra that is not installed is named, with the extra.
    """

    def guarded(argv):
        if not flags.FLAGS["verbosity"].present:
            logging.set_verbosity(logging.WARNING)  # hide TensorFlow's INFO logs
        if len(argv) > 1:
            fail(f"unexpected argument(s): {' '.join(argv[1:])} "
                 "(options are given as --name=value)")
        try:
            if tensorflow:
                tf_startup.start()
            main(argv)
        except MagentaStyleError as error:
            fail(flag_message(error))
        except ModuleNotFoundError as error:
            top = (error.name or "").split(".")[0]
            if top not in EXTRA_OF_MODULE:
                raise
            fail(f"this command needs {top}, which this installation lacks: "
                 f"{install_hint(top)}")
        except KeyboardInterrupt:
            fail("interrupted", code=130)
        except MemoryError:
            fail("out of memory: try a smaller --image_size, --batch_size or "
                 "--max_size")
        except OSError as error:
            # Exit at once: objects a failed write left open (h5py's files)
            # would report the failure again, with a traceback, when freed.
            print(f"error: {os_error_message(error)}", file=sys.stderr)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(1)

    app.run(guarded, flags_parser=_parse_flags)


# Library arguments whose command-line flag has another name.
FLAG_OF_ARGUMENT = {"path": "model", "weights": "vgg_weights",
                    "folder": "scratch_dir",
                    "max_side": "max_size",
                    "representative": "representative_dir", "name": "as"}


def flag_message(error: MagentaStyleError) -> str:
    """The error's message with each library argument it names
    (``name=``) written as the running command's flag, where it has one."""
    message = str(error)
    for argument in error.arguments:
        flag = FLAG_OF_ARGUMENT.get(argument, argument)
        if flag in flags.FLAGS:
            message = re.sub(rf"\b{argument}=", f"--{flag}=", message)
    return message


def entry_point(main: Callable[[list[str]], None], tensorflow: bool = True
                ) -> Callable[[], None]:
    """A console-script entry point that runs ``main`` through ``run``."""
    return lambda: run(main, tensorflow)


def _parse_flags(argv: list[str]) -> list[str]:
    """absl flag parsing with a bad value reported as one ``error:`` line."""
    try:
        return flags.FLAGS(argv)
    except flags.Error as error:
        fail(f"{error} (see --help)", code=2)
    except SystemExit as done:  # absl's --help flags exit with 1 after usage
        sys.exit(0 if done.code == 1 else done.code)


def os_error_message(error: OSError) -> str:
    """An error of the file system as one line, naming the file if known."""
    where = f" while writing {error.filename}" if error.filename else ""
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"no space left on device{where}"
    if error.errno == errno.EROFS:
        return f"read-only file system{where}"
    detail = error.strerror or str(error)
    return f"{detail}: {error.filename}" if error.filename else detail


def fail(message: str, code: int = 1) -> None:
    """Prints ``error: message`` on one line to stderr and exits."""
    print(f"error: {message}", file=sys.stderr)
    sys.exit(code)


def writable_dir(path: str, create: bool = True) -> str:
    """Checks that files can be written in the folder ``path``.

    Creates it if needed; with ``create=False`` only checks that it could be
    created (its nearest existing parent is writable).
    """
    existing = path
    while not os.path.exists(existing) and existing != os.path.dirname(
            existing):
        existing = os.path.dirname(os.path.abspath(existing))
    if not os.path.isdir(existing):
        raise MagentaStyleError(
            f"output folder {path} is a file" if existing == path else
            f"output folder {path} is not writable: {existing} is a file")
    try:
        if create:
            os.makedirs(path, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path if create else existing,
                                         prefix=".write-test-"):
            pass
    except OSError as error:
        raise MagentaStyleError(
            f"output folder {path} is not writable: {error.strerror}") from None
    return path


def require_other_folder(model_file: str, output_dir: str, flag: str
                         ) -> None:
    """Fails if ``output_dir`` is the folder of ``model_file``: a run there
    would write over the model it starts from."""
    folder = os.path.dirname(os.path.abspath(model_file))
    require(not (os.path.exists(folder) and os.path.exists(output_dir)
                 and os.path.samefile(folder, output_dir)),
            f"--output_dir must not be the folder of --{flag}: give a new "
            "folder for the model it writes")


def require(condition: bool, message: str) -> None:
    """Raises a MagentaStyleError with ``message`` unless ``condition`` holds."""
    if not condition:
        raise MagentaStyleError(message)


def style_key(text: str) -> str | int:
    """A style as a user types it: digits are a table index, anything else
    a name (style names may not be all digits: stylebook.table)."""
    return int(text) if text.isdigit() else text


def parse_blend(spec: str) -> dict[str | int, float]:
    """Parses "name_or_index=weight,..." into {name or index: weight}.

    Keys made of digits are indices; weights must be numbers >= 0; a style
    given twice and an empty spec are errors.
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
        style = style_key(key)
        if style in blend:
            raise MagentaStyleError(
                f"--blend names '{key}' twice; give each style once")
        blend[style] = weight
    if not blend:
        raise MagentaStyleError("--blend is empty; give name=weight,...")
    return blend
