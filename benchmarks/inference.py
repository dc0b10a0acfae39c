r"""Inference speed of the Keras model and of each TFLite mode.

  python -m benchmarks.inference [--model DIR] [--sizes 256,512,1024]

Without --model, random-weight models are used (speed does not depend on the
weights). Prints median latency (batch 1, 2 threads for TFLite) of Keras in
each --keras_precisions and of each TFLite mode, the compute-bound time at
the measured 3×3 convolution peak of each precision (all measured peaks are
printed first), and the throughput of the batched N-style pass. With
--profile, the Keras pass at the last size is traced by TensorFlow's
profiler in each precision, and its seconds are printed by kind of op
(benchmarks/op_profile.py).
"""

from absl import app, flags

flags.DEFINE_string("model", None, "Trained model (default: random weights).")
flags.DEFINE_list("sizes", ["256", "512", "1024"], "Square input sizes.")
flags.DEFINE_list("networks", ["paper:1.0", "paper:0.5", "paper:0.25",
                               "mobile:0.5", "mobile:0.25"],
                  "architecture:alpha of the networks to compare when no "
                  "--model is given.")
flags.DEFINE_list("keras_precisions", ["float32", "bfloat16"],
                  "Precisions of the Keras model to time (load_model's).")
flags.DEFINE_list("modes", ["float32", "float16", "dynamic", "mixed"],
                  "TFLite modes to time.")
flags.DEFINE_integer("runs", 3, "Timed runs per measurement (median).")
flags.DEFINE_integer("threads", 2, "TFLite interpreter threads.")
flags.DEFINE_integer("styles", 6, "Styles in the batched pass.")
flags.DEFINE_bool("profile", False,
                  "Also print where the Keras pass's time goes, by kind of "
                  "op, at the last of --sizes.")
FLAGS = flags.FLAGS


def main(argv):
    del argv
    import numpy as np

    from benchmarks.common import format_peaks, peaks, transformer_gflops
    from benchmarks.op_profile import format_profile, profile_steps
    from export import convert
    from magenta_style.runtime import contract, sessions
    from magenta_style.measurement import median_seconds
    from magenta_style.network.model import (
        StylizationModel,
        at_precision,
        load_model,
    )

    found = peaks()
    print(format_peaks(found))
    if FLAGS.model:
        models = {"trained": load_model(FLAGS.model)}
    else:
        models = {}
        for network in FLAGS.networks:
            architecture, alpha = network.split(":")
            models[network] = StylizationModel(
                [f"s{i}" for i in range(FLAGS.styles)], alpha=float(alpha),
                architecture=architecture)
    rng = np.random.default_rng(0)
    sizes = [int(s) for s in FLAGS.sizes]

    def representative(model):
        def generate():
            for i in range(4):
                yield {"content": rng.random((1, 128, 128, 3), np.float32),
                       "style_embedding": model.embedding(i % model.num_styles)[None]}
        return generate

    print(f"{'model':<12} {'runtime':<16} " +
          " ".join(f"{s:>9}²" for s in sizes))
    for name, model in models.items():
        embedding = model.embedding(0)[None]
        for precision in FLAGS.keras_precisions:
            peak = found[f"conv {precision}"]
            bound = [transformer_gflops(model.transformer, s, s) / peak
                     for s in sizes]
            print(f"{name:<12} {'bound ' + precision:<16} " +
                  " ".join(f"{t * 1000:>9.0f}ms" for t in bound))
            computing = at_precision(model, precision)
            keras_times = []
            for s in sizes:
                x = rng.random((1, s, s, 3), np.float32)
                keras_times.append(median_seconds(
                    lambda: computing.stylize(x, 0), FLAGS.runs))
            print(f"{name:<12} {'keras ' + precision:<16} " +
                  " ".join(f"{t * 1000:>9.0f}ms" for t in keras_times),
                  flush=True)
            if FLAGS.profile:
                print(format_profile(profile_steps(
                    lambda: computing.stylize(x, 0), FLAGS.runs)), flush=True)
        for mode in FLAGS.modes:
            runner = sessions.open_session(
                convert.convert(model.transformer, mode, representative(model)),
                FLAGS.threads)
            times = []
            for s in sizes:
                x = rng.random((1, s, s, 3), np.float32)
                times.append(median_seconds(
                    lambda: sessions.render(runner, x, embedding), FLAGS.runs))
            print(f"{name:<12} {'tflite ' + mode:<16} " +
                  " ".join(f"{t * 1000:>9.0f}ms" for t in times), flush=True)
        x = rng.random((512, 512, 3), np.float32)
        batched = median_seconds(lambda: model.stylize_styles(x), FLAGS.runs)
        print(f"{name:<12} {model.num_styles} styles in one pass at 512²: "
              f"{batched:.2f} s, {model.num_styles / batched:.2f} images/s",
              flush=True)


if __name__ == "__main__":
    app.run(main)
