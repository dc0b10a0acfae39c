"""Video: clips in and out through FFmpeg with their sound, the warping
error against known motion, the stabilizer, the temporal trainer (its motion,
and a network that learns to follow it) and stylize_video's errors."""

import os
import subprocess

import imageio_ffmpeg
import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import (CONTENT_DIR, DATA, PHOTOS_DIR, VGG_WEIGHTS,
                      assert_one_line_error, run_cli)

from magenta_style.imaging.folders import list_images
from magenta_style.imaging.images import open_image
from magenta_style.imaging.transforms import center_crop
from magenta_style.network.model import load_model, rebuilt
from magenta_style.objective.losses import PerceptualLoss
from magenta_style.training.temporal import (TemporalTrainer, motion_error,
                                             moved, random_motions)
from magenta_style.video.clips import clip_info, read_frames
from magenta_style.video.motion import input_motion, warp, warping_error
from magenta_style.video.stabilizer import Stabilizer
from magenta_style.video.synthetic import Motion, affine_clip

CLIP = os.path.join(DATA, "videos", "bigbuckbunny.mp4")
VIDEO = "magenta_style.stylize_video"


@pytest.fixture(scope="module")
def photo():
    return open_image(os.path.join(CONTENT_DIR, "golden_gate.jpg"))


def test_exact_motion_leaves_no_warping_error(photo):
    """A clip that only moves (no noise) warps onto itself: the error is
    what bilinear resampling leaves, far below frames that flicker."""
    frames, motion = affine_clip(photo, (160, 90), 6,
                                 Motion(pan=(2.0, 0.0), zoom=0.0, turn=0.0),
                                 noise=0.0)
    assert warping_error(frames, motion) < 2e-3
    sigma = 0.05
    flicker = [np.clip(f / 255 + np.random.default_rng(i).normal(
        0, sigma, f.shape), 0, 1) for i, f in enumerate(frames)]
    # Independent noise of σ per frame: E (n_t − n_{t−1})² = 2σ² (less
    # what the [0, 1] clip and the warp's averaging take).
    assert warping_error(flicker, motion) == pytest.approx(
        2 * sigma ** 2 + warping_error(frames, motion), rel=0.25)


def test_estimated_flow_follows_the_true_motion(photo):
    frames, exact = affine_clip(photo, (192, 108), 4)
    for (true, mask), (estimated, unoccluded) in zip(
            exact, input_motion(frames)):
        both = mask & unoccluded
        assert both.mean() > 0.8
        assert np.abs(true - estimated)[both].mean() < 0.5  # pixels


def test_warp_by_a_whole_pixel_shift_is_exact():
    image = np.random.default_rng(0).random((20, 30, 3)).astype(np.float32)
    flow = np.zeros((20, 30, 2), np.float32)
    flow[..., 0] = 2.0  # x + 2
    np.testing.assert_allclose(warp(image, flow)[:, :-2], image[:, 2:],
                               atol=1e-6)


def test_the_stabilizer_halves_flicker_and_keeps_still_frames(photo):
    frames, motion = affine_clip(photo, (160, 90), 8)
    rng = np.random.default_rng(3)
    flicker = [np.clip(f / 255 + rng.normal(0, 0.05, f.shape), 0, 1)
               .astype(np.float32) for f in frames]
    stabilizer = Stabilizer(0.6)
    steady = [stabilizer(f, p) for f, p in zip(frames, flicker)]
    assert warping_error(steady, motion) < 0.5 * warping_error(flicker,
                                                               motion)
    still = Stabilizer(0.6)
    outputs = [still(frames[0], flicker[0]) for _ in range(3)]
    np.testing.assert_allclose(outputs[2], flicker[0], atol=1e-5)


