"""Named constants of the method, with their units, in one place."""

import os

# Conditional instance normalization: variance epsilon, added to σ² of
# activations (the transformer's activations are O(1), so 1e-5 is negligible).
CIN_EPSILON = 1e-5

# Transformer width: channels of each stage at alpha = 1 (Johnson et al. 2016,
# as modified by Dumoulin et al.).
ENCODER_CHANNELS = (32, 64, 128)
NUM_RESIDUAL_BLOCKS = 5
DECODER_CHANNELS = (64, 32)
OUTPUT_CHANNELS = 3
# Kernel sizes (pixels) of the first / last convolutions and of the others.
OUTER_KERNEL_SIZE = 9
INNER_KERNEL_SIZE = 3
# The two stride-2 stages need H and W to be multiples of this (pixels).
SIZE_MULTIPLE = 4
# Transformer variants. "paper" is the network above. "mobile" (for phones,
# with a small alpha) runs its first layer on the 2×2 space-to-depth of the
# image (12 channels at half resolution, a 5×5 kernel: a 10×10-pixel
# footprint like the paper's 9×9), keeps the residual blocks at 1/4
# resolution (its third layer has stride 1), and ends in ×2 nearest
# upsampling and a 3×3 convolution to RGB: at full resolution, where the
# paper's 9×9 convolutions are memory bound (benchmarks/RESULTS.md), only
# that small convolution is left. An output made by depth-to-space of a
# half-resolution convolution (sub-pixel convolution) was tried and left
# 2-pixel stripes and checkerboards in the pastiches (RESULTS.md).
ARCHITECTURES = ("paper", "mobile")
# The decoder's ×2 upsampling. "nearest" is the paper's (and the bundled
# networks'). Its output is tied to the pixel grid: frame by frame, a
# sub-pixel motion of the input leaves the fine strokes where they were and
# then jumps them, the flicker left after temporal fine-tuning. Swapping in
# "bilinear" without retraining took the fast network's flicker on a
# synthetic golden_gate clip to 0.24x (udnie; 0.21x starry_night) at +59%
# style loss: the texture was drawn for nearest; magenta_style.stabilize
# --upsampling bilinear retrains it (README "Video without flicker").
UPSAMPLING = ("nearest", "bilinear")
DEFAULT_UPSAMPLING = "nearest"
DEFAULT_ARCHITECTURE = "paper"
MOBILE_BLOCK_SIZE = 2  # pixels, side of the space-to-depth block
MOBILE_FIRST_KERNEL_SIZE = 5
# Standard deviation of the N(0, σ) convolution initializer (reference code).
CONV_INIT_STDDEV = 0.01

# VGG-19 loss network (Keras layer names; blockN_conv1 outputs are post-ReLU).
VGG_STYLE_LAYERS = (
    "block1_conv1",
    "block2_conv1",
    "block3_conv1",
    "block4_conv1",
    "block5_conv1",
)
VGG_CONTENT_LAYERS = ("block4_conv2",)
# Caffe preprocessing: ImageNet channel means in BGR order, on a 0..255 scale.
VGG_MEAN_BGR = (103.939, 116.779, 123.68)

# Loss weights (dimensionless multipliers of losses measured on VGG-19
# features of caffe-preprocessed images, 0..255 scale), with
# Gram = FᵀF / (H·W), style loss = mean squared Gram difference over C×C and
# content loss = mean squared feature difference. The raw losses of the five
# style layers differ by five orders of magnitude (median photo-vs-painting
# style loss over the bundled paintings and evaluation photos: 1.9e6, 3.2e8,
# 8.4e8, 1.6e11, 8.5e7), so each style weight is its layer's inverse median
# times a common factor (2.5): every layer counts about equally. The factor
# was chosen by training 400 steps (128 px, batch 4, 3 styles) with factors
# 1, 2.5 and 5: 1 kept the photo with faint style, 5 broke faces into blobs,
# 2.5 carried each painting's palette and strokes and kept the content. The
# content weight puts a 4×-blurred photo at a content loss of about 2.
DEFAULT_CONTENT_WEIGHT = 1e-5
DEFAULT_STYLE_WEIGHTS = (2.5e-6, 1.5e-8, 6e-9, 3.25e-11, 6e-8)

