"""The style transfer network T(content, style_embedding) of Dumoulin et al.

``paper``: conv 9×9/1 → conv 3×3/2 → conv 3×3/2 → 5 residual blocks →
(×2 nearest + conv 3×3) × 2 → conv 9×9/1 to RGB, each conv followed by
conditional instance normalization, ReLU inside and a sigmoid at the end.

``mobile``: space-to-depth 2×2 → conv 5×5/1 → conv 3×3/2 → conv 3×3/1 →
5 residual blocks → conv 3×3 → ×2 nearest + conv 3×3 → ×2 nearest + conv
3×3 to RGB: the same stages, and at full resolution only the last 3×3
convolution instead of two 9×9 ones (constants.ARCHITECTURES).

Widths scale with ``alpha``; the RGB output layer keeps 3 channels. Both
architectures have the same CIN channels, so the same embedding layout.
"""

from __future__ import annotations

import keras

from magenta_style import constants
from magenta_style.errors import MagentaStyleError
from magenta_style.network.layers import (
    ConvCIN,
    CropToReference,
    PadToMultiple,
    ResidualBlock,
    SpaceToDepth,
    embedding_size,
)

CONTENT_INPUT = "content"
EMBEDDING_INPUT = "style_embedding"
OUTPUT_NAME = "stylized"


def scaled_width(channels: int, alpha: float) -> int:
    """Channel count of a stage at width multiplier ``alpha`` (at least 1)."""
    return max(1, int(channels * alpha))


def check_architecture(architecture: str) -> None:
    """Raises unless ``architecture`` is one of constants.ARCHITECTURES."""
    if architecture not in constants.ARCHITECTURES:
        raise MagentaStyleError(
            f"unknown architecture '{architecture}'; choose one of "
            f"{', '.join(constants.ARCHITECTURES)}")


def cin_channels(alpha: float = 1.0) -> tuple[int, ...]:
    """Channel counts of the network's CIN layers, in embedding order."""
    enc = [scaled_width(c, alpha) for c in constants.ENCODER_CHANNELS]
    dec = [scaled_width(c, alpha) for c in constants.DECODER_CHANNELS]
    residual = [enc[-1]] * (2 * constants.NUM_RESIDUAL_BLOCKS)
    return tuple(enc + residual + dec + [constants.OUTPUT_CHANNELS])


def build_transformer(alpha: float = 1.0,
                      architecture: str = constants.DEFAULT_ARCHITECTURE,
                      name: str = "transformer") -> keras.Model:
    """Builds T as a functional model: [content, style_embedding] → stylized.

    ``content`` is [B, H, W, 3] in [0, 1] for any H, W (mirror-padded to a
    multiple of 4 inside, cropped back at the end); ``style_embedding`` is
    [B, D]; the output has the content's shape, in [0, 1].
    """
    check_architecture(architecture)
    channels = cin_channels(alpha)
    mobile = architecture == "mobile"
    content = keras.Input((None, None, 3), name=CONTENT_INPUT)
    embedding = keras.Input((embedding_size(channels),), name=EMBEDDING_INPUT)

    offsets = []
    position = 0
    for c in channels:
        offsets.append(position)
        position += 2 * c
    offsets = iter(offsets)
    enc1, enc2, enc3 = channels[:3]
    dec1, dec2, out = channels[-3:]
    first_kernel = (constants.MOBILE_FIRST_KERNEL_SIZE if mobile
                    else constants.OUTER_KERNEL_SIZE)
    last_kernel = (constants.INNER_KERNEL_SIZE if mobile
                   else constants.OUTER_KERNEL_SIZE)

    x = PadToMultiple(constants.SIZE_MULTIPLE, name="pad_to_multiple")(content)
    if mobile:
        x = SpaceToDepth(constants.MOBILE_BLOCK_SIZE, name="space_to_depth")(x)
    x = ConvCIN(enc1, first_kernel, next(offsets), name="encode_1")(
        [x, embedding])
    x = ConvCIN(enc2, constants.INNER_KERNEL_SIZE, next(offsets), strides=2,
                name="encode_2")([x, embedding])
    x = ConvCIN(enc3, constants.INNER_KERNEL_SIZE, next(offsets),
                strides=1 if mobile else 2, name="encode_3")([x, embedding])
    for i in range(constants.NUM_RESIDUAL_BLOCKS):
        offset = next(offsets)
        next(offsets)  # the block's second CIN layer
        x = ResidualBlock(enc3, offset, name=f"residual_{i + 1}")(
            [x, embedding])
    x = ConvCIN(dec1, constants.INNER_KERNEL_SIZE, next(offsets),
                upsample=not mobile, name="decode_1")([x, embedding])
    x = ConvCIN(dec2, constants.INNER_KERNEL_SIZE, next(offsets),
                upsample=True, name="decode_2")([x, embedding])
    x = ConvCIN(out, last_kernel, next(offsets), upsample=mobile,
                activation="sigmoid", name="to_rgb")([x, embedding])
    stylized = CropToReference(name=OUTPUT_NAME)([x, content])
    return keras.Model([content, embedding], stylized, name=name)
