"""The render plan: the size a photo is rendered at, how many styles go in
one batched pass, and whether it is rendered whole or in tiles
(rendering.tiles), decided once, from the photo's header (before it is
decoded), the network and the memory this process can still use.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Mapping

from magenta_style.imaging.images import check_image_size, fitted_size
from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.memory import check_tiled_fits, styles_that_fit
from magenta_style.runtime.choice import install_hint

# Pixels × styles rendered in one batched pass. On a CPU a batch is faster
# only for small photos (twelve styles at 128², bfloat16: 0.20 s in passes
# of four or twelve against 0.29 s one at a time; at 256² 0.77 s in passes of
# four against 0.87 s; at 384² one at a time was fastest), while its memory
# grows with it (benchmarks/RESULTS.md, "No Grappler errors").
PASS_PIXELS = 2 ** 18


def styles_per_pass(pixels: int, styles: int) -> int:
    """How many of ``styles`` to render at once in a photo of ``pixels``:
    at most PASS_PIXELS in all (one style at least), in passes as equal as
    can be, so that one or two batch shapes serve every pass."""
    most = max(1, PASS_PIXELS // max(1, pixels))
    passes = math.ceil(styles / most)
    return math.ceil(styles / passes)


@dataclasses.dataclass(frozen=True)
class RenderPlan:
    """How one photo is rendered: ``stored`` and ``size`` are (width,
    height) in the file and as rendered; ``styles_per_pass`` styles go in
    each batched pass; ``tiled``: one style at a time, layer by layer in
    tiles of rows (rendering.tiles)."""

    stored: tuple[int, int]
    size: tuple[int, int]
    styles_per_pass: int
    tiled: bool = False

    def passes(self, styles: int) -> list[range]:
        """The indices of ``styles`` styles, pass by pass."""
        step = self.styles_per_pass
        return [range(start, min(start + step, styles))
                for start in range(0, styles, step)]

    @property
    def description(self) -> str:
        """The rendered size as text: "1024x768 (reduced from 4000x3000)"."""
        text = f"{self.size[0]}x{self.size[1]}"
        if self.size != self.stored:
            text += f" (reduced from {self.stored[0]}x{self.stored[1]})"
        return text + (", in tiles" if self.tiled else "")


def plan_render(stored: tuple[int, int], max_side: int | None,
                network: Mapping[str, object], styles: int, name: str,
                tiled: bool = False, budget: int | None = None,
                can_tile: bool = True) -> RenderPlan:
    """The plan for a photo ``name`` of ``stored`` size (width, height) in
    ``styles`` styles, shrunk to a longer side of ``max_side`` (None: as
    stored), for a model's ``network``: whole, in batched passes, where one
    style fits in the memory (at most ``budget`` bytes, if given), else (or
    if ``tiled``) in tiles, which need far less, where the runtime
    ``can_tile`` (the Keras one). Raises MagentaStyleError for a photo too
    small (check_image_size) or too large even for tiles."""
    size = fitted_size(stored, max_side)
    check_image_size(size, name, stored)
    if tiled and not can_tile:
        raise MagentaStyleError(
            "tiled rendering runs the Keras layers one by one: it needs the "
            f"Keras runtime ({install_hint('keras')})",
            arguments=["tiled"])
    if not tiled:
        try:
            per_pass = styles_that_fit(
                network, size, styles_per_pass(size[0] * size[1], styles),
                name, budget)
            return RenderPlan(tuple(stored), tuple(size), per_pass)
        except MagentaStyleError:
            if not can_tile:
                raise
    check_tiled_fits(size, name)
    return RenderPlan(tuple(stored), tuple(size), 1, tiled=True)
