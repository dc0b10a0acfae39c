"""Clips with known motion, made from a photo: a camera that pans, zooms and
turns a little, so the true flow between frames is exact (an affine map),
for tests, the stability benchmark and temporal training.

Frame t shows the photo at A_t(x) for each pixel x, where A_t is an affine
map from frame to photo coordinates; the same photo point lies in frame
t − 1 at A_{t−1}⁻¹ A_t x, which gives the flow t → t − 1 and its mask
(pixels whose point was inside frame t − 1).
"""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np

from magenta_style.imaging.images import to_uint8

# Share of the photo the first frame covers, centred (of the side that
# fills first): 20% of that side is left on each side for the camera's pan.
FRAME_COVER = 0.6


@dataclasses.dataclass(frozen=True)
class Motion:
    """A camera's motion per frame: pan in pixels of the frame (x, y), zoom
    (relative scale change) and turn (degrees)."""

    pan: tuple[float, float] = (2.0, 0.5)
    zoom: float = 0.004
    turn: float = 0.1


def photo_pixels_per_frame_pixel(size: tuple[int, int],
                                 photo_size: tuple[int, int]) -> float:
    """The first frame's scale: photo pixels per pixel of a frame of
    ``size`` (width, height) over a photo of ``photo_size``, the frame
    centred and covering FRAME_COVER of the photo."""
    return FRAME_COVER * min(photo_size[0] / size[0],
                             photo_size[1] / size[1])


def _frame_to_photo(t: int, motion: Motion, size: tuple[int, int],
                    photo_size: tuple[int, int]) -> np.ndarray:
    """A_t as a 3×3 matrix: frame pixel (x, y, 1) → photo coordinates."""
    width, height = size
    scale = (photo_pixels_per_frame_pixel(size, photo_size)
             / (1.0 + motion.zoom) ** t)
    angle = np.deg2rad(motion.turn * t)
    centre = np.array(photo_size, np.float64) / 2 + scale * t * np.asarray(
        motion.pan, np.float64)
    rotation = scale * np.array([[np.cos(angle), -np.sin(angle)],
                                 [np.sin(angle), np.cos(angle)]])
    offset = centre - rotation @ (np.array([width, height]) / 2)
    return np.vstack([np.hstack([rotation, offset[:, None]]), [0, 0, 1]])


def affine_clip(photo: np.ndarray, size: tuple[int, int], frames: int,
                motion: Motion = Motion(), noise: float = 1.0,
                seed: int = 0) -> tuple[list[np.ndarray], list[tuple]]:
    """``frames`` RGB uint8 frames of ``size`` (width, height) filmed over
    ``photo`` ([H, W, 3] in [0, 1]) with ``motion``, each with Gaussian
    sensor noise of ``noise`` levels (of 255), and for each frame t ≥ 1 the
    exact (flow t → t − 1 [H, W, 2], mask [H, W]) of frame t's pixels."""
    photo_size = (photo.shape[1], photo.shape[0])
    rng = np.random.default_rng(seed)
    width, height = size
    xs, ys = np.meshgrid(np.arange(width), np.arange(height))
    grid = np.stack([xs, ys, np.ones_like(xs)], -1).astype(np.float64)
    out, flows, previous = [], [], None
    for t in range(frames):
        to_photo = _frame_to_photo(t, motion, size, photo_size)
        frame = cv2.warpAffine(
            np.asarray(photo, np.float32), to_photo[:2], size,
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_REFLECT)
        frame = frame + rng.normal(0, noise / 255, frame.shape)
        out.append(to_uint8(frame))
        if previous is not None:
            back = np.linalg.inv(previous) @ to_photo
            where = grid @ back.T
            flow = (where[..., :2] - grid[..., :2]).astype(np.float32)
            mask = ((where[..., 0] >= 0) & (where[..., 0] <= width - 1)
                    & (where[..., 1] >= 0) & (where[..., 1] <= height - 1))
            flows.append((flow, mask))
        previous = to_photo
    return out, flows
