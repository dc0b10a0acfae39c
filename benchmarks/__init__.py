"""Benchmarks: scripts that print figures, run as python -m benchmarks.NAME."""

import os

# The project's data (../shared/data beside the checkout, or the folder
# MAGENTA_STYLE_DATA names): the benchmarks' default inputs.
DATA = os.environ.get(
    "MAGENTA_STYLE_DATA",
    os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), "shared", "data"))


def cpu_model() -> str:
    """The CPU's model name (Linux /proc/cpuinfo) and its core count."""
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f
                     if line.startswith("model name")]
    except OSError:
        names = []
    return f"{names[0] if names else 'unknown CPU'}, {os.cpu_count()} cores"


def print_markdown_table(header: list[str], rows: list[list[str]]) -> None:
    """Prints a Markdown table (for the README) of formatted cells."""
    print("\n| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
