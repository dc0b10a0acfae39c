r"""Flicker and speed of video stylization: the warping error (Lai et al.
2018) of the input clip, of frames stylized one by one, of those frames
under a running average (styletransfer-lite's --smooth, at 0.3), and of
ours (video.stabilizer at each --weights), with the frames' style loss, on
a real clip and on synthetic clips of the evaluation photos.

  python -m benchmarks.video_stability [--model fast] [--style udnie] \
      [--style_image ../shared/data/styles/udnie.jpg] [--size 640] \
      [--weights 0.5,0.7] [--stabilized MODEL] [--strip docs/video_strip.jpg]

The real clip's motion is DIS flow of its input frames with the
forward-backward check (video.motion.input_motion); the synthetic clips'
(video.synthetic: pan, zoom and turn over a photo, 1 level of sensor noise)
is exact, and each synthetic clip also gets the warping error of a pastiche
moved by that motion (moving_pastiche): what an output whose strokes move
with the scene reaches, against which "2x the input clip" can be judged.
With --stabilized MODEL (a network fine-tuned by magenta_style.stabilize),
that network's frames, one by one and under each stabilizer weight, are
measured too, against --model's frame by frame: a steadier network that
washed its style out shows it in the style loss.
Style loss: the mean over frames of the perceptual style loss
(default weights) against --style_image at --style_size. Frames per second:
the network alone and with the stabilizer, at the clip's size. The CPU model
is printed first.
"""

from __future__ import annotations

import os
import time

from absl import app, flags

from benchmarks import DATA, cpu_model

flags.DEFINE_string("clip", os.path.join(DATA, "videos", "bigbuckbunny.mp4"),
                    "The real clip.")
flags.DEFINE_list("synthetic", ["golden_gate.jpg", "tubingen.jpg"],
                  "Evaluation photos filmed with synthetic motion.")
flags.DEFINE_integer("synthetic_frames", 40, "Frames of a synthetic clip.")
flags.DEFINE_integer("size", 640, "Longer side of the frames (pixels).")
flags.DEFINE_string("model", "fast", "The model (a name, file or export).")
flags.DEFINE_string("stabilized", None,
                    "A second model measured beside --model, with the same "
                    "style (e.g. --model fine-tuned by magenta_style.stabilize).")
flags.DEFINE_string("style", "udnie", "The table style to render.")
flags.DEFINE_string("style_image", os.path.join(DATA, "styles", "udnie.jpg"),
                    "The painting the style loss is measured against.")
flags.DEFINE_integer("style_size", 512, "Longer side of that painting.")
flags.DEFINE_list("weights", ["0.5", "0.7"], "Stabilizer weights to try.")
flags.DEFINE_float("smooth", 0.3, "The running average's previous weight.")
flags.DEFINE_string("vgg_weights", os.path.join(DATA, "vgg19_notop.h5"),
                    "VGG-19 weights for the style loss.")
flags.DEFINE_string("strip", None, "Write a strip of frames (JPEG) here.")
FLAGS = flags.FLAGS
# The row of a synthetic clip's pastiche moved with the scene
# (moving_pastiche).
MOVING_PASTICHE = "pastiche moved by the exact motion"
# The rows of --model, and its frame by frame: what every row is set against.
MODEL_LABEL = "model"
PER_FRAME = f"{MODEL_LABEL}, frame by frame"


def real_clip(path: str, size: int):
    """The clip's frames at a longer side of ``size`` and their motion."""
    from magenta_style.rendering.plan import rendered_size
    from magenta_style.video.clips import SIDE_MULTIPLE, clip_info, read_frames
    from magenta_style.video.motion import input_motion

    info = clip_info(path)
    frames = list(read_frames(path, rendered_size(info.size, size,
                                                  SIDE_MULTIPLE)))
    return frames, input_motion(frames)


