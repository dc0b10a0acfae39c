r"""Which ops lose the precision in full-integer (int8) TFLite?

  python -m benchmarks.int8_diagnosis --model DIR --photos ../shared/data/photos/set14

Runs TFLite's QuantizationDebugger on the int8 model: for every quantized
tensor it compares the int8 result with the float result given the same
(float) input, and prints the ops with the largest error relative to the
tensor's quantization step, grouped by op type.
"""

from absl import app, flags

flags.DEFINE_string("model", None, "Trained model folder or .keras file.")
flags.DEFINE_string("photos", None, "Representative photos.")
flags.DEFINE_integer("count", 8, "Representative photos to use.")
flags.DEFINE_integer("top", 12, "Worst tensors to list.")
FLAGS = flags.FLAGS


def main(argv):
    del argv
    import collections
    import contextlib
    import io

    import numpy as np
    import tensorflow as tf

    from export.calibration import representative_data
    from export.convert import convert, serving_model, tflite_graph
    from magenta_style.runtime.sessions import interpreter
    from magenta_style.imaging.folders import sample_images
    from magenta_style.network.model import load_model

    model = load_model(FLAGS.model)
    generate = representative_data(model, sample_images(FLAGS.photos,
                                                        FLAGS.count))
    converter = tf.lite.TFLiteConverter.from_keras_model(
        serving_model(tflite_graph(model.transformer)))
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = generate
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    # The debugger feeds lists in the file's input order (not Keras' order).
    order = [d["name"] for d in interpreter(convert(
        model.transformer, "float32")).get_input_details()]

    def as_lists():
        for sample in generate():
            yield [next(v for k, v in sample.items() if k in name)
                   for name in order]

    with contextlib.redirect_stdout(io.StringIO()):
        debugger = tf.lite.experimental.QuantizationDebugger(
            converter=converter, debug_dataset=as_lists)
        debugger.run()
    buffer = io.StringIO()
    debugger.layer_statistics_dump(buffer)
    buffer.seek(0)
    import csv

    rows = list(csv.DictReader(buffer))
    for row in rows:
        row["error_in_steps"] = (float(row["mean_squared_error"]) ** 0.5
                                 / float(row["scale"]))
    by_op = collections.defaultdict(list)
    for row in rows:
        by_op[row["op_name"]].append(row["error_in_steps"])
    print(f"{'op':<22} {'tensors':>7} {'median RMSE/scale':>18} {'max':>8}")
    for op, errors in sorted(by_op.items(), key=lambda kv: -max(kv[1])):
        print(f"{op:<22} {len(errors):>7} {np.median(errors):>18.2f} "
              f"{max(errors):>8.2f}")
    print(f"\nworst {FLAGS.top} tensors (RMSE in quantization steps):")
    for row in sorted(rows, key=lambda r: -r["error_in_steps"])[:FLAGS.top]:
        print(f"{row['error_in_steps']:>8.2f}  {row['op_name']:<20} "
              f"{row['tensor_name'][:70]}")


if __name__ == "__main__":
    app.run(main)
