"""Benchmarks: scripts that print figures, run as python -m benchmarks.NAME."""

import os

# The project's data (../shared/data beside the checkout, or the folder
# MAGENTA_STYLE_DATA names): the benchmarks' default inputs.
DATA = os.environ.get(
    "MAGENTA_STYLE_DATA",
    os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), "shared", "data"))
