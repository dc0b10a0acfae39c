"""The style transfer network T(content, style_embedding) of Dumoulin et al.

``paper``: conv 9×9/1 → conv 3×3/2 → conv 3×3/2 → 5 residual blocks →
(×2 upsampling + conv 3×3) × 2 → conv 9×9/1 to RGB, each conv followed by
conditional instance normalization, ReLU inside and a sigmoid at the end.

``mobile``: space-to-depth 2×2 → conv 5×5/1 → conv 3×3/2 → conv 3×3/1 →
5 residual blocks → conv 3×3 → ×2 upsampling + conv 3×3 → ×2 upsampling +
conv 3×3 to RGB: the same stages, and at full resolution only the last 3×3
convolution instead of two 9×9 ones (constants.ARCHITECTURES).

Widths scale with ``alpha``; the RGB output layer keeps 3 channels. The
upsampling is nearest-neighbour (the paper's) or bilinear
(constants.UPSAMPLING). Both architectures have the same CIN channels, so
the same embedding layout.
"""

from __future__ import annotations

import keras

from magenta_style import constants
from magenta_style.errors import MagentaStyleError
from magenta_style.network.blocks import ConvCIN, ResidualBlock
from magenta_style.network.embedding import EmbeddingLayout
from magenta_style.network.geometry import (
    CropToReference,
    PadToMultiple,
    SpaceToDepth,
)
from magenta_style.runtime.contract import (
    CONTENT_INPUT,
    EMBEDDING_INPUT,
    OUTPUT_NAME,
)


def scaled_width(channels: int, alpha: float) -> int:
    """Channel count of a stage at width multiplier ``alpha`` (at least 1)."""
    return max(1, int(channels * alpha))


def check_architecture(architecture: str) -> None:
    """Raises unless ``architecture`` is one of constants.ARCHITECTURES."""
    if architecture not in constants.ARCHITECTURES:
        raise MagentaStyleError(
            f"unknown architecture '{architecture}'; choose one of "
            f"{', '.join(constants.ARCHITECTURES)}")


def build_transformer(alpha: float = 1.0,
                      architecture: str = constants.DEFAULT_ARCHITECTURE,
                      upsampling: str = constants.DEFAULT_UPSAMPLING,
                      name: str = "transformer") -> keras.Model:
    """Builds T as a functional model: [content, style_embedding] → stylized.

    Its ``embedding_layout`` attribute is the EmbeddingLayout its CIN layers
    were built with.

    ``content`` is [B, H, W, 3] in [0, 1] for any H, W (mirror-padded to a
    multiple of 4 inside, cropped back at the end); ``style_embedding`` is
    [B, D]; the output has the content's shape, in [0, 1]. ``upsampling``
    is the decoder's ×2 interpolation (constants.UPSAMPLING).
    """
    check_architecture(architecture)
    mobile = architecture == "mobile"
    encode = [scaled_width(c, alpha) for c in constants.ENCODER_CHANNELS]
    decode = [scaled_width(c, alpha) for c in constants.DECODER_CHANNELS]
    # Each CIN layer's slot, handed out in network order: the layout.
    layout = EmbeddingLayout()
    encode_slots = [layout.allocate(c) for c in encode]
    residual_slots = [[layout.allocate(encode[-1]) for _ in range(2)]
                      for _ in range(constants.NUM_RESIDUAL_BLOCKS)]
    decode_slots = [layout.allocate(c) for c in decode]
    output_slot = layout.allocate(constants.OUTPUT_CHANNELS)

    content = keras.Input((None, None, 3), name=CONTENT_INPUT)
    embedding = keras.Input((layout.size,), name=EMBEDDING_INPUT)
    first_kernel = (constants.MOBILE_FIRST_KERNEL_SIZE if mobile
                    else constants.OUTER_KERNEL_SIZE)
    last_kernel = (constants.INNER_KERNEL_SIZE if mobile
                   else constants.OUTER_KERNEL_SIZE)
    inner = constants.INNER_KERNEL_SIZE

    x = PadToMultiple(constants.SIZE_MULTIPLE, name="pad_to_multiple")(content)
    if mobile:
        x = SpaceToDepth(constants.MOBILE_BLOCK_SIZE, name="space_to_depth")(x)
    x = ConvCIN(encode[0], first_kernel, encode_slots[0], name="encode_1")(
        [x, embedding])
    x = ConvCIN(encode[1], inner, encode_slots[1], strides=2,
                name="encode_2")([x, embedding])
    x = ConvCIN(encode[2], inner, encode_slots[2], strides=1 if mobile else 2,
                name="encode_3")([x, embedding])
    for i, slots in enumerate(residual_slots):
        x = ResidualBlock(encode[2], slots, name=f"residual_{i + 1}")(
            [x, embedding])
    x = ConvCIN(decode[0], inner, decode_slots[0], upsample=not mobile,
                interpolation=upsampling, name="decode_1")([x, embedding])
    x = ConvCIN(decode[1], inner, decode_slots[1], upsample=True,
                interpolation=upsampling, name="decode_2")([x, embedding])
    x = ConvCIN(constants.OUTPUT_CHANNELS, last_kernel, output_slot,
                upsample=mobile, interpolation=upsampling,
                activation="sigmoid", name="to_rgb")(
        [x, embedding])
    stylized = CropToReference(name=OUTPUT_NAME)([x, content])
    model = keras.Model([content, embedding], stylized, name=name)
    model.embedding_layout = layout
    return model


def transformer_flops(transformer: keras.Model, height: int, width: int
                      ) -> float:
    """FLOP (2 · multiply-adds) of one forward pass of ``transformer``'s
    convolutions on an H×W image; normalization, padding and activations,
    a few percent more, are not counted."""
    total, shape = 0.0, (1, height, width, 3)
    for layer in transformer.layers:
        if isinstance(layer, (ConvCIN, ResidualBlock)):
            total += layer.flops(shape)
            shape = layer.compute_output_shape([shape, None])
        elif isinstance(layer, (PadToMultiple, SpaceToDepth)):
            shape = layer.compute_output_shape(shape)
    return total
