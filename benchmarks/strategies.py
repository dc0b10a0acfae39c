r"""Step time of the train tool under each strategy, and of --deterministic.

  python -m benchmarks.strategies [--image_size 128] [--batch_size 4] \
      [--steps 12] [--every 3] [--rounds 2]

Runs ``python -m magenta_style.train`` end to end (real photos, real
pipeline, checkpoints) in a fresh process per configuration, the
configurations interleaved round by round, and prints the median seconds per
step over every epoch but each run's first (which includes tracing).
"""

import os
import re
import statistics
import subprocess
import sys
import tempfile

from absl import app, flags

from benchmarks import DATA, cpu_model

# The checkout, where the worker processes run.
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

flags.DEFINE_integer("image_size", 128, "Training crop side, px.")
flags.DEFINE_integer("batch_size", 4, "Global batch.")
flags.DEFINE_integer("steps", 12, "Steps per run.")
flags.DEFINE_integer("every", 3, "Steps per epoch (one timing each).")
flags.DEFINE_integer("rounds", 2, "Interleaved rounds of all configurations.")
flags.DEFINE_string("precision", "auto", "--precision of every run.")
FLAGS = flags.FLAGS

CONFIGURATIONS = {
    "default": ["--strategy", "default"],
    "mirrored, 2 CPU replicas": ["--strategy", "mirrored",
                                 "--cpu_replicas", "2"],
    "default, --deterministic": ["--strategy", "default", "--deterministic"],
}


def seconds_per_step(flags_: list[str], work: str) -> tuple[list[float], str]:
    """Per-epoch s/step of one train run (first epoch dropped), its precision."""
    output = tempfile.mkdtemp(dir=work)
    process = subprocess.run(
        [sys.executable, "-m", "magenta_style.train",
         "--styles_dir", os.path.join(DATA, "styles"),
         "--styles", "starry_night,the_scream",
         "--content_dir", os.path.join(DATA, "photos"),
         "--vgg_weights", os.path.join(DATA, "vgg19_notop.h5"),
         "--output_dir", output, "--image_size", str(FLAGS.image_size),
         "--batch_size", str(FLAGS.batch_size), "--steps", str(FLAGS.steps),
         "--checkpoint_every", str(FLAGS.every), "--style_size", "256",
         "--precision", FLAGS.precision, *flags_],
        cwd=REPO, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": REPO})
    if process.returncode:
        raise SystemExit(process.stderr[-2000:])
    rates = [float(r) for r in re.findall(r"\(([\d.]+) s/step\)",
                                          process.stdout)]
    precision = re.search(r"precision (\w+)", process.stdout).group(1)
    return rates[1:], precision


def main(argv):
    del argv
    work = tempfile.mkdtemp(prefix="strategies-")
    rates = {name: [] for name in CONFIGURATIONS}
    precision = ""
    for round_ in range(FLAGS.rounds):
        for name, flags_ in CONFIGURATIONS.items():
            found, precision = seconds_per_step(flags_, work)
            rates[name] += found
            print(f"round {round_ + 1}: {name}: "
                  f"{', '.join(f'{r:.2f}' for r in found)} s/step", flush=True)
    base = statistics.median(rates["default"])
    print(f"\n{cpu_model()}; {FLAGS.image_size}² "
          f"crops, global batch {FLAGS.batch_size}, precision {precision}; "
          f"medians of {FLAGS.rounds} interleaved rounds\n")
    print("| configuration | s/step (median) | vs default |")
    print("|---|---|---|")
    for name, found in rates.items():
        median = statistics.median(found)
        print(f"| {name} | {median:.2f} | {median / base:.2f}× |")


if __name__ == "__main__":
    app.run(main)
