"""magenta_style: fast multi-style neural style transfer (Dumoulin et al. 2017).

Public API::

    from magenta_style import load_model
    model = load_model("runs/my_model")
    pastiche = model.stylize(image, style="starry_night")
    blend = model.stylize(image, style={"starry_night": 0.7, "wave": 0.3})
"""

import os

# Keep TensorFlow's C++ start-up chatter out of the command-line tools' output.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from magenta_style.errors import MagentaStyleError  # noqa: E402
from magenta_style.model import StylizationModel, load_model  # noqa: E402

__all__ = ["MagentaStyleError", "StylizationModel", "load_model"]
