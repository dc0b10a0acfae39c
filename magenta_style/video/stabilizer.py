"""Flow-guided blending: each stylized frame is mixed with the previous
output, warped to it by the motion of the input frames, wherever that
motion is known (unoccluded pixels); occluded and new pixels keep the new
frame's pastiche. A recursive blend: the output remembers about
1 / (1 − weight) frames, so strokes that a small change of the input moved
settle instead of flickering, while moving objects carry their strokes
with them.

What it cannot do: a wrong flow (fast motion, motion blur, thin
structures) drags the previous strokes to wrong places for a few frames
(ghosting); the higher the weight, the longer.
"""

from __future__ import annotations

import cv2
import numpy as np

from magenta_style.errors import MagentaStyleError
from magenta_style.video.motion import FlowEstimator, warp

# The flow is estimated on frames reduced this many times. 1: at full size.
# Halved frames saved about 5 ms a frame at 640x360 (the forward-backward
# check and the warp stay at full size) but misplaced the carried strokes:
# on 24 frames of the synthetic golden_gate clip (the video network, udnie,
# weight 0.5) the warping error was 2.14x the input clip's with halved
# frames, 1.83x at full size and 1.03x with the exact motion, at +10.1%,
# +9.2% and +9.9% style loss.
FLOW_REDUCTION = 1
# How the previous output is resampled along the flow. Each frame carries
# the last one's strokes, so a blurring resampler blurs them over the
# frames it remembers: on the bunny clip and synthetic clips of golden_gate
# and tubingen (640x360, udnie, weight 0.5; benchmarks.video_stability)
# bicubic cost 5.5-9.5% more style loss than frame by frame, bilinear
# 9.7-13.8%, for the same warping error (0.20-0.47x against 0.20-0.44x).
CARRY_INTERPOLATION = cv2.INTER_CUBIC


class Stabilizer:
    """Blends frame by frame: output = (1 − weight) · pastiche + weight ·
    warp(previous output) on unoccluded pixels, the pastiche elsewhere."""

    def __init__(self, weight: float):
        if not 0.0 <= weight < 1.0:
            raise MagentaStyleError(
                f"stabilizing weight must be in [0, 1), got {weight}",
                arguments=["weight"])
        self.weight = float(weight)
        self._flow = FlowEstimator(FLOW_REDUCTION)
        self._previous = None  # (gray input, output)

    def __call__(self, frame: np.ndarray, pastiche: np.ndarray
                 ) -> np.ndarray:
        """The output for input ``frame`` (RGB uint8) whose own pastiche is
        ``pastiche`` (float [H, W, 3] in [0, 1])."""
        gray = self._flow.gray(frame)
        output = np.asarray(pastiche, np.float32)
        if self._previous is not None and self.weight > 0:
            previous_gray, previous = self._previous
            to_previous, mask = self._flow.to_previous(
                gray, previous_gray, (output.shape[1], output.shape[0]))
            carried = np.clip(warp(previous, to_previous,
                                   CARRY_INTERPOLATION), 0.0, 1.0)
            weight = (self.weight * mask)[..., None].astype(np.float32)
            output = output + weight * (carried - output)
        self._previous = (gray, output)
        return output
