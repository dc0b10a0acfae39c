"""The fixed perceptual loss network: VGG-19 from keras.applications.

Input is RGB in [0, 1]; caffe preprocessing (BGR, 0..255, minus the ImageNet
mean) happens inside. The network is frozen and cut after the last layer a
loss uses, so no work is spent on layers nobody reads.
"""

from __future__ import annotations

import os
from typing import Sequence

import keras
import tensorflow as tf

from magenta_style import constants
from magenta_style.errors import MagentaStyleError
from magenta_style.network.serialization import PACKAGE

IMAGENET = "imagenet"
# Output channels of each VGG-19 convolution layer, by Keras layer name.
CONV_CHANNELS = {f"block{block}_conv{index}": channels
                 for block, (convs, channels) in enumerate(
                     ((2, 64), (2, 128), (4, 256), (4, 512), (4, 512)), 1)
                 for index in range(1, convs + 1)}


@keras.saving.register_keras_serializable(PACKAGE)
class CaffePreprocess(keras.layers.Layer):
    """RGB in [0, 1] → BGR on 0..255 minus the ImageNet mean."""

    def call(self, x):
        bgr = tf.reverse(x, axis=[-1]) * 255.0
        return bgr - tf.constant(constants.VGG_MEAN_BGR, dtype=x.dtype)


def load_vgg19(weights: str = IMAGENET) -> keras.Model:
    """VGG-19 without its classifier, with ImageNet weights or a local file.

    ``weights`` is "imagenet" (downloaded by Keras, needs network) or the path
    of a Keras ``vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5``.
    """
    if weights != IMAGENET and not os.path.isfile(weights):
        raise MagentaStyleError(f"VGG-19 weights file not found: {weights}")
    try:
        return keras.applications.VGG19(
            include_top=False, weights=weights, input_shape=(None, None, 3))
    except Exception as error:  # Keras raises bare Exception on fetch failure
        if weights == IMAGENET:
            raise MagentaStyleError(
                "could not download the VGG-19 ImageNet weights "
                f"({str(error).splitlines()[0]}); without network access give "
                "weights=PATH of a local vgg19 notop .h5 file",
                arguments=["weights"]) from None
        raise MagentaStyleError(
            f"cannot load VGG-19 weights from {weights}: "
            f"{str(error).splitlines()[0]}") from None


def build_feature_extractor(vgg: keras.Model, layer_names: Sequence[str]
                            ) -> keras.Model:
    """A frozen model: RGB [0, 1] → {layer name: activations}.

    Only the layers up to the deepest requested one are part of the model.
    """
    known = [layer.name for layer in vgg.layers]
    unknown = [name for name in layer_names if name not in known]
    if unknown:
        raise MagentaStyleError(
            f"unknown VGG-19 layer(s) {', '.join(unknown)}; choose from "
            f"{', '.join(n for n in known if 'conv' in n)}")
    vgg.trainable = False
    image = keras.Input((None, None, 3), name="image")
    x = CaffePreprocess(name="caffe_preprocess")(image)
    outputs = {}
    wanted = set(layer_names)
    for layer in vgg.layers[1:]:
        x = layer(x)
        if layer.name in wanted:
            outputs[layer.name] = x
        if len(outputs) == len(wanted):
            break
    extractor = keras.Model(image, outputs, name="vgg19_features")
    extractor.trainable = False
    return extractor
