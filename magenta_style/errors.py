"""The exception users see as a one-line message from the command line."""


class MagentaStyleError(Exception):
    """A problem with the user's input, files or environment (not a bug)."""
