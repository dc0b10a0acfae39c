r"""Training-step speed: seconds per step, images/s and fraction of peak.

  python -m benchmarks.train_step --vgg_weights ../shared/data/vgg19_notop.h5 \
      --content_dir ../shared/data/photos [--precision bfloat16] \
      [--jit] [--profile]

Prints the machine's measured peaks first (4096² matmul and 3×3 convolution,
float32 and bfloat16; "of peak" is against the convolution peak of the
precision), then
for each size × batch the median step time fed by synthetic tensors and by
the real tf.data pipeline over --content_dir. With --profile, each timed
configuration is then traced by TensorFlow's profiler, and its seconds per
step are printed by kind of op (benchmarks/op_profile.py).
"""

from absl import app, flags

flags.DEFINE_string("vgg_weights", "imagenet", "VGG-19 weights.")
flags.DEFINE_string("content_dir", None, "Photos for the real-data pipeline.")
flags.DEFINE_string("styles_dir", None, "Style images (default: random).")
flags.DEFINE_list("sizes", ["256", "128"], "Square crop sizes.")
flags.DEFINE_list("batches", ["8", "4"], "Batch sizes.")
flags.DEFINE_integer("steps", 5, "Timed steps per configuration (median).")
flags.DEFINE_enum("precision", "float32", ["float32", "bfloat16"],
                  "Keras dtype policy of the networks.")
flags.DEFINE_bool("jit", False, "XLA-compile the train step.")
flags.DEFINE_float("alpha", 1.0, "Transformer width multiplier.")
flags.DEFINE_bool("profile", False,
                  "Also trace each configuration's steps and print where the "
                  "time goes, by kind of op.")
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
        transformer_gflops,
        vgg_gflops,
    )
    from benchmarks.op_profile import format_profile, profile_steps
    from magenta_style.network.model import StylizationModel
    from magenta_style.network.precision import POLICIES
    from magenta_style.objective.losses import PerceptualLoss
    from magenta_style.objective.vgg import load_vgg19
    from magenta_style.training.pipeline import PhotoFolder
    from magenta_style.training.trainer import StyleTransferTrainer

    found = peaks()
    print(format_peaks(found))
    # The work is convolutions: the bound is the convolution peak.
    peak = found["conv bfloat16" if FLAGS.precision == "bfloat16"
                 else "conv float32"]
    keras.mixed_precision.set_global_policy(POLICIES[FLAGS.precision])

    perceptual = PerceptualLoss(load_vgg19(FLAGS.vgg_weights))
    rng = np.random.default_rng(0)
    styles = [rng.random((256, 256, 3), dtype=np.float32) for _ in range(2)]
    stylizer = StylizationModel(["a", "b"], alpha=FLAGS.alpha)
    grams = perceptual.style_grams(styles)
    photos = PhotoFolder(FLAGS.content_dir) if FLAGS.content_dir else None

    print(f"precision {FLAGS.precision}, jit {FLAGS.jit}, alpha {FLAGS.alpha}")
    print(f"{'size':>5} {'batch':>5} {'feed':>9} {'s/step':>7} {'img/s':>6} "
          f"{'GFLOP/step':>10} {'GFLOP/s':>8} {'of peak':>7}")
    for size in map(int, FLAGS.sizes):
        per_image = (3 * transformer_gflops(stylizer.transformer, size, size)
                     + vgg_gflops(perceptual.content_extractor, size, size)
                     + 2 * vgg_gflops(perceptual.extractor, size, size))
        for batch in map(int, FLAGS.batches):
            trainer = StyleTransferTrainer(stylizer, perceptual, grams, batch)
            trainer.compile(optimizer=keras.optimizers.Adam(1e-3),
                            jit_compile=FLAGS.jit)
            feeds = {"synthetic": tf.data.Dataset.from_tensors((
                tf.random.uniform([batch, size, size, 3]),
                tf.constant([0, 1] * (batch // 2) + [0] * (batch % 2)))
            ).repeat()}
            if photos is not None:
                examples, _ = photos.examples(size, [0, 1], seed=0)
                feeds["real"] = examples.batch(batch, drop_remainder=True
                                               ).prefetch(tf.data.AUTOTUNE)
            for feed, dataset in feeds.items():
                iterator = iter(dataset)
                trainer.make_train_function(force=True)
                step = trainer.train_function
                seconds = median_seconds(lambda: step(iterator), FLAGS.steps,
                                         warmup=2)
                flops = per_image * batch
                print(f"{size:>5} {batch:>5} {feed:>9} {seconds:>7.2f} "
                      f"{batch / seconds:>6.2f} {flops:>10.0f} "
                      f"{flops / seconds:>8.0f} {flops / seconds / peak:>7.0%}",
                      flush=True)
                if FLAGS.profile:
                    print(format_profile(profile_steps(
                        lambda: step(iterator), FLAGS.steps)), flush=True)


if __name__ == "__main__":
    app.run(main)
