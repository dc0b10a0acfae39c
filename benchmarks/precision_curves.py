r"""Do bfloat16 losses track float32? Two identical seeded runs, side by side.

  python -m benchmarks.precision_curves --vgg_weights ../shared/data/vgg19_notop.h5 \
      --content_dir ../shared/data/photos --styles_dir ../shared/data/styles \
      --output benchmarks/precision_curves.png

Each run trains a fresh model for --steps steps on the same sequence of
batches and style draws; the per-step total loss of both is printed every
--every steps and plotted.
"""

from absl import app, flags

flags.DEFINE_string("vgg_weights", "imagenet", "VGG-19 weights.")
flags.DEFINE_string("content_dir", None, "Training photos.")
flags.DEFINE_string("styles_dir", None, "Style images.")
flags.DEFINE_list("styles", ["starry_night", "the_scream"], "Styles to use.")
flags.DEFINE_integer("steps", 100, "Steps per run.")
flags.DEFINE_integer("every", 10, "Print every this many steps.")
flags.DEFINE_integer("image_size", 128, "Crop size.")
flags.DEFINE_integer("batch_size", 4, "Batch size.")
flags.DEFINE_string("output", "benchmarks/precision_curves.png", "Plot file.")
FLAGS = flags.FLAGS


def losses_per_step(precision, batches, styles):
    """Per-step total loss of a fresh model trained under ``precision``."""
    import keras
    import tensorflow as tf

    from magenta_style.network.model import StylizationModel
    from magenta_style.network.precision import POLICIES
    from magenta_style.objective.losses import PerceptualLoss
    from magenta_style.objective.vgg import load_vgg19
    from magenta_style.training.trainer import StyleTransferTrainer

    keras.mixed_precision.set_global_policy(POLICIES[precision])
    keras.utils.set_random_seed(0)
    names, images = styles
    perceptual = PerceptualLoss(load_vgg19(FLAGS.vgg_weights))
    trainer = StyleTransferTrainer(StylizationModel(names), perceptual,
                                   perceptual.style_grams(images),
                                   FLAGS.batch_size)
    trainer.compile(optimizer=keras.optimizers.Adam(1e-3))
    totals = []
    for batch, picks in batches:
        with tf.GradientTape() as tape:
            total = tf.reduce_mean(trainer.compute_losses(batch, picks, True)["total"])
        variables = trainer.stylizer.trainable_variables
        trainer.optimizer.apply(tape.gradient(total, variables), variables)
        totals.append(float(total))
    return totals


def main(argv):
    del argv
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from magenta_style.imaging import folders as data
    from magenta_style.training.pipeline import PhotoFolder

    names, style_images, _ = data.load_style_images(FLAGS.styles_dir, 256,
                                                    FLAGS.styles)
    examples, _ = PhotoFolder(FLAGS.content_dir).examples(
        FLAGS.image_size, range(len(names)), seed=0)
    stream = examples.batch(FLAGS.batch_size, drop_remainder=True)
    batches = [(b.numpy(), s) for (b, s), _ in zip(stream, range(FLAGS.steps))]
    curves = {p: losses_per_step(p, batches, (names, style_images))
              for p in ("float32", "bfloat16")}
    print(f"{'step':>5} {'float32':>10} {'bfloat16':>10} {'rel diff':>9}")
    for i in range(0, FLAGS.steps, FLAGS.every):
        a, b = curves["float32"][i], curves["bfloat16"][i]
        print(f"{i + 1:>5} {a:>10.3f} {b:>10.3f} {(b - a) / a:>9.2%}")
    tail = slice(-FLAGS.every, None)
    a = sum(curves["float32"][tail]) / FLAGS.every
    b = sum(curves["bfloat16"][tail]) / FLAGS.every
    print(f"mean of the last {FLAGS.every} steps: float32 {a:.3f}, "
          f"bfloat16 {b:.3f} ({(b - a) / a:+.2%})")
    plt.figure(figsize=(6, 3.5))
    for precision, values in curves.items():
        plt.plot(range(1, len(values) + 1), values, label=precision)
    plt.xlabel("step")
    plt.ylabel("total loss")
    plt.yscale("log")
    plt.legend()
    plt.title(f"{FLAGS.image_size}² crops, batch {FLAGS.batch_size}, same data")
    plt.tight_layout()
    plt.savefig(FLAGS.output, dpi=100)
    print(f"plot: {FLAGS.output}")


if __name__ == "__main__":
    app.run(main)
