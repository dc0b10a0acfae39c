r"""Stylizing in bfloat16 against float32: fidelity and speed.

  python -m benchmarks.precision_inference [--model DIR] [--size 512] [--runs 3]

For every evaluation photo (longer side --size) and every style of the
model, the PSNR of the bfloat16 pastiche against the float32 one; then the
median seconds of rendering all styles (``stylize_styles``, in its
batched passes), each precision, and the
measured 3×3 convolution peaks that bound them. Where the CPU has no
bfloat16 arithmetic TensorFlow emulates it, so bfloat16 is then slower.
"""

import os
import statistics

from absl import app, flags

from benchmarks import DATA

flags.DEFINE_string("model", None, "Model (default: the bundled one).")
flags.DEFINE_string("photos", os.path.join(DATA, "content"), "Photos.")
flags.DEFINE_integer("size", 512, "Longer side of the photos, px.")
flags.DEFINE_integer("runs", 3, "Timed batched passes per precision.")
FLAGS = flags.FLAGS


def main(argv):
    del argv
    from benchmarks.common import format_peaks, peaks
    from magenta_style.imaging.folders import sample_images
    from magenta_style.measurement import median_seconds, psnr
    from magenta_style.network.model import load_model
    from magenta_style.network.precision import cpu_runs_bfloat16

    models = {p: load_model(FLAGS.model, p) for p in ("float32", "bfloat16")}
    photos = sample_images(FLAGS.photos, 100, FLAGS.size)
    print(format_peaks(peaks()))
    print(f"native bfloat16 on this CPU: {cpu_runs_bfloat16()}; "
          f"{len(photos)} photos, longer side {FLAGS.size} px")
    scores = {name: [] for name in models["float32"].style_names}
    for photo in photos:
        exact = models["float32"].stylize_styles(photo)
        rounded = models["bfloat16"].stylize_styles(photo)
        for name, a, b in zip(scores, exact, rounded):
            scores[name].append(psnr(a, b))
    print("\n| style | PSNR bfloat16 vs float32: min | median |")
    print("|---|---|---|")
    for name, found in scores.items():
        print(f"| {name} | {min(found):.1f} dB | "
              f"{statistics.median(found):.1f} dB |")
    photo = photos[0]
    print(f"\nstylize_styles, {len(scores)} styles, "
          f"{photo.shape[1]}x{photo.shape[0]}:")
    for precision, model in models.items():
        seconds = median_seconds(lambda: model.stylize_styles(photo),
                                 FLAGS.runs)
        print(f"  {precision}: {seconds:.2f} s", flush=True)


if __name__ == "__main__":
    app.run(main)
