"""Stylizing without TensorFlow: exported models (TFLite through LiteRT,
ONNX through onnxruntime) with the same style space as the Keras model. What
an export promises (contract), the style arithmetic both runtimes share
(style_space), running an exported file (sessions) and a whole export
(exported_model)."""