def test_the_trainers_motion_moves_content_as_its_transform_says():
    """A pure shift drawn by random_motions moves a ramp by that shift:
    the second frame's pixel x shows the first frame's at M·x."""
    ramp = tf.tile(tf.range(32, dtype=tf.float32)[None, None, :, None],
                   [1, 32, 1, 3])
    motions = random_motions(1, tf.constant(32), tf.constant([1, 2],
                                                             tf.int64))
    a, b, tx, _, _, ty = motions[0, :6].numpy()
    out = moved(ramp, motions).numpy()[0, 16, 16, 0]
    assert out == pytest.approx(a * 16 + b * 16 + tx, abs=1e-3)
    # b here is the map's −sin term: the shift is tx − c(1 − a) + b·c.
    assert abs(a - 1) < 0.03 and abs(tx - 15.5 * (1 - a) + 15.5 * b) <= 3.01


def flicker(network, content, embeddings, motions) -> float:
    """The temporal term of ``network``'s pastiches under ``motions``, mean
    over the batch."""
    first = network([content, embeddings])
    second = network([moved(content, motions), embeddings])
    return float(tf.reduce_mean(motion_error(first, second, motions)))


def test_temporal_fine_tuning_makes_the_fast_network_follow_motion(vgg):
    """The bundled fast network, fine-tuned for 40 steps on one batch, draws
    the moved crop's pastiche closer to its moved pastiche (motions the
    steps never drew), and its style table stays as it was."""
    reference = load_model("fast")
    keras.utils.set_random_seed(0)
    stylizer = rebuilt(reference, reference.style_names,
                       reference.style_info, reference.style_rows(),
                       None, reference.control_rows())
    trainer = TemporalTrainer(stylizer, reference, PerceptualLoss(vgg), 4,
                              seed=0, temporal_weight=1000.0)
    trainer.compile(optimizer=keras.optimizers.Adam(1e-3))
    content = tf.constant(np.stack([
        center_crop(open_image(path, max_side=96), 64)
        for path in list_images(PHOTOS_DIR)[:4]]))
    styles = tf.constant([4, 4, 2, 2])  # udnie, starry_night
    embeddings = tf.gather(reference.style_rows(), styles)
    held_out = random_motions(4, tf.constant(64),
                              tf.constant([99, 99], tf.int64))
    before = flicker(stylizer.transformer, content, embeddings, held_out)
    for _ in range(40):
        trainer.train_step((content, styles))
    after = flicker(stylizer.transformer, content, embeddings, held_out)
    assert after < 0.7 * before, (before, after)
    np.testing.assert_array_equal(stylizer.style_rows(),
                                  reference.style_rows())


@pytest.mark.parametrize("upsampling", [None, "bilinear"])
def test_stabilize_writes_the_models_styles_with_a_new_network(tmp_path,
                                                               upsampling):
    out = tmp_path / "stable"
    done = run_cli("magenta_style.stabilize", "--model", "fast",
                   "--content_dir", CONTENT_DIR, "--output_dir", str(out),
                   "--steps", "2", "--checkpoint_every", "1",
                   "--image_size", "48", "--batch_size", "2",
                   "--precision", "float32", "--vgg_weights", VGG_WEIGHTS,
                   *([f"--upsampling={upsampling}"] if upsampling else []))
    assert done.returncode == 0, done.stderr[-2000:]
    reference, stable = load_model("fast"), load_model(str(out))
    assert stable.upsampling == (upsampling or reference.upsampling)
    assert f"{stable.upsampling} upsampling" in done.stdout
    assert stable.style_names == reference.style_names
    assert stable.style_info == reference.style_info
    np.testing.assert_array_equal(stable.style_rows(),
                                  reference.style_rows())
    changed = [not np.array_equal(a, b) for a, b in zip(
        stable.transformer.get_weights(), reference.transformer.get_weights())]
    assert any(changed)
    assert stable.has_predictor


