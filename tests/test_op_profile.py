"""benchmarks/op_profile: the profiler's kernels, sorted by kind."""

import tensorflow as tf

from benchmarks.op_profile import OTHER_KIND, op_kind, profile_steps


def test_op_kind_reads_the_type_then_the_scope():
    assert op_kind("grad/conv/Conv2DBackpropInput",
                   "_MklNativeConv2DBackpropInput") == (
        "convolution: input gradient")
    assert op_kind("vgg/block1_conv1/Relu", "_MklNativeFusedConv2D") == (
        "convolution: forward")
    assert op_kind("t/residual_1/conditional_instance_normalization/Mean",
                   "Mean") == "instance normalization"
    assert op_kind("t/decode_2/reflection_padding2d/concat", "ConcatV2") == (
        "upsampling and padding")
    assert op_kind("t/to_rgb/space_to_depth_conv2d/SpaceToDepth",
                   "SpaceToDepth") == "layout: transpose, space-to-depth"
    assert op_kind("adam/Sqrt_3", "Sqrt") == "optimizer"
    assert op_kind("loss/truediv", "RealDiv") == OTHER_KIND


def test_profile_steps_times_the_kernels_of_a_real_trace():
    images = tf.random.uniform([2, 32, 32, 8])
    kernel = tf.random.uniform([3, 3, 8, 8])

    @tf.function
    def step():
        features = tf.nn.conv2d(images, kernel, 1, "SAME")
        return tf.cast(tf.cast(features, tf.bfloat16), tf.float32)

    step()
    kinds = profile_steps(step, 3)
    assert kinds["convolution: forward"] > 0
    assert kinds["cast float32/bfloat16"] > 0
    assert sum(kinds.values()) < 5.0  # seconds per step of a tiny graph
