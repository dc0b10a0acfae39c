r"""Style transfer by optimizing the pixels (Gatys et al.): no training.

  python -m magenta_style.optimize --content IMG --style IMG --output IMG \
      [--method lbfgs|adam] [--iterations 300] [--image_size 512] \
      [--init content|noise|style] [--preserve_colors] [--save_every N]

Slow (hundreds of VGG-19 passes per image) but needs no trained model and
takes any style image. The losses are those the networks are trained with.
"""

from __future__ import annotations

import os
import time

from absl import flags

from magenta_style import cli, constants
from magenta_style.cli import loss_flags
from magenta_style.cli.loss_flags import loss_config

flags.DEFINE_string("content", None, "The content photo.")
flags.DEFINE_string("style", None, "The style image (e.g. a painting).")
flags.DEFINE_string("output", None,
                    "The pastiche to write (.png, .jpg or .webp).")
flags.DEFINE_enum("method", "lbfgs", ["lbfgs", "adam"],
                  "Optimizer: lbfgs (SciPy L-BFGS-B, as in Gatys et al.) or "
                  "adam (with --learning_rate).")
flags.DEFINE_enum("init", "content", ["content", "noise", "style"],
                  "Starting image: the content photo, uniform noise, or the "
                  "style image resized to the content's size.")
flags.DEFINE_integer("iterations", constants.DEFAULT_OPTIMIZE_ITERATIONS,
                     "Optimizer iterations (an L-BFGS iteration may evaluate "
                     "the loss more than once).")
flags.DEFINE_integer("image_size", constants.DEFAULT_OPTIMIZE_IMAGE_SIZE,
                     "Longer side of the pastiche, pixels; a larger content "
                     "photo is downscaled to it, a smaller one kept.",
                     lower_bound=constants.MIN_IMAGE_SIDE)
flags.DEFINE_integer("style_size", None,
                     "Longer side of the style image for its Gram targets, "
                     "pixels (default: --image_size).",
                     lower_bound=constants.MIN_IMAGE_SIDE)
flags.DEFINE_float("learning_rate", constants.DEFAULT_OPTIMIZE_ADAM_LR,
                   "Adam step size in pixel units ([0, 1] range); "
                   "--method adam only.")
flags.DEFINE_bool("preserve_colors", False,
                  "Keep the content photo's colours: style on luminance only "
                  "(Gatys et al. 2016, YIQ), for the output and intermediates.")
flags.DEFINE_integer("print_every", 10,
                     "Print the losses every this many iterations.")
flags.DEFINE_integer("save_every", 0,
                     "Also write the pastiche every this many iterations as "
                     "<output stem>_<iteration>.png (0: only the result).")
flags.DEFINE_integer("seed", 0, "Random seed of --init noise.")
flags.adopt_module_key_flags(loss_flags)  # listed by --help
FLAGS = flags.FLAGS

OUTPUT_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp")


def check_flags() -> None:
    """Rejects flag values that cannot work, with a message naming the flag."""
    for name in ("content", "style", "output"):
        cli.require(FLAGS[name].value is not None, f"--{name} is required")
    cli.require(FLAGS.output.lower().endswith(OUTPUT_EXTENSIONS),
                f"--output must end in {', '.join(OUTPUT_EXTENSIONS)}, got "
                f"{FLAGS.output}")
    cli.require(not os.path.isdir(FLAGS.output),
                f"--output {FLAGS.output} is a folder; give an image file name")
    cli.require(FLAGS.iterations >= 1, "--iterations must be >= 1")
    cli.require(FLAGS.learning_rate > 0, "--learning_rate must be > 0")
    cli.require(FLAGS.print_every >= 1, "--print_every must be >= 1")
    cli.require(FLAGS.save_every >= 0, "--save_every must be >= 0")


def main(argv) -> None:
    del argv
    check_flags()
    config = loss_config()
    output = FLAGS.output
    cli.writable_dir(os.path.dirname(os.path.abspath(output)))
    stem = os.path.splitext(output)[0]

    from magenta_style.imaging.color import preserve_colors
    from magenta_style.imaging.folders import load_style_image
    from magenta_style.imaging.images import save_image
    from magenta_style.objective import optimization as gatys
    from magenta_style.objective.losses import PerceptualLoss
    from magenta_style.objective.vgg import load_vgg19

    content = gatys.load_content(FLAGS.content, FLAGS.image_size)
    style = load_style_image(FLAGS.style, FLAGS.style_size or FLAGS.image_size)
    perceptual = PerceptualLoss(load_vgg19(FLAGS.vgg_weights), config)

    def finished(image):
        return preserve_colors(content, image) if FLAGS.preserve_colors \
            else image

    def progress(iteration: int, image, losses: dict) -> None:
        if iteration % FLAGS.print_every == 0 or iteration == FLAGS.iterations:
            rate = losses["seconds"] / iteration
            print(f"iteration {iteration}/{FLAGS.iterations}: total "
                  f"{losses['total']:.4g}  content {losses['content']:.4g}  "
                  f"style {losses['style']:.4g}  ({rate:.2f} s/iteration)",
                  flush=True)
        if FLAGS.save_every and iteration % FLAGS.save_every == 0:
            save_image(finished(image), f"{stem}_{iteration}.png")

    h, w = content.shape[:2]
    method = {"lbfgs": "L-BFGS", "adam": "Adam"}[FLAGS.method]
    print(f"optimizing a {w}x{h} pastiche with {method} for "
          f"{FLAGS.iterations} iterations from the {FLAGS.init} image",
          flush=True)
    start = time.perf_counter()
    result = gatys.optimize_pastiche(
        perceptual, content, style, iterations=FLAGS.iterations,
        method=FLAGS.method, init=FLAGS.init,
        learning_rate=FLAGS.learning_rate, seed=FLAGS.seed, callback=progress)
    save_image(finished(result.image), output)
    first, last = result.history[0], result.history[-1]
    if result.stop_reason:
        print(f"L-BFGS stopped after {last['iteration']} iterations: "
              f"{result.stop_reason}", flush=True)
    seconds = time.perf_counter() - start
    print(f"wrote {output}: total loss {first['total']:.4g} -> "
          f"{last['total']:.4g} (content {last['content']:.4g}, style "
          f"{last['style']:.4g}) in {seconds:.0f} s ("
          f"{seconds / max(1, last['iteration']):.2f} s/iteration, "
          f"{result.evaluations} loss evaluations)", flush=True)


console_main = cli.entry_point(main)  # the console script (setup.py)


if __name__ == "__main__":
    console_main()
