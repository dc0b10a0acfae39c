"""The --vgg_weights flag: where VGG-19's ImageNet weights come from, for
the perceptual loss and for a style predictor's backbone."""

from absl import flags

flags.DEFINE_string("vgg_weights", "imagenet",
                    "VGG-19 weights (the loss network, and the style "
                    "predictor's backbone): 'imagenet' (downloaded by Keras "
                    "once, then read from its cache) or the path of a local "
                    "vgg19 notop .h5 file.")
