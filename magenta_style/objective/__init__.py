"""The objective: VGG-19 features, content and style losses, the
optimization method that minimizes them per image, and the evaluation of
models against them."""
