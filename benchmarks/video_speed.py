r"""stylize_video end to end: frames per second of the user's command.

  python -m benchmarks.video_speed [--clip CLIP] [--max_size 640] [--rounds 3]

Runs ``python -m magenta_style.stylize_video`` on the clip (default: the Big
Buck Bunny clip, 132 frames, scaled to 640×360) for each configuration (the
defaults: the video network with the stabilizer; the video network alone;
the fast network with and without the stabilizer), --rounds times in turn,
and prints the frames per second each run reports on its last progress line
(decoding, the network, the stabilizer and encoding; not the start of the
process or the loading of the model), with their medians. The CPU model and
its measured peaks, before and after, are printed by the same run.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile

from absl import app, flags

from benchmarks import DATA, cpu_model, print_markdown_table

flags.DEFINE_string("clip", os.path.join(DATA, "videos", "bigbuckbunny.mp4"),
                    "The clip to stylize.")
flags.DEFINE_integer("max_size", 640, "stylize_video --max_size (pixels).")
flags.DEFINE_string("style", "udnie", "The table style to render.")
flags.DEFINE_string("runtime", "exported",
                    "stylize_video --runtime (exported: the LiteRT exports).")
flags.DEFINE_integer("rounds", 3, "Runs of each configuration.",
                     lower_bound=1)
FLAGS = flags.FLAGS

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# (label, stylize_video flags): the defaults first.
CONFIGURATIONS = (
    ("video network + stabilizer 0.5 (defaults)", []),
    ("video network alone", ["--stabilize", "0"]),
    ("fast network + stabilizer 0.5", ["--model", "fast"]),
    ("fast network alone", ["--model", "fast", "--stabilize", "0"]),
)
RATE = re.compile(r"frame (\d+)/\d+, ([\d.]+) frames/s")


def frames_per_second(flags_: list[str], output: str) -> tuple[int, float]:
    """(frames, frames/s) of one stylize_video run, from its last progress
    line; raises with its error where it fails."""
    process = subprocess.run(
        [sys.executable, "-m", "magenta_style.stylize_video", "--input",
         FLAGS.clip, "--output", output, "--styles", FLAGS.style,
         "--max_size", str(FLAGS.max_size), "--runtime", FLAGS.runtime,
         *flags_], cwd=REPO, capture_output=True, text=True)
    rates = RATE.findall(process.stdout)
    if process.returncode != 0 or not rates:
        raise SystemExit(f"stylize_video {' '.join(flags_)} failed: "
                         f"{process.stderr.strip()[-500:]}")
    frames, rate = rates[-1]
    return int(frames), float(rate)


def main(argv) -> None:
    del argv
    from benchmarks.common import format_peaks, peaks

    print(f"CPU: {cpu_model()}", flush=True)
    print(f"before: {format_peaks(peaks())}", flush=True)
    rates = {label: [] for label, _ in CONFIGURATIONS}
    with tempfile.TemporaryDirectory() as folder:
        output = os.path.join(folder, "out.mp4")
        for round_ in range(FLAGS.rounds):
            for label, flags_ in CONFIGURATIONS:
                frames, rate = frames_per_second(flags_, output)
                rates[label].append(rate)
                print(f"round {round_ + 1}, {label}: {frames} frames, "
                      f"{rate:.1f} frames/s", flush=True)
    print(f"after: {format_peaks(peaks())}", flush=True)
    print_markdown_table(
        ["configuration", "frames/s (median)", "runs"],
        [[label, f"{statistics.median(r):.1f}",
          ", ".join(f"{x:.1f}" for x in r)] for label, r in rates.items()])


if __name__ == "__main__":
    app.run(main)
