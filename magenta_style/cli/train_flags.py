"""Flags shared by the commands that train (train and finetune), and the
TrainConfig and content source they describe; the loss flags are in
loss_flags."""

from __future__ import annotations

from typing import TYPE_CHECKING

from absl import flags

from magenta_style import constants
from magenta_style.cli import loss_flags
from magenta_style.network.precision import PRECISIONS
from magenta_style.training.config import (
    OPTIMIZERS,
    STRATEGIES,
    TrainConfig,
)

flags.DEFINE_string("content_dir", None,
                    "Folder of content photos (searched recursively; "
                    f"{constants.IMAGE_KINDS}). Unreadable or too small "
                    "files are skipped.")
flags.DEFINE_string("tfds_name", None,
                    "Instead of --content_dir: a tensorflow-datasets name with "
                    "an 'image' feature, e.g. coco/2017 (needs network once).")
flags.DEFINE_string("tfds_split", "train", "Split of --tfds_name to train on.")
flags.DEFINE_string("tfds_data_dir", None, "tensorflow-datasets data folder.")
flags.DEFINE_string("val_dir", None,
                    "Optional folder of held-out photos: their losses (center "
                    "crops) are reported as val_* at each checkpoint.")
flags.DEFINE_string("output_dir", None,
                    "Folder for checkpoints, logs and the trained model.")
flags.DEFINE_integer("image_size", constants.DEFAULT_IMAGE_SIZE,
                     "Side of the square training crops, pixels (a multiple "
                     f"of {constants.SIZE_MULTIPLE}).",
                     lower_bound=constants.MIN_IMAGE_SIDE)
flags.DEFINE_integer("style_size", constants.DEFAULT_STYLE_SIZE,
                     "Longer side of each style image for its Gram targets, px.",
                     lower_bound=constants.MIN_IMAGE_SIDE)
flags.DEFINE_integer("batch_size", constants.DEFAULT_BATCH_SIZE,
                     "Content images per step over all replicas (the global "
                     "batch; a multiple of the number of replicas).",
                     lower_bound=1)
flags.DEFINE_integer("steps", constants.DEFAULT_STEPS, "Total training steps.",
                     lower_bound=1)
flags.DEFINE_float("learning_rate", constants.DEFAULT_LEARNING_RATE,
                   "Learning rate of --optimizer.")
flags.DEFINE_enum("optimizer", "adam", list(OPTIMIZERS),
                  "adam (the paper's), or plain sgd.")
flags.DEFINE_integer("checkpoint_every", constants.DEFAULT_CHECKPOINT_EVERY,
                     "Steps between checkpoints (a killed run loses at most "
                     "this many); also the length of one progress epoch.",
                     lower_bound=1)
flags.DEFINE_integer("seed", 0, "Random seed: the same seed, machine and "
                     "strategy give the same weights.")
flags.DEFINE_bool("deterministic", False,
                  "Also make TensorFlow's ops deterministic "
                  "(tf.config.experimental.enable_op_determinism; slower: "
                  "benchmarks/RESULTS.md).")
flags.DEFINE_enum("precision", "auto", list(PRECISIONS),
                  "What training computes in (Keras mixed precision for "
                  "bfloat16 and float16, with float32 weights). auto: "
                  "bfloat16 on TPUs, Ampere or newer GPUs and CPUs with "
                  "AVX-512 BF16 or AMX; float16 (with loss scaling) on older "
                  "GPUs; float32 otherwise. The saved model is float32 "
                  "either way.")
flags.DEFINE_enum("strategy", "auto", list(STRATEGIES),
                  "tf.distribute strategy. auto: mirrored with more than one "
                  "GPU (or --cpu_replicas > 1), else default (one device); "
                  "multi_worker reads TF_CONFIG; tpu uses --tpu.")
flags.DEFINE_string("tpu", "", "TPU name or grpc:// address for --strategy "
                    "tpu ('' = the TPU of this Cloud TPU VM).")
flags.DEFINE_integer("cpu_replicas", 1,
                     "Split the CPU into this many logical devices (to run "
                     "--strategy mirrored without GPUs, e.g. to test it).",
                     lower_bound=1)
flags.DEFINE_bool("cache_images", True,
                  "Keep decoded content photos in memory (about 1 MB each at "
                  "--image_size 256); without, each is decoded at every use.")
flags.mark_flag_as_required("output_dir")
flags.mark_flags_as_mutual_exclusive(["content_dir", "tfds_name"],
                                     required=True)
flags.register_validator(
    "image_size", lambda size: size % constants.SIZE_MULTIPLE == 0,
    f"--image_size must be a multiple of {constants.SIZE_MULTIPLE}")
flags.register_validator("learning_rate", lambda rate: rate > 0,
                         "--learning_rate must be > 0")

if TYPE_CHECKING:  # the pipeline imports TensorFlow: not before --help
    from magenta_style.training.pipeline import PhotoFolder, TfdsSource

# Tools that adopt these flags for --help get the loss flags with them.
flags.adopt_module_key_flags(loss_flags)
FLAGS = flags.FLAGS


def train_config() -> TrainConfig:
    """The TrainConfig the flags describe."""
    return TrainConfig(
        image_size=FLAGS.image_size, style_size=FLAGS.style_size,
        batch_size=FLAGS.batch_size, steps=FLAGS.steps,
        learning_rate=FLAGS.learning_rate, optimizer=FLAGS.optimizer,
        checkpoint_every=FLAGS.checkpoint_every, seed=FLAGS.seed,
        deterministic=FLAGS.deterministic, precision=FLAGS.precision,
        strategy=FLAGS.strategy, cpu_replicas=FLAGS.cpu_replicas,
        tpu=FLAGS.tpu, cache_images=FLAGS.cache_images,
        loss=loss_flags.loss_config(), vgg_weights=FLAGS.vgg_weights)


def train_and_report(config: TrainConfig, build_stylizer, style_images,
                     output_dir: str, strategy, trainable_styles=None) -> str:
    """training.loop.train on the photos the flags name; says where the
    model went and returns its path (workers other than the chief write
    none: "")."""
    from magenta_style.training.loop import train

    path = train(config, build_stylizer, style_images, content_source(),
                 output_dir, strategy, trainable_styles=trainable_styles,
                 validation=validation_photos())
    if path:
        print(f"model written to {path}", flush=True)
    return path


def content_source() -> PhotoFolder | TfdsSource:
    """The photos the flags name."""
    from magenta_style.training.pipeline import PhotoFolder, TfdsSource

    if FLAGS.tfds_name:
        return TfdsSource(FLAGS.tfds_name, FLAGS.tfds_split,
                          FLAGS.tfds_data_dir)
    return PhotoFolder(FLAGS.content_dir, keep_decoded=FLAGS.cache_images)


def validation_photos() -> PhotoFolder | None:
    """The held-out photos of --val_dir, or None."""
    from magenta_style.training.pipeline import PhotoFolder

    return PhotoFolder(FLAGS.val_dir) if FLAGS.val_dir else None
