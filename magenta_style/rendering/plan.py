"""The render plan: the size a photo is rendered at, how many pastiches go
in one batched pass, and whether it is rendered whole or in tiles
(rendering.tiles), decided once, from the photo's header (before it is
decoded), the network and the memory this process can still use. stylize,
stylize_video and the API (runtime.style_space) all render by it.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Mapping

from magenta_style.imaging.images import check_image_size, fitted_size
from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.memory import (
    check_tiled_fits,
    styles_that_fit,
    tiled_feature_room,
)
from magenta_style.runtime.choice import install_hint

# Pixels × pastiches rendered in one batched pass. On a CPU a batch is faster
# only for small photos (twelve styles at 128², bfloat16: 0.20 s in passes
# of four or twelve against 0.29 s one at a time; at 256² 0.77 s in passes of
# four against 0.87 s; at 384² one at a time was fastest), while its memory
# grows with it (benchmarks/RESULTS.md, "No Grappler errors").
PASS_PIXELS = 2 ** 18


def pastiches_per_pass(pixels: int, pastiches: int) -> int:
    """How many of ``pastiches`` (of photos of ``pixels``) to render in one
    batched pass: at most PASS_PIXELS in all (one at least), in passes as
    equal as can be, so that one or two batch shapes serve every pass."""
    most = max(1, PASS_PIXELS // max(1, pixels))
    passes = math.ceil(pastiches / most)
    return math.ceil(pastiches / passes)


def rendered_size(stored: tuple[int, int], max_side: int | None,
                  multiple: int = 1) -> tuple[int, int]:
    """The (width, height) a photo of ``stored`` size is rendered at:
    shrunk to a longer side of ``max_side`` (None: as stored), each side
    rounded down to a ``multiple`` (2 for video)."""
    return tuple(max(multiple, side - side % multiple)
                 for side in fitted_size(stored, max_side))


@dataclasses.dataclass(frozen=True)
class RenderPlan:
    """How a photo is rendered: ``stored`` and ``size`` are (width,
    height) in the file and as rendered; ``per_pass`` pastiches (the photo's
    styles, or photos of that size in one style) go in each batched pass;
    ``tiled``: one pastiche at a time, layer by layer in tiles of rows
    (rendering.tiles), keeping up to ``feature_memory`` bytes of features in
    memory and the rest in files."""

    stored: tuple[int, int]
    size: tuple[int, int]
    per_pass: int
    tiled: bool = False
    feature_memory: int = 0

    def passes(self, pastiches: int) -> list[slice]:
        """The indices of ``pastiches`` pastiches, pass by pass."""
        step = self.per_pass
        return [slice(start, min(start + step, pastiches))
                for start in range(0, pastiches, step)]

    @property
    def description(self) -> str:
        """The rendered size as text: "1024x768 (reduced from 4000x3000)"."""
        text = f"{self.size[0]}x{self.size[1]}"
        if self.size != self.stored:
            text += f" (reduced from {self.stored[0]}x{self.stored[1]})"
        return text + (", in tiles" if self.tiled else "")


def plan_render(stored: tuple[int, int], max_side: int | None,
                network: Mapping[str, object], pastiches: int, name: str,
                tiled: bool = False, budget: int | None = None,
                can_tile: bool = True, multiple: int = 1,
                check_size: bool = True) -> RenderPlan:
    """The plan for ``pastiches`` pastiches of a photo ``name`` of
    ``stored`` size (width, height) (its styles, or photos of one size),
    shrunk to a longer side of ``max_side`` (None: as stored), for a
    model's ``network``: whole, in batched passes, where one pastiche fits
    in the memory (at most ``budget`` bytes, if given), else (or if
    ``tiled``) in tiles, which need far less, where the runtime
    ``can_tile`` (the Keras one); its sides rounded down to a ``multiple``
    (2 for video). Raises MagentaStyleError for a photo too large even for
    tiles, and, if ``check_size``, for one too small (check_image_size: the
    rule for photos read from files)."""
    size = rendered_size(stored, max_side, multiple)
    if check_size:
        check_image_size(size, name, stored)
    if tiled and not can_tile:
        raise MagentaStyleError(
            "tiled rendering runs the Keras layers one by one: it needs the "
            f"Keras runtime ({install_hint('keras')})",
            arguments=["tiled"])
    if not tiled:
        try:
            per_pass = styles_that_fit(
                network, size, pastiches_per_pass(size[0] * size[1], pastiches),
                name, budget)
            return RenderPlan(tuple(stored), tuple(size), per_pass)
        except MagentaStyleError:
            if not can_tile:
                raise
    check_tiled_fits(size, name)
    return RenderPlan(tuple(stored), tuple(size), 1, tiled=True,
                      feature_memory=tiled_feature_room(size, budget))