def synthetic_clip(photo_file: str, size: int, frames: int):
    """A synthetic clip over an evaluation photo, its exact motion, and the
    photo ([H, W, 3] in [0, 1])."""
    from magenta_style.imaging.images import open_image
    from magenta_style.video.synthetic import affine_clip

    photo = open_image(os.path.join(DATA, "content", photo_file))
    return (*affine_clip(photo, (size, size * 9 // 16), frames), photo)


def moving_pastiche(model, embedding, photo, frames) -> list:
    """Output frames that are consistent by construction: the photo
    stylized once, at the frames' scale, then filmed with the synthetic
    clip's own camera motion (no noise). Their warping error is what
    resampling leaves of strokes that move with the scene; their style loss
    is not comparable (one pastiche of the whole photo, not of each
    frame)."""
    import numpy as np

    from magenta_style.imaging.transforms import resize
    from magenta_style.video.synthetic import (affine_clip,
                                               photo_pixels_per_frame_pixel)

    size = (frames[0].shape[1], frames[0].shape[0])
    scale = photo_pixels_per_frame_pixel(size, photo.shape[1::-1])
    at_frame_scale = resize(photo, round(photo.shape[0] / scale),
                            round(photo.shape[1] / scale))
    pastiche = model.render_embeddings(at_frame_scale[None],
                                       embedding[None])[0]
    moved, _ = affine_clip(np.clip(pastiche, 0, 1), size, len(frames),
                           noise=0.0)
    return [f.astype(np.float32) / 255 for f in moved]


def network_rows(model, embedding, frames, label: str
                 ) -> tuple[dict, dict]:
    """{name: output frames} and {name: frames/s} of ``model`` frame by
    frame and under the stabilizer at each --weights, named after
    ``label``."""
    import numpy as np

    from magenta_style.video.stabilizer import Stabilizer

    start = time.perf_counter()
    pastiches = [model.render_embeddings(f[None].astype(np.float32) / 255,
                                         embedding[None])[0] for f in frames]
    network_seconds = time.perf_counter() - start
    outputs = {f"{label}, frame by frame": pastiches}
    rates = {f"{label}, frame by frame": len(frames) / network_seconds}
    for weight in (float(w) for w in FLAGS.weights):
        stabilizer = Stabilizer(weight)
        start = time.perf_counter()
        name = f"{label}, stabilizer {weight:g}"
        outputs[name] = [stabilizer(f, p) for f, p in zip(frames, pastiches)]
        rates[name] = len(frames) / (network_seconds
                                     + time.perf_counter() - start)
    return outputs, rates


def reference_rows(frames, pastiches) -> dict:
    """{name: frames} of the input clip and of the running average of
    ``pastiches`` (the peer's --smooth)."""
    import numpy as np

    average, running = [], None
    for pastiche in pastiches:
        running = (pastiche if running is None else
                   FLAGS.smooth * running + (1 - FLAGS.smooth) * pastiche)
        average.append(running)
    return {"input clip": [f.astype(np.float32) / 255 for f in frames],
            f"running average {FLAGS.smooth:g} (the peer's)": average}


def style_losses(perceptual, grams, outputs: dict) -> dict:
    """Mean weighted style loss of every 4th frame of each output."""
    import numpy as np
    import tensorflow as tf

    losses = {}
    for name, frames in outputs.items():
        chosen = np.stack(frames[::4])
        targets = {k: tf.repeat(v, len(chosen), axis=0)
                   for k, v in grams.items()}
        features = perceptual.content_features(tf.constant(chosen))
        losses[name] = float(np.mean(perceptual.losses(
            tf.constant(chosen), features, targets)["style"]))
    return losses


def main(argv) -> None:
    del argv
    from magenta_style.cli import tf_startup
    from magenta_style.imaging.images import open_image
    from magenta_style.objective.losses import PerceptualLoss
    from magenta_style.objective.vgg import load_vgg19
    from magenta_style.video.motion import warping_error

    print(f"CPU: {cpu_model()}", flush=True)
    model = loaded(FLAGS.model)
    embedding = model.embedding(FLAGS.style)
    perceptual = PerceptualLoss(load_vgg19(FLAGS.vgg_weights))
    grams = perceptual.style_grams([open_image(
        FLAGS.style_image, max_side=FLAGS.style_size)])
    clips = {os.path.basename(FLAGS.clip): (*real_clip(FLAGS.clip,
                                                       FLAGS.size), None)}
    for photo in FLAGS.synthetic:
        clips[f"synthetic {photo}"] = synthetic_clip(
            photo, FLAGS.size, FLAGS.synthetic_frames)
    networks = {MODEL_LABEL: model}
    if FLAGS.stabilized:
        networks["stabilized network"] = loaded(FLAGS.stabilized)
    for clip, (frames, motion, photo) in clips.items():
        outputs, rates = {}, {}
        with tf_startup.quiet():
            for label, network in networks.items():
                rows, speeds = network_rows(
                    network, network.embedding(FLAGS.style), frames, label)
                outputs.update(rows)
                rates.update(speeds)
            outputs = {**reference_rows(frames, outputs[PER_FRAME]),
                       **outputs}
            if photo is not None:
                outputs[MOVING_PASTICHE] = moving_pastiche(model, embedding,
                                                           photo, frames)
        errors = {name: warping_error(out, motion)
                  for name, out in outputs.items()}
        losses = style_losses(perceptual, grams, outputs)
        per_frame = errors[PER_FRAME]
        print(f"\n{clip}: {len(frames)} frames of {frames[0].shape[1]}x"
              f"{frames[0].shape[0]}, style {FLAGS.style}")
        print(f"{'':<44} {'warping error':>13} {'÷ frame by frame':>17} "
              f"{'÷ input':>8} {'style loss':>11} {'frames/s':>9}")
        for name in outputs:
            print(f"{name:<44} {errors[name]:>13.5f} "
                  f"{errors[name] / per_frame:>17.2f} "
                  f"{errors[name] / errors['input clip']:>8.2f} "
                  f"{losses[name]:>11.3f} "
                  f"{rates.get(name, float('nan')):>9.1f}", flush=True)
        if photo is not None:
            moved = errors[MOVING_PASTICHE] / errors["input clip"]
            print(f"strokes that move with the scene: {moved:.2f}x the "
                  f"input clip's warping error")
        if FLAGS.strip and clip == os.path.basename(FLAGS.clip):
            write_strip(outputs, FLAGS.strip)


def loaded(name: str):
    """The model ``name`` in the runtime that stylize would choose."""
    from magenta_style.runtime.choice import chosen_runtime

    if chosen_runtime(name) == "keras":
        from magenta_style.network.model import load_model
        return load_model(name)
    from magenta_style.runtime.exported_model import load_exported_model
    return load_exported_model(name)


def write_strip(outputs: dict, path: str) -> None:
    """Five consecutive frames (columns) of the input, frame-by-frame
    pastiches, the running average and ours (rows)."""
    from magenta_style.imaging.images import save_image
    from magenta_style.studies.figures import image_grid

    start = len(next(iter(outputs.values()))) // 3
    rows = [frames[start:start + 5] for frames in outputs.values()]
    grid = image_grid(rows, [f"frame {start + i}" for i in range(5)],
                      cell=256, captions=[[name] + [""] * 4
                                          for name in outputs])
    save_image(grid / 255.0, path)


if __name__ == "__main__":
    app.run(main)
