"""Flags shared by the commands that train (train, and later finetune)."""

from absl import flags

from magenta_style import constants

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
flags.DEFINE_string("vgg_weights", "imagenet",
                    "VGG-19 weights: 'imagenet' (downloaded by Keras) or the "
                    "path of a local vgg19 notop .h5 file.")
flags.DEFINE_integer("image_size", constants.DEFAULT_IMAGE_SIZE,
                     "Side of the square training crops, pixels (multiple of 4).")
flags.DEFINE_integer("style_size", constants.DEFAULT_STYLE_SIZE,
                     "Longer side of each style image for its Gram targets, px.")
flags.DEFINE_integer("batch_size", constants.DEFAULT_BATCH_SIZE,
                     "Content images per step.")
flags.DEFINE_integer("steps", constants.DEFAULT_STEPS, "Total training steps.")
flags.DEFINE_float("learning_rate", constants.DEFAULT_LEARNING_RATE,
                   "Adam learning rate.")
flags.DEFINE_float("content_weight", constants.DEFAULT_CONTENT_WEIGHT,
                   "Weight of the content loss (one value for all layers).")
flags.DEFINE_list("style_weights", [str(w) for w in constants.DEFAULT_STYLE_WEIGHTS],
                  "Style loss weight: one for all style layers, or one per "
                  "layer of --style_layers.")
flags.DEFINE_list("content_layers", list(constants.VGG_CONTENT_LAYERS),
                  "VGG-19 layers of the content loss.")
flags.DEFINE_list("style_layers", list(constants.VGG_STYLE_LAYERS),
                  "VGG-19 layers of the style loss.")
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
