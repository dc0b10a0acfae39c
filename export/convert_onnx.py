"""Conversion of the transformer and the style predictor to ONNX.

Keras' own export (``Model.export(format="onnx")``) does the conversion; on
the TensorFlow backend it runs tf2onnx (1.17 works with TensorFlow 2.21 and
protobuf 7; Keras patches its NumPy 2 gaps). It converts the same graph as
the TFLite export (export.convert.tflite_graph: plain convolutions, CIN as
mean ops), with any batch and any H×W. Two things are mended afterwards,
with the onnx package: the outputs get the contract's names (the converter
calls them "Identity:0"), and the ×2 nearest upsampling's Resize nodes get
the current attributes: tf2onnx writes ``tf_half_pixel_for_nn``, deprecated
since opset 13, which onnxruntime warns about at every load; for an exact
×2 both that and ``asymmetric`` + ``floor`` read input pixel ⌊x/2⌋.
Only float32 is written (onnxruntime's quantization tools are the users'
choice).
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import warnings

import keras
import onnx

from export.convert import predictor_serving_model, tflite_graph
from magenta_style.errors import MagentaStyleError
from magenta_style.runtime.contract import (
    CONTENT_INPUT,
    EMBEDDING_INPUT,
    OUTPUT_NAME,
)

# The newest opset tf2onnx 1.17 writes (it refuses 20); onnxruntime 1.17
# and later run it.
OPSET = 18


def convert_transformer(transformer: keras.Model) -> bytes:
    """ONNX bytes of ``transformer``: inputs ``content`` [B, H, W, 3] in
    [0, 1] (any B, H, W) and ``style_embedding`` [B, D]; output ``stylized``
    [B, H, W, 3]."""
    size = transformer.input[1].shape[-1]
    signature = [[keras.InputSpec(shape=(None, None, None, 3),
                                  dtype="float32", name=CONTENT_INPUT),
                  keras.InputSpec(shape=(None, size), dtype="float32",
                                  name=EMBEDDING_INPUT)]]
    model = _export(tflite_graph(transformer), signature)
    _name_output(model, OUTPUT_NAME)
    _modern_nearest_resize(model)
    return model.SerializeToString()


def convert_predictor(predictor: keras.Model) -> bytes:
    """ONNX bytes of the style predictor: input ``style_image`` [1, S, S, 3]
    (export.convert.predictor_serving_model), output ``style_embedding``."""
    serving = predictor_serving_model(predictor)
    signature = [keras.InputSpec(shape=serving.input.shape, dtype="float32",
                                 name=serving.input.name)]
    model = _export(serving, signature)
    _name_output(model, EMBEDDING_INPUT)
    return model.SerializeToString()


def _export(model: keras.Model, signature: list) -> onnx.ModelProto:
    """``model`` through Keras' ONNX export, read back as a ModelProto."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.onnx")
        try:
            # tf2onnx prints its progress to stdout, and Keras' NumPy 2
            # patch of it warns; keep both quiet.
            with contextlib.redirect_stdout(io.StringIO()), \
                    warnings.catch_warnings():
                warnings.simplefilter("ignore", FutureWarning)
                model.export(path, format="onnx", verbose=False,
                             input_signature=signature, opset_version=OPSET)
        except Exception as error:  # the converter raises many types
            raise MagentaStyleError(
                "ONNX conversion failed: "
                f"{str(error).splitlines()[0][:300]}") from None
        return onnx.load(path)


def _name_output(model: onnx.ModelProto, name: str) -> None:
    """Renames the graph's one output (and what produces it) to ``name``."""
    (output,) = model.graph.output
    old, output.name = output.name, name
    for node in model.graph.node:
        node.output[:] = [name if o == old else o for o in node.output]


def _modern_nearest_resize(model: onnx.ModelProto) -> None:
    """Nearest Resize nodes read pixel ⌊x/2⌋ with non-deprecated attributes."""
    for node in model.graph.node:
        if node.op_type != "Resize":
            continue
        attributes = {a.name: a for a in node.attribute}
        mode = attributes.get("coordinate_transformation_mode")
        if mode is None or mode.s != b"tf_half_pixel_for_nn":
            continue
        mode.s = b"asymmetric"
        nearest = attributes.get("nearest_mode")
        if nearest is None:
            node.attribute.append(onnx.helper.make_attribute(
                "nearest_mode", "floor"))
        else:
            nearest.s = b"floor"
