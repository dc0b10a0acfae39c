r"""Cost of the style predictor: FLOPs, parameters, size and latency.

  python -m benchmarks.predictor [--model DIR] [--runs 5]

For each backbone depth in --backbones (the VGG-19 layers whose statistics
the predictor reads) prints the backbone's GFLOP at the predictor's 256²
view, its parameters, the compute-bound time at the measured float32 3×3
convolution peak, the median latency of the Keras predictor (one view, as
StylizationModel.predict_embeddings runs it) and of predictor.tflite
(float32 and dynamic-range int8 weights, the bundled exports' choice, --threads threads), and the .tflite sizes.
The backbone has random weights (speed does not depend on them, and the
benchmark needs no VGG-19 file); --model times the trained predictor's head
in the first row.
"""

import sys

from absl import app, flags

flags.DEFINE_string("model", None,
                    "Trained model with a predictor (default: random "
                    "weights).")
flags.DEFINE_list("backbones", ["block4_conv1", "block3_conv1"],
                  "Deepest VGG-19 layer of each predictor to compare (it "
                  "reads block1_conv1 up to this one).")
flags.DEFINE_integer("runs", 5, "Timed runs per measurement (median).",
                     lower_bound=1)
flags.DEFINE_integer("threads", 2, "TFLite interpreter threads.",
                     lower_bound=1)
FLAGS = flags.FLAGS

def main(argv):
    del argv
    import keras
    import numpy as np
    import tensorflow as tf

    from benchmarks.common import (
        format_peaks,
        median_seconds,
        peaks,
        vgg_gflops,
    )
    from export import convert, fidelity
    from magenta_style.network.model import StylizationModel, load_model
    from magenta_style.network.predictor import StylePredictor
    from magenta_style.runtime.contract import PREDICTOR_IMAGE_SIZE
    from magenta_style.objective.vgg import CONV_CHANNELS

    found = peaks()
    print(format_peaks(found))
    peak = found["conv float32"]
    vgg = keras.applications.VGG19(include_top=False, weights=None,
                                   input_shape=(None, None, 3))
    conv1_layers = [name for name in CONV_CHANNELS if name.endswith("_conv1")]
    predictors = {}
    if FLAGS.model:
        predictors["trained"] = load_model(FLAGS.model).predictor
        if predictors["trained"] is None:
            sys.exit(f"error: {FLAGS.model} has no style predictor")
        predictors["trained"].set_backbone(vgg)
    size = StylizationModel(["any"]).embedding_size  # the paper network's
    for deepest in FLAGS.backbones:
        if deepest not in conv1_layers:
            sys.exit(f"error: --backbones takes layers of {conv1_layers}, "
                     f"got {deepest}")
        layers = conv1_layers[:conv1_layers.index(deepest) + 1]
        predictors[f"to {deepest}"] = StylePredictor(
            size, feature_layers=layers, vgg=vgg)

    s = PREDICTOR_IMAGE_SIZE
    view = np.random.default_rng(0).random((1, s, s, 3), np.float32)
    print(f"predictor at {s}², batch 1; TFLite with {FLAGS.threads} threads")
    print(f"{'predictor':<18} {'GFLOP':>6} {'params':>7} {'bound':>7} "
          f"{'keras':>7} {'tfl f32':>8} {'tfl dyn':>8} {'f32 MB':>7} "
          f"{'dyn MB':>7}")
    for name, predictor in predictors.items():
        backbone = predictor.backbone()
        gflop = vgg_gflops(backbone, s, s)
        params = (backbone.count_params() + predictor.count_params()) / 1e6
        predict = tf.function(predictor)
        keras_s = median_seconds(lambda: predict(view).numpy(), FLAGS.runs)
        lite = {mode: convert.convert_predictor(predictor, mode)
                for mode in ("float32", "dynamic")}
        lite_s = {mode: fidelity.predictor_latency(
            flatbuffer, FLAGS.runs, FLAGS.threads)
            for mode, flatbuffer in lite.items()}
        print(f"{name:<18} {gflop:>6.1f} {params:>6.2f}M "
              f"{gflop / peak * 1000:>5.0f}ms {keras_s * 1000:>5.0f}ms "
              f"{lite_s['float32'] * 1000:>6.0f}ms "
              f"{lite_s['dynamic'] * 1000:>6.0f}ms "
              f"{len(lite['float32']) / 1e6:>7.1f} "
              f"{len(lite['dynamic']) / 1e6:>7.1f}", flush=True)


if __name__ == "__main__":
    app.run(main)