# Training defaults for the 2-core CPU path.
DEFAULT_IMAGE_SIZE = 256  # pixels, side of the square training crops
DEFAULT_STYLE_SIZE = 512  # pixels, longer side of each style image
DEFAULT_BATCH_SIZE = 8
DEFAULT_LEARNING_RATE = 1e-3
DEFAULT_STEPS = 40_000
DEFAULT_CHECKPOINT_EVERY = 200  # steps
# Adam learning rate of fine-tuning (only new style-table rows train). A row
# starts at γ = 1, β = 0 and trained rows lie O(1) away, which Adam at 1e-3
# covers in hundreds of steps: on a new style (la_muse, 128 px crops) the
# total loss after 50 steps was 45.1 at 1e-3, 24.6 at 1e-2 (same base) and
# 22.5 at 2e-2 (a better base; benchmarks/FINETUNE.md).
DEFAULT_FINETUNE_LEARNING_RATE = 2e-2
# From the style predictor's embedding (finetune --init predicted) a row
# starts near where fine-tuning ends, and Adam's first steps of about 2e-2
# per value throw part of that start away: on 8 held-out paintings (the
# network of git 5a747fa, evaluate_predictor's fine-tuning arm) the median
# style loss after 25 / 50 / 100 steps was 1.68 / 1.69 / 1.53 at 2e-2 and
# 1.59 / 1.57 / 1.48 at 5e-3; from identity at 2e-2, 1.49 after 200 steps.
DEFAULT_PREDICTED_FINETUNE_LEARNING_RATE = 5e-3
# The default rate of each start of finetune (its --init values).
DEFAULT_FINETUNE_LEARNING_RATES = {
    "identity": DEFAULT_FINETUNE_LEARNING_RATE,
    "predicted": DEFAULT_PREDICTED_FINETUNE_LEARNING_RATE}

# Adam rate of a style's control-point runs (train_controls,
# training.controls): the rows start at the style's own
# embedding, near where they end (like finetune --init predicted, whose
# measured best start rate is 5e-3), but a 2x style scale moves them further
# than a prediction's error: twice that.
CONTROL_LEARNING_RATE = 1e-2
# Steps of one point's run, its crops (px) and batch: every style of the run
# shares the steps (12 styles: 200 crops each). 128 px crops cost a quarter
# of train's 256 and still hold strokes of a painting at twice its size.
CONTROL_STEPS = 600
CONTROL_IMAGE_SIZE = 128
CONTROL_BATCH_SIZE = 4
CONTROL_CHECKPOINT_EVERY = 100  # steps: a sixth of a run
# Temporal fine-tuning (python -m magenta_style.stabilize,
# training.temporal): weight of the temporal term (a mean squared difference
# of [0, 1] pixels under a small motion; about 6e-3 at the fast network's
# start), of the content loss, and of the L1 pixel loss against the original
# network's pastiches. Chosen on the fast network, 600 steps of batch 4 at
# 128 px, measured with udnie on the synthetic golden_gate clip (flicker
# frame by frame × the shipped network's; style loss change):
#   temporal 100, content 1e-5, L1 0:  0.54×, +7.1%
#   temporal 300, content 3e-6, L1 0:  0.41×, +5.9%
#   temporal 1000, content 1e-5, L1 0: 0.23×, +17%
#   temporal 1000, content 2e-6, L1 0: 0.24×, +13%
# (an earlier session, temporal 100 with L1 10: 0.64-0.78× at +7%). The L1
# pins each stroke where the original draws it, which is what the temporal
# term must move; the content loss pulls towards the photo, which is steadier
# but less styled.
DEFAULT_TEMPORAL_WEIGHT = 300.0
DEFAULT_STABILIZE_CONTENT_WEIGHT = 3e-6
DEFAULT_STABILIZE_PIXEL_WEIGHT = 0.0

