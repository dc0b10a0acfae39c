"""Conversion of the transformer to TFLite, in several quantization modes.

The file has one signature, "serving_default": inputs ``content`` float32
[1, H, W, 3] in [0, 1] (H, W resizable at run time) and ``style_embedding``
float32 [1, D]; output ``stylized`` [1, H, W, 3] in [0, 1]. The style
predictor converts to a file of its own (``convert_predictor``) whose output
is that ``style_embedding``. Only TFLite
builtin ops are allowed: a model needing Flex (Select TF) or custom ops fails.
"""

from __future__ import annotations

import contextlib
import io
from typing import Callable, Iterable

import keras
import numpy as np
import tensorflow as tf
from tensorflow.lite.python import schema_py_generated as schema_fb
from tensorflow.lite.tools import flatbuffer_utils

from magenta_style.errors import MagentaStyleError
from magenta_style.runtime.contract import (
    CONTENT_INPUT,
    DEFAULT_SIZE,
    EMBEDDING_INPUT,
    MODES,
    OUTPUT_NAME,
    PREDICTOR_IMAGE_SIZE,
    PREDICTOR_INPUT,
    PREDICTOR_MODES,
)

_FLOAT_NORMALIZATION_OPS = ("MEAN", "SQUARED_DIFFERENCE", "RSQRT", "SUB",
                            "MUL", "ADD", "LOGISTIC")

RepresentativeData = Callable[[], Iterable[dict]]


def tflite_graph(transformer: keras.Model) -> keras.Model:
    """A copy of the transformer (same weights) whose layers trace only ops
    TFLite has (``for_tflite``: CIN statistics as MEAN ops, plain
    convolutions; network.normalization, network.blocks). Its mirror pads,
    like any pass's outside training, trace as SLICE and CONCATENATION row
    copies."""

    def clone(layer: keras.layers.Layer) -> keras.layers.Layer:
        config = layer.get_config()
        if "for_tflite" in config:
            config["for_tflite"] = True
        return layer.__class__.from_config(config)

    copy = keras.models.clone_model(transformer, clone_function=clone)
    copy.set_weights(transformer.get_weights())
    return copy


def serving_model(transformer: keras.Model,
                  fixed_size: int | None = None) -> keras.Model:
    """The transformer with batch 1 and named dict inputs/outputs.

    The content is H×W-resizable, or exactly fixed_size² when given.
    """
    embedding_size = transformer.input[1].shape[-1]
    content = keras.Input((fixed_size, fixed_size, 3), batch_size=1,
                          name=CONTENT_INPUT)
    embedding = keras.Input((embedding_size,), batch_size=1,
                            name=EMBEDDING_INPUT)
    stylized = transformer([content, embedding])
    return keras.Model([content, embedding], {OUTPUT_NAME: stylized},
                       name="serving")


