r"""Big photos end to end: wall time and peak memory of the stylize command
on a 48 MP and a 400 MP photo, whole and in tiles.

  python -m benchmarks.big_photos [--model fast] [--folder /tmp/big_photos] \
      [--styles starry_night,klimt_the_kiss,matisse_dance] [--skip_400mp]

Makes the photos once in --folder (tubingen.jpg enlarged to 8000x6000 as a
JPEG, golden_gate.jpg to 20000x20000 as a PNG, past Pillow's
decompression-bomb limit), then runs each case as its own process under
/usr/bin/time -v (`stylize --model M --max_size 0 ...`, with the photo
decoded and the pastiche written), one after the other:

- 48 MP whole (--max_memory 0), one style;
- 48 MP in tiles, one style, then the three styles (as the plan picks at
  the default --max_memory);
- 400 MP in tiles, one style.

Prints the CPU and its measured peaks, then a table: wall seconds, seconds
per megapixel, the ratio to the whole pass's per megapixel, and the peak
resident memory.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

from absl import app, flags

from benchmarks import DATA, cpu_model, print_markdown_table

flags.DEFINE_string("model", "fast", "Model (a name or a .keras file).")
flags.DEFINE_string("folder", "/tmp/big_photos",
                    "Folder for the big photos and the pastiches.")
flags.DEFINE_list("styles", ["starry_night", "klimt_the_kiss",
                             "matisse_dance"],
                  "Styles of the three-style case; the first is the one "
                  "style of the others.")
flags.DEFINE_bool("skip_400mp", False, "Leave out the 400 MP case.")
FLAGS = flags.FLAGS

PHOTOS = {"48mp.jpg": ("tubingen.jpg", (8000, 6000)),
          "400mp.png": ("golden_gate.jpg", (20000, 20000))}


def make_photo(name: str) -> str:
    """The big photo ``name`` of PHOTOS in --folder, made once."""
    from PIL import Image

    path = os.path.join(FLAGS.folder, name)
    if not os.path.exists(path):
        source, size = PHOTOS[name]
        with Image.open(os.path.join(DATA, "content", source)) as image:
            big = image.convert("RGB").resize(size,
                                              Image.Resampling.BICUBIC)
        big.save(path + ".part", format=os.path.splitext(name)[1][1:]
                 .replace("jpg", "jpeg"), quality=92, compress_level=1)
        os.replace(path + ".part", path)
    return path


def timed_stylize(photo: str, styles: list[str], *extra: str
                  ) -> tuple[float, float]:
    """(wall seconds, peak resident GB) of one stylize process."""
    command = ["/usr/bin/time", "-v", sys.executable, "-m",
               "magenta_style.stylize", "--model", FLAGS.model,
               "--content", photo, "--max_size", "0",
               "--output_dir", os.path.join(FLAGS.folder, "out"),
               "--styles", ",".join(styles), *extra]
    process = subprocess.run(command, capture_output=True, text=True)
    if process.returncode:
        raise SystemExit(f"stylize failed: {process.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):"
                     r"([\d.]+)", process.stderr)
    hours, minutes, seconds = (float(g or 0) for g in wall.groups())
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)",
                    process.stderr)
    return hours * 3600 + minutes * 60 + seconds, int(rss.group(1)) / 1e6


def main(argv) -> None:
    del argv
    from benchmarks.common import format_peaks, peaks

    print(f"CPU: {cpu_model()}")
    print(format_peaks(peaks()), flush=True)
    os.makedirs(FLAGS.folder, exist_ok=True)
    one, three = FLAGS.styles[:1], FLAGS.styles
    cases = [("8000×6000 (48 MP), whole (--max_memory 0)", "48mp.jpg", one,
              ["--max_memory", "0"]),
             ("8000×6000 (48 MP), tiles", "48mp.jpg", one, ["--tiled"]),
             ("8000×6000 (48 MP), tiles", "48mp.jpg", three, [])]
    if not FLAGS.skip_400mp:
        cases.append(("20000×20000 (400 MP PNG), tiles", "400mp.png", one,
                      []))
    rows, whole_per_mp = [], None
    for label, name, styles, extra in cases:
        photo = make_photo(name)
        megapixels = 48.0 if name == "48mp.jpg" else 400.0
        seconds, peak = timed_stylize(photo, styles, *extra)
        per_mp = seconds / (megapixels * len(styles))
        whole_per_mp = whole_per_mp or per_mp  # the first case is whole
        rows.append((label, len(styles), seconds, per_mp,
                     per_mp / whole_per_mp, peak))
        print(f"{label}, {len(styles)} style(s): {seconds:.1f} s, "
              f"{per_mp:.3f} s/MP/style ({per_mp / whole_per_mp:.2f}× the "
              f"whole pass), peak {peak:.2f} GB", flush=True)
    print_markdown_table(
        ["photo", "styles", "wall time", "s/MP per style", "× whole",
         "peak memory"],
        [[label, str(count), f"{seconds:.1f} s", f"{per_mp:.3f}",
          f"{ratio:.2f}×", f"{peak:.2f} GB"]
         for label, count, seconds, per_mp, ratio, peak in rows])


if __name__ == "__main__":
    app.run(main)
