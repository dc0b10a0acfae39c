"""The exception users see as a one-line message from the command line."""

from __future__ import annotations

from typing import Sequence


class MagentaStyleError(Exception):
    """A problem with the user's input, files or environment (not a bug).

    ``arguments`` are the library arguments its message names as
    ``name=...`` (the library knows no flags): a command line rewrites each
    into its own flag (cli.flag_message).
    """

    def __init__(self, message: str, arguments: Sequence[str] = ()):
        super().__init__(message)
        self.arguments = tuple(arguments)
