r"""Trains one network on many styles (Dumoulin et al.), resumably.

  python -m magenta_style.train --styles_dir DIR --content_dir DIR \
      --output_dir DIR [--vgg_weights vgg19_notop.h5] [--steps N ...] \
      [--strategy auto|default|mirrored|multi_worker|tpu]

Rerunning with the same --output_dir resumes from the latest checkpoint
(under any strategy). With --from_model, a trained model (its network and
every style row; its predictor, if any, kept frozen) trains further on its
own styles, whose images --styles_dir holds under their source file names
or style names. Writes OUTPUT_DIR/model.keras (transformer, style
table, names, config), OUTPUT_DIR/checkpoints/ and TensorBoard logs in
OUTPUT_DIR/logs/. README "Training at scale" shows GPU, multi-machine and
TPU runs.
"""

from __future__ import annotations

from absl import flags

from magenta_style import cli, constants
from magenta_style.cli import train_flags

flags.DEFINE_string("styles_dir", None,
                    "Folder of style images; sorted file names give the style "
                    "order and names.")
flags.DEFINE_list("styles", None,
                  "Optional subset of style names (file names without "
                  "extension) from --styles_dir.")
flags.DEFINE_float("alpha", 1.0,
                   "Width multiplier of the network (0.25 suits phones).",
                   lower_bound=0, upper_bound=4)
flags.DEFINE_enum("architecture", constants.DEFAULT_ARCHITECTURE,
                  list(constants.ARCHITECTURES),
                  "paper: the network of Dumoulin et al.; mobile: for phones, "
                  "its first layer on 2×2 blocks of pixels and only a 3×3 "
                  "convolution at full resolution (at --alpha 0.25, 8.6–14× "
                  "faster than paper at alpha 1 in TFLite at 512², with "
                  "coarser strokes; benchmarks/RESULTS.md).")
flags.DEFINE_string("from_model", None,
                    "Continue training this model (a training output folder, "
                    "its .keras file, or 'bundled' for the model shipped with "
                    "the package): its network and all its style rows train "
                    "on its styles' images in --styles_dir; its style "
                    "predictor is kept as it is (retrain it with "
                    "train_predictor --model OUTPUT_DIR).")
flags.mark_flag_as_required("styles_dir")
flags.register_validator("alpha", lambda alpha: alpha > 0,
                         "--alpha must be in (0, 4]")
flags.register_multi_flags_validator(
    ["from_model", "styles", "alpha", "architecture"],
    lambda values: not values["from_model"] or (
        values["styles"] is None and values["alpha"] == 1.0
        and values["architecture"] == constants.DEFAULT_ARCHITECTURE),
    "--from_model takes its styles, --alpha and --architecture from the "
    "model: do not give --styles, --alpha or --architecture with it")
flags.adopt_module_key_flags(train_flags)  # and loss_flags: listed by --help
FLAGS = flags.FLAGS


def main(argv) -> None:
    """Flags → TrainConfig → training.loop.train. TensorFlow is imported here,
    not with the module, so that --help is quick and quiet."""
    del argv
    from magenta_style.imaging.folders import load_style_images
    from magenta_style.network.model import StylizationModel
    from magenta_style.stylebook.table import style_record
    from magenta_style.training import distribute

    config = train_flags.train_config()
    strategy = distribute.create_strategy(config)  # before any other TF work
    output_dir = cli.writable_dir(FLAGS.output_dir)
    if FLAGS.from_model:
        build_stylizer, images = continued_model(config, output_dir)
        train_flags.train_and_report(config, build_stylizer, images,
                                     output_dir, strategy)
        return
    names, images, paths = load_style_images(FLAGS.styles_dir,
                                             config.style_size, FLAGS.styles)
    print(f"styles ({len(names)}): {', '.join(names)}", flush=True)
    info = [style_record(path, image, "train", config.steps,
                         config.style_size)
            for path, image in zip(paths, images)]

    def build_stylizer():
        return StylizationModel(names, alpha=FLAGS.alpha, style_info=info,
                                architecture=FLAGS.architecture)

    train_flags.train_and_report(config, build_stylizer, images, output_dir,
                                 strategy)


def continued_model(config, output_dir: str):
    """The --from_model model's builder (a copy under the run's policy, with
    each style record counting the further steps) and its style images."""
    from magenta_style.imaging.folders import find_style_images
    from magenta_style.network.model import load_model, model_file, rebuilt

    path = (None if FLAGS.from_model == "bundled"
            else model_file(FLAGS.from_model))
    if path:
        cli.require_other_folder(path, output_dir, "from_model")
    base = load_model(path, vgg_weights=FLAGS.vgg_weights)
    images = find_style_images(base.style_names, base.style_info,
                               FLAGS.styles_dir, config.style_size)
    info = [{**record, "continued_steps":
             record.get("continued_steps", 0) + config.steps}
            for record in base.style_info]
    print(f"continuing {base.architecture} network, alpha {base.alpha:g}, "
          f"{base.num_styles} style(s): {', '.join(base.style_names)}"
          + ("; its style predictor stays frozen" if base.has_predictor
             else ""), flush=True)

    def build_stylizer():
        return rebuilt(base, base.style_names, info, base.style_rows(),
                       base.predictor if base.has_predictor else None,
                       base.control_rows())

    return build_stylizer, images


console_main = cli.entry_point(main)  # the console script (setup.py)


if __name__ == "__main__":
    console_main()