# Direct optimization of the pixels (Gatys et al.; magenta_style.optimize).
DEFAULT_OPTIMIZE_ITERATIONS = 300
DEFAULT_OPTIMIZE_IMAGE_SIZE = 512  # pixels, longer side of the pastiche
DEFAULT_OPTIMIZE_ADAM_LR = 0.02  # Adam step, in pixel units of [0, 1]
# Shorter side (pixels) below which every tool refuses an image, style or
# content, as read (after any shrinking, before any enlarging: enlarging adds
# no texture). VGG-19's block5_conv1 sees the image at 1/16 scale, so 32 px
# leave it a 2x2 map for its Gram matrix; the transformer runs its residual
# blocks at 1/4 scale, on 8x8 maps at 32 px. The transformer alone would take
# 5 px (padded to 8, the largest mirror pad, 4 px of the 9x9 convolutions,
# must be smaller than the side) but renders nothing useful at that size.
MIN_IMAGE_SIDE = 32

# File names inside a training output directory.
MODEL_FILENAME = "model.keras"
CHECKPOINT_DIRNAME = "checkpoints"
TRAIN_CONFIG_FILENAME = "train_config.json"
LOG_DIRNAME = "logs"

# Image files every tool reads, single or from a folder (Pillow decodes them;
# of an animated GIF, the first frame).
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif",
                    ".tiff")
IMAGE_KINDS = "jpg/png/webp/gif/bmp/tiff"  # IMAGE_EXTENSIONS, for messages

# The models shipped with the package, by the name every --model takes
# (README "The bundled models"): "full", the paper's network at full width,
# "fast", the mobile network at alpha 0.25 distilled from it, and "video",
# the fast network with bilinear upsampling fine-tuned for steady video
# (magenta_style.stabilize), with fast's styles, records and predictor.
PRETRAINED_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                              "pretrained")
BUNDLED_MODELS = {name: os.path.join(PRETRAINED_DIR, f"{name}.keras")
                  for name in ("full", "fast", "video")}
# The .keras files are in the source tree (and so in an editable install) but
# not in the wheel: the runtime install stylizes with the exports below, and
# leaving the Keras files out keeps it within 150 MB (benchmarks/
# runtime_install.py). An installation from a wheel with the [train] extra
# downloads them once into ~/.keras/magenta_style (network.model.model_file),
# checked against these SHA-256 digests.
BUNDLED_MODEL_URL = ("https://github.com/magenta-style/magenta_style/releases/"
                     "download/v0.1.0/{name}.keras")
BUNDLED_MODEL_SHA256 = {
    "full": "5c89d39b036177b0cf00f082026ca57b5a459163fa9ba97c53a56e0af25d2796",
    "fast": "5dc37d7aa253073ba376afea5836a10e9adfa1566eae57b6ab427083898eecab",
    "video": "942a68ca5161ec78011fb9c27d5b1f4d767db89ff634b2290cd79b9fc8c3af3d",
}
# Their TFLite exports (float16 weights, with the style predictor), which the
# runtime install stylizes with when TensorFlow is absent (runtime/): the
# files python -m export.to_tflite --model NAME --output_dir
# magenta_style/pretrained/litert/NAME writes.
# The video export's styles.json names the fast export's predictor.tflite
# ("../fast/predictor.tflite"): the video network kept fast's predictor, the
# two files were the same bytes, and one copy keeps the runtime install
# within its 150 MB (a second would have added 3.8 MB to 147 MiB).
BUNDLED_EXPORTS = {name: os.path.join(PRETRAINED_DIR, "litert", name)
                   for name in BUNDLED_MODELS}
# Memory (GB) a render of stylize may take: a photo whose whole pass needs
# more goes to tiles (rendering.tiles), which need about 1 GB plus 4 bytes a
# pixel and keep their features in memory within the rest: 8000×6000 took
# 8.5 GB whole and 2.15 GB in tiles (fast network, float32, one style).
RENDER_MEMORY_GB = 3.0
# The bundled model used where none is named.
DEFAULT_MODEL_NAME = "full"
# The bundled model that export.to_tflite exports where none is named (the
# Android assets and the web page): a phone or browser renders it in real
# time (README "The bundled models").
DEVICE_MODEL_NAME = "fast"
# The bundled model stylize_video renders with where none is named: its
# strokes follow the motion of the scene (README "Video without flicker").
VIDEO_MODEL_NAME = "video"