def _converter(model: keras.Model, mode: str,
               representative: RepresentativeData | None
               ) -> tf.lite.TFLiteConverter:
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
    if mode == "float32":
        return converter
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "float16":
        converter.target_spec.supported_types = [tf.float16]
    elif mode in ("int8", "mixed"):
        if representative is None:
            raise MagentaStyleError(
                f"quantization mode {mode} needs representative=... images "
                "to calibrate", arguments=["representative"])
        converter.representative_dataset = representative
        if mode == "int8":
            converter.target_spec.supported_ops = [
                tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    return converter


def convert(transformer: keras.Model, mode: str,
            representative: RepresentativeData | None = None,
            default_size: int = DEFAULT_SIZE, fixed_size: int | None = None) -> bytes:
    """TFLite flatbuffer of ``transformer`` in quantization ``mode``.

    Inputs and outputs stay float32 in every mode, so callers never change.
    The content input's default shape is [1, default_size, default_size, 3]
    (resizable: its shape signature is [1, -1, -1, 3]). With ``fixed_size``
    every shape is static and the content is [1, fixed_size, fixed_size, 3]
    only: for runtimes without resizable inputs (LiteRT.js).
    """
    if mode not in MODES:
        raise MagentaStyleError(
            f"unknown quantization mode '{mode}'; choose from {', '.join(MODES)}")
    converter = _converter(
        serving_model(tflite_graph(transformer), fixed_size), mode,
        representative)
    flatbuffer = _run(converter, mode, representative)
    if fixed_size:
        return flatbuffer
    return with_default_content_size(flatbuffer, default_size)


def predictor_serving_model(predictor: keras.Model) -> keras.Model:
    """The style predictor with input ``style_image`` [1, S, S, 3] in [0, 1]
    (S = PREDICTOR_IMAGE_SIZE, the view it was trained on) and output
    ``style_embedding`` [1, D]: the transformer's embedding input."""
    predictor.backbone()  # loaded here, where its errors are not wrapped
    image = keras.Input((PREDICTOR_IMAGE_SIZE, PREDICTOR_IMAGE_SIZE, 3),
                        batch_size=1, name=PREDICTOR_INPUT)
    return keras.Model(image, {EMBEDDING_INPUT: predictor(image)},
                       name="predictor_serving")


def convert_predictor(predictor: keras.Model, mode: str) -> bytes:
    """TFLite flatbuffer of the style predictor in ``mode``, one of
    runtime.contract.PREDICTOR_MODES: float32, float16 weights or
    dynamic-range int8 weights (its statistics have no calibration data for
    integer activations)."""
    if mode not in PREDICTOR_MODES:
        raise MagentaStyleError(
            f"the style predictor exports in {', '.join(PREDICTOR_MODES)}, "
            f"not '{mode}'")
    converter = _converter(predictor_serving_model(predictor), mode, None)
    return _run(converter, mode, None)


def _run(converter: tf.lite.TFLiteConverter, mode: str,
         representative: RepresentativeData | None) -> bytes:
    """Runs a converter; only builtin ops may result."""
    # The converter prints the traced signature to stdout; keep it quiet.
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            if mode != "mixed":
                flatbuffer = converter.convert()
            else:
                options = tf.lite.experimental.QuantizationDebugOptions(
                    denylisted_ops=list(_FLOAT_NORMALIZATION_OPS))
                debugger = tf.lite.experimental.QuantizationDebugger(
                    converter=converter, debug_dataset=representative,
                    debug_options=options)
                flatbuffer = debugger.get_nondebug_quantized_model()
        except Exception as error:  # the converter raises many types
            raise MagentaStyleError(
                f"TFLite conversion ({mode}) failed: "
                f"{str(error).splitlines()[0][:300]}") from None
    check_builtin_ops(flatbuffer)
    return flatbuffer


def _signature_input(model, name: str):
    """The tensor of the serving signature's input ``name``."""
    signature = model.signatureDefs[0]
    for item in signature.inputs:
        if item.name.decode() == name:
            return model.subgraphs[signature.subgraphIndex].tensors[
                item.tensorIndex]
    raise MagentaStyleError(f"the TFLite model has no input '{name}'")


def with_default_content_size(flatbuffer: bytes, size: int) -> bytes:
    """Sets the content input's default shape to [1, size, size, 3].

    The converter leaves it at [1, 1, 1, 3], a shape on which the mirror
    padding cannot even be prepared, so a runtime that allocates before
    resizing (a GPU delegate on Android does) would fail.
    """
    model = flatbuffer_utils.read_model_from_bytearray(bytearray(flatbuffer))
    tensor = _signature_input(model, CONTENT_INPUT)
    tensor.shape = np.array([1, size, size, 3], dtype=np.int32)
    return bytes(flatbuffer_utils.convert_object_to_bytearray(model))


def op_names(flatbuffer: bytes) -> set[str]:
    """Names of the ops in the model; custom and Flex ops by their code."""
    model = flatbuffer_utils.read_model_from_bytearray(bytearray(flatbuffer))
    custom = schema_fb.BuiltinOperator.CUSTOM
    builtin = {v: k for k, v in vars(schema_fb.BuiltinOperator).items()
               if not k.startswith("_")}
    names = set()
    for subgraph in model.subgraphs:
        for op in subgraph.operators:
            code = model.operatorCodes[op.opcodeIndex]
            number = max(code.builtinCode, code.deprecatedBuiltinCode)
            names.add(code.customCode.decode() if number == custom
                      else builtin[number])
    return names


def check_builtin_ops(flatbuffer: bytes) -> None:
    """Raises if the model uses Flex (Select TF) or custom ops."""
    known = set(vars(schema_fb.BuiltinOperator))
    foreign = sorted(name for name in op_names(flatbuffer)
                     if name not in known or name in ("CUSTOM", "DELEGATE"))
    if foreign:
        raise MagentaStyleError(
            f"the exported model needs non-builtin ops {', '.join(foreign)}; "
            "it would not run on the stock TFLite runtime")

