r"""Trains one network on many styles (Dumoulin et al.), resumably.

  python -m magenta_style.train --styles_dir DIR --content_dir DIR \
      --output_dir DIR [--vgg_weights vgg19_notop.h5] [--steps N ...]

Rerunning with the same --output_dir resumes from the latest checkpoint.
Writes OUTPUT_DIR/model.keras (transformer, style table, names, config),
OUTPUT_DIR/checkpoints/ and TensorBoard logs in OUTPUT_DIR/logs/.
"""

from __future__ import annotations

import json
import math
import os

from absl import flags

from magenta_style import cli, constants, train_flags
from magenta_style.loss_flags import loss_config
from magenta_style.errors import MagentaStyleError
from magenta_style.fileio import atomic_file

flags.DEFINE_string("styles_dir", None,
                    "Folder of style images; sorted file names give the style "
                    "order and names.")
flags.DEFINE_list("styles", None,
                  "Optional subset of style names (file names without "
                  "extension) from --styles_dir.")
flags.DEFINE_float("alpha", 1.0,
                   "Width multiplier of the network (0.25 suits phones).")
flags.DEFINE_enum("architecture", constants.DEFAULT_ARCHITECTURE,
                  list(constants.ARCHITECTURES),
                  "paper: the network of Dumoulin et al.; mobile: for phones, "
                  "its first layer on 2×2 blocks of pixels and only a 3×3 "
                  "convolution at full resolution (at --alpha 0.25, 8.6–14× "
                  "faster than paper at alpha 1 in TFLite at 512², with "
                  "coarser strokes; benchmarks/RESULTS.md).")
flags.adopt_module_key_flags(train_flags)  # and loss_flags: listed by --help
FLAGS = flags.FLAGS


def check_flags() -> None:
    """Rejects flag values that cannot work, with a message naming the flag."""
    cli.require(FLAGS.styles_dir is not None, "--styles_dir is required")
    check_training_flags()
    cli.require(0 < FLAGS.alpha <= 4, "--alpha must be in (0, 4]")


def check_training_flags() -> None:
    """Checks the flags of train_flags.py (shared with finetune)."""
    cli.require(FLAGS.output_dir is not None, "--output_dir is required")
    cli.require((FLAGS.content_dir is None) != (FLAGS.tfds_name is None),
                "give exactly one of --content_dir and --tfds_name")
    cli.require(FLAGS.image_size >= 16 and FLAGS.image_size % 4 == 0,
                f"--image_size must be a multiple of 4 and >= 16, "
                f"got {FLAGS.image_size}")
    cli.require(FLAGS.style_size >= 16, "--style_size must be >= 16")
    cli.require(FLAGS.batch_size >= 1, "--batch_size must be >= 1")
    cli.require(FLAGS.steps >= 1, "--steps must be >= 1")
    cli.require(FLAGS.checkpoint_every >= 1, "--checkpoint_every must be >= 1")
    cli.require(FLAGS.learning_rate > 0, "--learning_rate must be > 0")


def check_resume_config(output_dir: str, config: dict) -> None:
    """Records the run's config; a rerun must match it to resume."""
    path = os.path.join(output_dir, constants.TRAIN_CONFIG_FILENAME)
    if os.path.isfile(path):
        with open(path) as f:
            previous = json.load(f)
        # Runs recorded before there was a choice of network are "paper".
        previous.setdefault("architecture", constants.DEFAULT_ARCHITECTURE)
        changed = [k for k in config if previous.get(k) != config[k]]
        if changed:
            raise MagentaStyleError(
                f"{output_dir} holds a run with different {', '.join(changed)}; "
                "use a new --output_dir or the same settings to resume")
        return
    with atomic_file(path) as tmp, open(tmp, "w") as f:
        json.dump(config, f, indent=2)


def content_images(image_size: int):
    """The content dataset the flags name, reporting skipped files."""
    from magenta_style import data

    if FLAGS.tfds_name:
        return data.tfds_images(FLAGS.tfds_name, FLAGS.tfds_split,
                                FLAGS.tfds_data_dir)
    images, count, skipped = data.folder_images(FLAGS.content_dir, image_size)
    message = f"content: {count} images in {FLAGS.content_dir}"
    if skipped:
        shown = ", ".join(os.path.basename(p) for p in skipped[:5])
        message += f"; skipped {len(skipped)} unreadable ({shown}" + (
            ", ...)" if len(skipped) > 5 else ")")
    print(message, flush=True)
    return images


