r"""TFLite time of the graph pieces that are not convolutions.

  python -m benchmarks.tflite_ops [--runs 9]

Converts one-layer models and prints their median latency (2 threads):
reflection padding as TFLite's MIRROR_PAD against the slices and concat that
the network traces outside training (layers.mirror_pad), and cropping as
STRIDED_SLICE against SLICE (layers.crop_to), at the shapes of the network.
"""

from absl import app, flags

flags.DEFINE_integer("runs", 9, "Timed runs per measurement (median).")
flags.DEFINE_integer("threads", 2, "TFLite interpreter threads.")
FLAGS = flags.FLAGS

# (height = width, channels, padding): the paper network's pads at 512²
# (alpha 1) and the mobile network's first pad at alpha 0.25.
PAD_SHAPES = [(512, 3, 4), (512, 32, 4), (256, 64, 1), (128, 128, 1),
              (256, 12, 2)]


def main(argv):
    del argv
    import contextlib
    import io

    import keras
    import numpy as np
    import tensorflow as tf

    from magenta_style.runtime.sessions import interpreter
    from magenta_style.measurement import median_seconds
    from magenta_style.network.geometry import crop_to, mirror_pad

    rng = np.random.default_rng(0)

    def lite_ms(layer, size, channels):
        """Median ms of ``layer`` alone in TFLite on [1, size, size, C]."""
        x = keras.Input((None, None, channels), batch_size=1, name="x")
        with contextlib.redirect_stdout(io.StringIO()):
            converter = tf.lite.TFLiteConverter.from_keras_model(
                keras.Model(x, {"y": layer(x)}))
            flatbuffer = converter.convert()
        runner = interpreter(flatbuffer, FLAGS.threads).get_signature_runner()
        data = rng.random((1, size, size, channels), np.float32)
        return 1000 * median_seconds(lambda: runner(x=data), FLAGS.runs)

    class Pad(keras.layers.Layer):
        """Mirror-pads by ``pad`` pixels, as MIRROR_PAD or as row copies."""

        def __init__(self, pad: int, with_slices: bool):
            super().__init__()
            self.pad, self.with_slices = pad, with_slices

        def call(self, x):
            p = self.pad
            return mirror_pad(x, p, p, p, p, self.with_slices)

    print(f"{'op':<28} {'input':>14} {'MIRROR_PAD':>11} {'slices':>8}")
    for size, channels, pad in PAD_SHAPES:
        mirror, slices = (lite_ms(Pad(pad, with_slices), size, channels)
                          for with_slices in (False, True))
        print(f"{f'reflection pad {pad}':<28} {f'{size}²×{channels}':>14} "
              f"{mirror:>9.2f}ms {slices:>6.2f}ms", flush=True)

    class Crop(keras.layers.Layer):
        """Crops 4 pixels off H and W, as STRIDED_SLICE or as SLICE."""

        def __init__(self, strided: bool):
            super().__init__()
            self.strided = strided

        def call(self, x):
            hw = tf.shape(x)[1:3] - 4
            if self.strided:
                return x[:, :hw[0], :hw[1], :]
            return crop_to(x, hw[0], hw[1])

    strided, sliced = (lite_ms(Crop(s), 516, 3) for s in (True, False))
    print(f"{'crop to 512²×3':<28} {'516²×3':>14} STRIDED_SLICE "
          f"{strided:.2f}ms, SLICE {sliced:.2f}ms")


if __name__ == "__main__":
    app.run(main)
