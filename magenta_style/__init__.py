"""magenta_style: fast multi-style neural style transfer (Dumoulin et al. 2017).

Public API::

    from magenta_style import load_model
    model = load_model("runs/my_model")
    pastiche = model.stylize(image, style="starry_night")
    blend = model.stylize(image, style={"starry_night": 0.7, "wave": 0.3})

The model API loads TensorFlow when first used, so that importing the package
(and the tools' --help) does not.
"""

from magenta_style.errors import MagentaStyleError

__all__ = ["MagentaStyleError", "StylizationModel", "load_model"]


def __getattr__(name: str):
    """``StylizationModel`` and ``load_model``, imported on first use."""
    if name in ("StylizationModel", "load_model"):
        from magenta_style.network import model

        return getattr(model, name)
    raise AttributeError(f"module 'magenta_style' has no attribute '{name}'")