def validation_data(image_size: int, batch_size: int):
    """Center crops of --val_dir, or None."""
    from magenta_style import data

    if not FLAGS.val_dir:
        return None
    images, _, _ = data.folder_images(FLAGS.val_dir, image_size)
    return data.validation_batches(images, image_size, batch_size)


def train(style_names, style_images, info, alpha: float,
          output_dir: str, stylizer=None, trainable_styles=None,
          architecture: str = constants.DEFAULT_ARCHITECTURE) -> str:
    """Trains (or resumes) and writes the model; returns its path.

    ``stylizer`` is an existing StylizationModel to train instead of a new one
    (build it under the --precision policy to train in that precision).
    ``trainable_styles``: train only these rows of its style table, with
    ``style_images`` their images in that order (see StyleTransferTrainer).
    """
    import keras

    from magenta_style import data
    from magenta_style.loss_network import load_vgg19
    from magenta_style.losses import PerceptualLoss
    from magenta_style.model import StylizationModel, float32_copy
    from magenta_style.training import (ResumableCheckpoint, StopAtStep,
                                        StyleTransferTrainer,
                                        restore_latest_checkpoint)

    keras.utils.set_random_seed(FLAGS.seed)
    keras.mixed_precision.set_global_policy(FLAGS.precision)
    batches = data.training_batches(content_images(FLAGS.image_size),
                                    FLAGS.image_size, FLAGS.batch_size,
                                    cache=FLAGS.cache_images)
    perceptual = PerceptualLoss(load_vgg19(FLAGS.vgg_weights), loss_config())
    grams = perceptual.style_grams(style_images)
    if stylizer is None:
        stylizer = StylizationModel(style_names, alpha=alpha,
                                    style_info=info, architecture=architecture)
    trainer = StyleTransferTrainer(stylizer, perceptual, grams,
                                   trainable_styles)
    trainer.compile(optimizer=keras.optimizers.Adam(FLAGS.learning_rate))
    checkpoints = os.path.join(output_dir, constants.CHECKPOINT_DIRNAME)
    initial_epoch = restore_latest_checkpoint(checkpoints, trainer)
    remaining = FLAGS.steps - int(trainer.optimizer.iterations)
    if initial_epoch:
        print(f"resuming from step {int(trainer.optimizer.iterations)} "
              f"(checkpoint epoch {initial_epoch})", flush=True)
    if remaining > 0:
        # Epochs are counted from the checkpoint's, whatever --steps was then.
        per_epoch = min(FLAGS.checkpoint_every, remaining)
        trainer.fit(
            batches, epochs=initial_epoch + math.ceil(remaining / per_epoch),
            steps_per_epoch=per_epoch,
            initial_epoch=initial_epoch, shuffle=False,
            validation_data=validation_data(FLAGS.image_size, FLAGS.batch_size),
            callbacks=[
                StopAtStep(FLAGS.steps),
                ResumableCheckpoint(checkpoints),
                keras.callbacks.TensorBoard(
                    os.path.join(output_dir, constants.LOG_DIRNAME),
                    update_freq=max(1, FLAGS.checkpoint_every // 10)),
            ])
    path = os.path.join(output_dir, constants.MODEL_FILENAME)
    float32_copy(stylizer).save_atomic(path)
    return path


def main(argv) -> None:
    del argv
    check_flags()
    output_dir = cli.writable_dir(FLAGS.output_dir)
    from magenta_style.data import load_style_images

    names, images, paths = load_style_images(FLAGS.styles_dir, FLAGS.style_size,
                                      FLAGS.styles)
    print(f"styles ({len(names)}): {', '.join(names)}", flush=True)
    check_resume_config(output_dir, {
        "styles": names, "alpha": FLAGS.alpha,
        "architecture": FLAGS.architecture, "image_size": FLAGS.image_size,
        "style_size": FLAGS.style_size, "loss": loss_config().to_dict()})
    from magenta_style.model import style_record

    info = [style_record(path, image, "train", FLAGS.steps)
            for path, image in zip(paths, images)]
    path = train(names, images, info, FLAGS.alpha, output_dir,
                 architecture=FLAGS.architecture)
    print(f"model written to {path}", flush=True)


if __name__ == "__main__":
    cli.run(main)
