"""Optical flow between frames, warping by it, the occlusion mask, and the
warping error of Lai et al. (ECCV 2018), the measure of flicker.

Flow is OpenCV's DIS (dense inverse search), which needs no downloaded
weights. ``flow(a, b)`` maps each pixel x of frame a to x + flow(x) in b,
so ``warp(image_b, flow(a, b))`` brings frame b's pixels to a's places.
A pixel whose forward and backward flows disagree is taken as occluded
(Sundaram et al. 2010, as Ruder et al. 2016 use it): it has no counterpart.
"""

from __future__ import annotations

import functools
from typing import Sequence

import cv2
import numpy as np

from magenta_style.imaging.images import to_uint8

# DIS's preset (OpenCV): FAST gave the same warping errors as MEDIUM on the
# test clips at a third of the time (video.stabilizer's measurements).
_PRESET = "FAST"


class FlowEstimator:
    """DIS optical flow between RGB frames (uint8 or float in [0, 1]),
    estimated on frames reduced ``reduction`` times (area filter) and
    scaled back: 1 for the measure, more for speed where a coarser flow
    does (the stabilizer)."""

    def __init__(self, reduction: int = 1):
        self.reduction = int(reduction)
        self._dis = cv2.DISOpticalFlow_create(
            getattr(cv2, f"DISOPTICAL_FLOW_PRESET_{_PRESET}"))

    def gray(self, frame: np.ndarray) -> np.ndarray:
        """The 8-bit luminance DIS works on, reduced."""
        frame = np.asarray(frame)
        if frame.dtype != np.uint8:
            frame = to_uint8(frame)
        gray = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
        if self.reduction == 1:
            return gray
        h, w = gray.shape
        return cv2.resize(gray, (w // self.reduction, h // self.reduction),
                          interpolation=cv2.INTER_AREA)

    def flow(self, gray_a: np.ndarray, gray_b: np.ndarray,
             size: tuple[int, int] | None = None) -> np.ndarray:
        """Flow [H, W, 2] (x, y) from gray frame a to gray frame b, at the
        frames' full ``size`` (width, height; needed where reduced)."""
        flow = self._dis.calc(gray_a, gray_b, None)
        if self.reduction == 1:
            return flow
        return cv2.resize(flow, size, interpolation=cv2.INTER_LINEAR
                          ) * np.float32(self.reduction)

    def to_previous(self, gray: np.ndarray, previous_gray: np.ndarray,
                    size: tuple[int, int] | None = None) -> tuple:
        """(flow of a frame to the one before it, its pixels that pass the
        forward-backward check), from their gray frames."""
        flow = self.flow(gray, previous_gray, size)
        return flow, unoccluded(flow, self.flow(previous_gray, gray, size))


@functools.lru_cache(maxsize=4)
def _pixel_grid(height: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """x and y of every pixel, float32 [H, W] each."""
    ys, xs = np.mgrid[:height, :width].astype(np.float32)
    return xs, ys


def _sample_points(flow: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x + flow(x): where each pixel samples, as x and y maps."""
    xs, ys = _pixel_grid(*flow.shape[:2])
    return xs + flow[..., 0], ys + flow[..., 1]


def warp(image: np.ndarray, flow: np.ndarray,
         interpolation: int = cv2.INTER_LINEAR) -> np.ndarray:
    """``image`` [H, W, C] sampled at x + flow(x) (bilinear, as the warping
    error of Lai et al. 2018 samples, or another OpenCV ``interpolation``;
    borders replicated): frame b brought to frame a's places by
    flow(a, b)."""
    x, y = _sample_points(flow)
    return cv2.remap(np.asarray(image, np.float32), x, y, interpolation,
                     borderMode=cv2.BORDER_REPLICATE)


def unoccluded(forward: np.ndarray, backward: np.ndarray) -> np.ndarray:
    """Pixels [H, W] (bool) of frame a whose flow to b, ``forward``, comes
    back by b's flow to a, ``backward``: |f + b(x + f)|² < 0.01 (|f|² +
    |b(x + f)|²) + 0.5, and that stay inside the frame."""
    x, y = _sample_points(forward)
    back = cv2.remap(backward, x, y, cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)
    fx, fy, bx, by = forward[..., 0], forward[..., 1], back[..., 0], back[..., 1]
    error = (fx + bx) ** 2 + (fy + by) ** 2
    bound = 0.01 * (fx * fx + fy * fy + bx * bx + by * by) + 0.5
    h, w = forward.shape[:2]
    return ((error < bound) & (x >= 0) & (x <= w - 1) & (y >= 0)
            & (y <= h - 1))


def input_motion(inputs: Sequence[np.ndarray]) -> list[tuple]:
    """For each frame t ≥ 1 of ``inputs``: (flow t → t − 1, its unoccluded
    pixels), estimated by DIS with the forward-backward check."""
    estimator = FlowEstimator()
    grays = [estimator.gray(frame) for frame in inputs]
    return [estimator.to_previous(gray, previous)
            for previous, gray in zip(grays, grays[1:])]


def warping_error(outputs: Sequence[np.ndarray],
                  motion: Sequence[tuple]) -> float:
    """Lai et al.'s warping error: the mean over t ≥ 1 of the mean squared
    difference (pixels in [0, 1], over channels) between output t and
    output t − 1 warped by the *input* frames' motion (``input_motion``, or
    a synthetic clip's exact flows), over the pixels of its mask."""
    errors = []
    for (flow, mask), previous, output in zip(motion, outputs, outputs[1:]):
        difference = (_unit(output) - warp(_unit(previous), flow)) ** 2
        errors.append(float(difference[mask].mean()) if mask.any() else 0.0)
    return float(np.mean(errors)) if errors else 0.0


def _unit(frame: np.ndarray) -> np.ndarray:
    """A frame as float32 in [0, 1]."""
    frame = np.asarray(frame)
    if frame.dtype == np.uint8:
        return frame.astype(np.float32) / 255.0
    return frame.astype(np.float32)
