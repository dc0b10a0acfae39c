"""Representative data for calibrating int8 activation ranges."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from export.convert import RepresentativeData
from magenta_style.imaging.transforms import center_crop
from magenta_style.network.model import StylizationModel
from magenta_style.runtime.contract import CONTENT_INPUT, EMBEDDING_INPUT

CALIBRATION_SIZE = 256  # px, side of the square crops of the photos


def representative_data(model: StylizationModel,
                        images: Sequence[np.ndarray]) -> RepresentativeData:
    """Each photo with one style's embedding, every third with a 50/50 blend,
    so calibration sees the ranges that styles and blends produce."""

    def generate():
        n = model.num_styles
        for i, image in enumerate(images):
            style = {i % n: 0.5, (i + 1) % n: 0.5} if i % 3 == 2 else i % n
            yield {CONTENT_INPUT: center_crop(image, CALIBRATION_SIZE)[None],
                   EMBEDDING_INPUT: model.embedding(style)[None]}

    return generate
