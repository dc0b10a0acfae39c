"""Reading and writing video clips through FFmpeg, with their sound.

FFmpeg comes from the ``imageio-ffmpeg`` wheel (a static binary), not the
system. Frames are RGB uint8 [H, W, 3]. A clip is scaled by FFmpeg itself
(area filter) to the size asked for; H.264 needs even sides, so sizes are
rounded down to even. The writer copies the input's audio stream unchanged
(no re-encoding) into the new file, which is written under a temporary name
beside the output and renamed when it is complete.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import subprocess
from typing import Iterator

import numpy as np

from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.files import atomic_file

# Output containers (by extension) and the video codec each gets.
CONTAINERS = {".mp4": "libx264", ".mkv": "libx264", ".mov": "libx264"}
# libx264's constant rate factor: 18 is visually lossless for most clips
# (FFmpeg's default is 23); the stylized frames are full of fine strokes.
QUALITY_CRF = 18
# Frame sides are a multiple of this: H.264's 4:2:0 chroma halves both.
SIDE_MULTIPLE = 2


@dataclasses.dataclass(frozen=True)
class ClipInfo:
    """A clip's stream: ``size`` (width, height) as stored, frames per
    second, duration in seconds and its audio codec (None without sound)."""

    size: tuple[int, int]
    fps: float
    duration: float
    audio_codec: str | None

    @property
    def frames(self) -> int:
        """The frame count its header implies (FFmpeg's estimate)."""
        return max(1, round(self.fps * self.duration))


def clip_info(path: str) -> ClipInfo:
    """The header of the video ``path``; a file that is not a video (or has
    no video stream) is a MagentaStyleError naming it."""
    if not os.path.isfile(path):
        raise MagentaStyleError(f"video not found: {path}")
    import imageio_ffmpeg  # an extra: imported where a clip is opened

    frames = imageio_ffmpeg.read_frames(path)
    try:
        meta = next(frames)
    except (OSError, RuntimeError, StopIteration) as error:
        streams = str(error)
        if "Stream #" in streams and "Video:" not in streams:
            raise MagentaStyleError(f"{path} has no video stream") from None
        raise MagentaStyleError(
            f"{path} is not a video FFmpeg can read: "
            f"{_last_line(error)}") from None
    finally:
        frames.close()
    if not meta.get("size") or not meta.get("fps"):
        raise MagentaStyleError(f"{path} has no video stream")
    return ClipInfo(tuple(meta["size"]), float(meta["fps"]),
                    float(meta.get("duration") or 0.0),
                    meta.get("audio_codec"))


def read_frames(path: str, size: tuple[int, int]) -> Iterator[np.ndarray]:
    """The frames of ``path`` as RGB uint8 [H, W, 3] at ``size`` (width,
    height); a clip without a single frame is an error."""
    import imageio_ffmpeg

    # imageio-ffmpeg warns that the size differs from the clip's: asked for.
    logging.getLogger("imageio_ffmpeg").setLevel(logging.ERROR)
    frames = imageio_ffmpeg.read_frames(
        path, output_params=["-vf", f"scale={size[0]}:{size[1]}:flags=area"])
    count = 0
    try:
        next(frames)  # the header
        for raw in frames:
            count += 1
            yield np.frombuffer(raw, np.uint8).reshape(size[1], size[0], 3)
    except (OSError, RuntimeError) as error:
        raise MagentaStyleError(f"cannot decode {path}: {_last_line(error)}"
                                ) from None
    finally:
        frames.close()
    if not count:
        raise MagentaStyleError(f"{path} has no video frames")


class FrameSink:
    """FFmpeg encoding RGB uint8 [H, W, 3] frames into ``path`` (a
    temporary name: ``write_clip`` moves it into place)."""

    def __init__(self, path: str, codec: str, size: tuple[int, int],
                 fps: float, audio_from: str | None):
        import imageio_ffmpeg

        self.frames = 0
        self._encoder = imageio_ffmpeg.write_frames(
            path, size, fps=fps, codec=codec, quality=None,
            macro_block_size=2, ffmpeg_log_level="error",
            output_params=["-crf", str(QUALITY_CRF), "-movflags",
                           "+faststart"],
            audio_path=audio_from, audio_codec="copy" if audio_from else None)
        self._encoder.send(None)  # starts FFmpeg

    def write(self, frame: np.ndarray) -> None:
        """Appends a frame."""
        try:
            self._encoder.send(np.ascontiguousarray(frame))
        except (OSError, RuntimeError) as error:
            raise MagentaStyleError(
                f"cannot encode a frame: {_last_line(error)}") from None
        self.frames += 1

    def finish(self) -> None:
        """Ends the stream (FFmpeg muxes the audio and closes the file)."""
        try:
            self._encoder.close()
        except (OSError, RuntimeError) as error:
            raise MagentaStyleError(
                f"cannot finish the clip: {_last_line(error)}") from None

    def abandon(self) -> None:
        """Stops FFmpeg without finishing the file."""
        with contextlib.suppress(OSError, RuntimeError,
                                 subprocess.SubprocessError):
            self._encoder.close()


@contextlib.contextmanager
def write_clip(path: str, size: tuple[int, int], fps: float,
               audio_from: str | None = None) -> Iterator[FrameSink]:
    """A FrameSink for the clip ``path`` (its extension one of CONTAINERS)
    at ``fps``, with the audio stream of ``audio_from`` copied in; the file
    appears under its name only when the block ends without an error
    (imaging.files.atomic_file)."""
    extension = os.path.splitext(path)[1].lower()
    if extension not in CONTAINERS:
        raise MagentaStyleError(
            f"cannot write {path}: a clip is one of {', '.join(CONTAINERS)}",
            arguments=["path"])
    with atomic_file(path) as partial:
        sink = FrameSink(partial, CONTAINERS[extension], size, fps,
                         audio_from)
        try:
            yield sink
        except BaseException:
            sink.abandon()
            raise
        sink.finish()


def _last_line(error: BaseException) -> str:
    """The last non-empty line of an FFmpeg error (its cause)."""
    lines = [line for line in str(error).splitlines() if line.strip()]
    return lines[-1][:200] if lines else type(error).__name__
