"""Will a photo fit in memory? An estimate of what stylizing it needs, against
what the process may still use, checked before the run.

The estimate is linear in the pixels and in the styles rendered at once
(the batch): the transformer's activations at full resolution dominate.
"""

from __future__ import annotations

import math
import os
import resource
from typing import Mapping

from magenta_style import constants
from magenta_style.errors import MagentaStyleError

# Peak memory of one pastiche, bytes per pixel, as BASE + PER_CHANNEL × c, where
# c is the width of the full-resolution layers (ENCODER_CHANNELS[0] × alpha).
# Measured as the growth of the peak RSS over a stylize call on a 2-core CPU
# (TensorFlow 2.21): paper network 564 B at alpha 1 (1024², one style),
# 550 B (2048², one style), 549 B (1024², six styles), 213 B at alpha 0.25;
# mobile network 330 B at alpha 1, 119 B at alpha 0.25.
_BYTES_PER_PIXEL = {"paper": (100, 14.3), "mobile": (50, 8.8)}
# The photo itself while it is stylized: float32 RGB.
_PHOTO_BYTES_PER_PIXEL = 12
# Tiled rendering (rendering.tiles): the decoded photo in Pillow's 8-bit
# RGB (4 bytes per pixel), and a working set of tiles, the model and
# TensorFlow's own memory that does not grow with the photo: 8000×6000 in
# one style with the fast network peaked at 1.07 GB (RSS), 0.19 GB of it
# the decoded photo.
_DECODED_BYTES_PER_PIXEL = 4
_TILED_WORKING_BYTES = 900_000_000
# Headroom over the measured figures (allocator slack, other threads).
_MARGIN = 1.25

_MEMINFO = "/proc/meminfo"
_CGROUP_ROOT = "/sys/fs/cgroup"
# (limit, usage) files of cgroup v2 and v1.
_CGROUP_FILES = (("memory.max", "memory.current"),
                 ("memory.limit_in_bytes", "memory.usage_in_bytes"))


def stylize_bytes(network: Mapping[str, object], width: int, height: int,
                  styles: int = 1) -> int:
    """Bytes stylizing a ``width``×``height`` photo in ``styles`` styles at
    once needs, for a model's ``network`` ({"architecture", "alpha"})."""
    base, per_channel = _BYTES_PER_PIXEL[network["architecture"]]
    channels = max(1, int(constants.ENCODER_CHANNELS[0] * network["alpha"]))
    per_pixel = styles * (base + per_channel * channels) + _PHOTO_BYTES_PER_PIXEL
    return int(_MARGIN * per_pixel * width * height)


def available_bytes() -> int:
    """Bytes this process can still allocate: the least of the system's
    MemAvailable, the room under its cgroup's memory limit and under its
    address-space limit (ulimit -v)."""
    room = [_meminfo_available(), _cgroup_room(), _address_space_room()]
    return max(0, min(r for r in room if r is not None))


def styles_that_fit(network: Mapping[str, object], size: tuple[int, int],
                    styles: int, path: str, budget: int | None = None) -> int:
    """How many of ``styles`` to render at once so that the photo ``path`` of
    ``size`` (width, height) fits in memory (at most ``budget`` bytes, if
    given): all if they fit, else fewer.

    Raises MagentaStyleError, with the largest size that would fit, when not
    even one style does.
    """
    width, height = size
    available = min(available_bytes(), budget or available_bytes())
    for count in range(styles, 0, -1):
        if stylize_bytes(network, width, height, count) <= available:
            return count
    pixels = available / stylize_bytes(network, 1, 1)
    side = int(max(size) * math.sqrt(pixels / (width * height)))
    fits = (f"a longer side of at most {side} pixels would fit (max_side="
            f"{side})" if side >= constants.MIN_IMAGE_SIDE
            else "no useful size fits")
    raise MagentaStyleError(
        f"image {path} at {width}x{height} needs about "
        f"{_gb(stylize_bytes(network, width, height))} of memory to stylize "
        f"but {_gb(available)} is available: {fits}",
        arguments=["max_side"])


def tiled_bytes(width: int, height: int) -> int:
    """Bytes rendering a ``width``×``height`` photo in tiles needs
    (rendering.tiles): the decoded photo and the tiles' working set."""
    return int(_MARGIN * (_DECODED_BYTES_PER_PIXEL * width * height
                          + _TILED_WORKING_BYTES))


def tiled_feature_room(size: tuple[int, int], budget: int | None = None
                       ) -> int:
    """Bytes a tiled render of a photo of ``size`` (width, height) may keep
    its features in (rendering.tiles) within the memory available (at most
    ``budget`` bytes, if given), beside what ``tiled_bytes`` counts."""
    available = min(available_bytes(), budget or available_bytes())
    return max(0, int(available / _MARGIN) - tiled_bytes(*size))


def check_tiled_fits(size: tuple[int, int], path: str) -> None:
    """Raises MagentaStyleError, with the largest size that would fit, when
    the photo ``path`` of ``size`` (width, height) does not fit in memory
    even in tiles."""
    width, height = size
    available = available_bytes()
    if tiled_bytes(width, height) <= available:
        return
    pixels = (available / _MARGIN - _TILED_WORKING_BYTES) / \
        _DECODED_BYTES_PER_PIXEL
    side = int(max(size) * math.sqrt(max(0.0, pixels) / (width * height)))
    raise MagentaStyleError(
        f"image {path} at {width}x{height} needs about "
        f"{_gb(tiled_bytes(width, height))} of memory even in tiles, but "
        f"{_gb(available)} is available: a longer side of at most {side} "
        f"pixels would fit (max_side={side})", arguments=["max_side"])


def _gb(count: float) -> str:
    return f"{count / 1e9:.1f} GB"


def _meminfo_available() -> int | None:
    """MemAvailable of /proc/meminfo, in bytes."""
    try:
        with open(_MEMINFO) as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _cgroup_room() -> int | None:
    """Bytes between the memory limit of this process's cgroup and its use."""
    for directory in _cgroup_dirs():
        for limit_file, usage_file in _CGROUP_FILES:
            limit = _read_int(os.path.join(directory, limit_file))
            usage = _read_int(os.path.join(directory, usage_file))
            if limit is not None and usage is not None:
                return limit - usage
    return None


def _cgroup_dirs() -> list[str]:
    """Memory cgroup folders of this process (v2 and v1), then the roots."""
    found = []
    try:
        with open("/proc/self/cgroup") as f:
            for line in f:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                if controllers == "":
                    found.append(_CGROUP_ROOT + path)
                elif "memory" in controllers.split(","):
                    found.append(os.path.join(_CGROUP_ROOT, "memory") + path)
    except (OSError, ValueError):
        pass
    return found + [_CGROUP_ROOT, os.path.join(_CGROUP_ROOT, "memory")]


def _read_int(path: str) -> int | None:
    """An integer file of the cgroup file system (None if absent or "max")."""
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def _address_space_room() -> int | None:
    """Bytes between RLIMIT_AS and this process's virtual size, if limited."""
    limit, _ = resource.getrlimit(resource.RLIMIT_AS)
    if limit == resource.RLIM_INFINITY:
        return None
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[0])
    return limit - pages * os.sysconf("SC_PAGE_SIZE")
