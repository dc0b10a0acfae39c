"""TFLite export of a trained magenta_style model, with its style manifest."""
