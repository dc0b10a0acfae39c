"""Flags shared by the commands that train (train and finetune); the loss
flags are in loss_flags."""

from absl import flags

from magenta_style import constants, loss_flags

flags.DEFINE_string("content_dir", None,
                    "Folder of content photos (searched recursively; "
                    "jpg/png/webp). Unreadable files are skipped.")
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
                     "Side of the square training crops, pixels (multiple of 4).")
flags.DEFINE_integer("style_size", constants.DEFAULT_STYLE_SIZE,
                     "Longer side of each style image for its Gram targets, px.")
flags.DEFINE_integer("batch_size", constants.DEFAULT_BATCH_SIZE,
                     "Content images per step.")
flags.DEFINE_integer("steps", constants.DEFAULT_STEPS, "Total training steps.")
flags.DEFINE_float("learning_rate", constants.DEFAULT_LEARNING_RATE,
                   "Adam learning rate.")
flags.DEFINE_integer("checkpoint_every", constants.DEFAULT_CHECKPOINT_EVERY,
                     "Steps between checkpoints (a killed run loses at most "
                     "this many); also the length of one progress-bar epoch.")
flags.DEFINE_integer("seed", 0, "Random seed.")
flags.DEFINE_enum("precision", "mixed_bfloat16", ["float32", "mixed_bfloat16"],
                  "Keras dtype policy while training: mixed_bfloat16 runs the "
                  "convolutions in bfloat16 (about 1.8x faster on CPUs with "
                  "AVX-512 BF16 or AMX; losses and normalization statistics "
                  "stay float32). The saved model is float32 either way.")
flags.DEFINE_bool("cache_images", True,
                  "Keep decoded content photos in memory after the first pass "
                  "(about 1 MB each at --image_size 256).")

# Tools that adopt these flags for --help get the loss flags with them.
flags.adopt_module_key_flags(loss_flags)