def test_stylize_video_keeps_frames_rate_and_sound(tmp_path):
    out = tmp_path / "bunny.mp4"
    done = run_cli(VIDEO, "--input", CLIP, "--output", str(out),
                   "--styles", "udnie", "--max_size", "160")
    assert done.returncode == 0, done.stderr[-2000:]
    source, made = clip_info(CLIP), clip_info(str(out))
    assert made.size == (160, 90)
    assert made.fps == source.fps
    assert made.audio_codec == source.audio_codec == "aac"
    assert abs(made.duration - source.duration) < 0.1
    frames, _ = imageio_ffmpeg.count_frames_and_secs(str(out))
    assert frames == imageio_ffmpeg.count_frames_and_secs(CLIP)[0]
    first = next(iter(read_frames(str(out), made.size)))
    assert first.std() > 10  # a picture, not a blank frame
    assert "frames/s" in done.stdout


def test_stylize_video_errors_are_one_line(tmp_path):
    not_video = tmp_path / "notes.mp4"
    not_video.write_text("not a video")
    assert_one_line_error(run_cli(VIDEO, "--input", str(not_video),
                                  "--output", str(tmp_path / "o.mp4"),
                                  "--styles", "udnie"),
                          "not a video FFmpeg can read")
    sound_only = tmp_path / "sound.mp4"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error",
                    "-f", "lavfi", "-i", "sine=duration=1", str(sound_only)],
                   check=True)
    assert_one_line_error(run_cli(VIDEO, "--input", str(sound_only),
                                  "--output", str(tmp_path / "o.mp4"),
                                  "--styles", "udnie"), "no video stream")
    assert_one_line_error(run_cli(VIDEO, "--input", CLIP, "--output",
                                  str(tmp_path / "o.avi"), "--styles",
                                  "udnie"), "must end in one of")
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert_one_line_error(run_cli(VIDEO, "--input", CLIP, "--output",
                                  str(blocked / "o.mp4"), "--styles",
                                  "udnie"), "is a file")
    assert_one_line_error(run_cli(VIDEO, "--input", CLIP, "--output",
                                  str(tmp_path / "o.mp4"), "--styles",
                                  "udnie,wave_crop"), "one style")
    assert not (tmp_path / "o.mp4").exists()
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".tmp")]


# The bundled video network against fast on that clip (8 frames, 320x180,
# udnie): 0.40x the warping error at +5.5% style loss when it shipped.
FLICKER_RATIO = 0.6
STYLE_RATIO = 1.12


def test_the_bundled_video_network_follows_motion_and_keeps_the_style(
        photo, vgg):
    """On a synthetic pan, zoom and turn over golden_gate, the bundled video
    network's frames flicker far less than the fast network's, frame by
    frame (no stabilizer), at nearly the same style loss against the
    painting; it has fast's styles, records and predictor."""
    fast, video = load_model("fast"), load_model("video")
    assert video.upsampling == "bilinear" and fast.upsampling == "nearest"
    assert video.style_names == fast.style_names
    assert video.style_info == fast.style_info
    np.testing.assert_array_equal(video.style_rows(), fast.style_rows())
    assert video.has_predictor
    frames, motion = affine_clip(photo, (320, 180), 8)
    perceptual = PerceptualLoss(vgg)
    grams = perceptual.style_grams([open_image(
        os.path.join(DATA, "styles", "udnie.jpg"), max_side=512)])
    errors, styles = {}, {}
    for name, model in (("fast", fast), ("video", video)):
        pastiches = [model.stylize(f.astype(np.float32) / 255, "udnie")
                     for f in frames]
        errors[name] = warping_error(pastiches, motion)
        batch = tf.constant(np.stack(pastiches))
        targets = {k: tf.repeat(v, len(pastiches), axis=0)
                   for k, v in grams.items()}
        styles[name] = float(np.mean(perceptual.losses(
            batch, perceptual.content_features(batch), targets)["style"]))
    assert errors["video"] < FLICKER_RATIO * errors["fast"], errors
    assert styles["video"] < STYLE_RATIO * styles["fast"], styles
