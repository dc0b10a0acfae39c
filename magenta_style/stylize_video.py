r"""Stylizes a video clip in one style, keeping its frame rate and sound.

  python -m magenta_style.stylize_video --input CLIP --output OUT.mp4 \
      [--styles NAME | --style_image ANY.jpg | --blend "a=0.7,b=0.3"] \
      [--strength S] [--max_size 640] [--stabilize 0.5] [--model video]

Any container FFmpeg reads goes in (FFmpeg comes from the imageio-ffmpeg
wheel: pip install "magenta_style[video]"); MP4, MKV or MOV (H.264) comes
out, with the input's audio stream copied unchanged, written under a
temporary name and renamed when complete. Frames larger than --max_size are
scaled down by FFmpeg (sides rounded to even). Without --model the bundled
video network renders (the fast network fine-tuned so that its strokes
follow motion; frames per second on 2 CPU cores in README "Video without
flicker"); --model takes what stylize takes, in Keras or from its export
(--runtime).

Flicker: each frame is blended with the previous output warped by the
optical flow of the input frames (OpenCV's DIS), where that flow is
consistent forward and backward (--stabilize is the previous output's
weight; 0 renders each frame alone). --strength below 1 moves towards the
clip's own predicted style, taken once from its first frame.
"""

from __future__ import annotations

import os
import sys
import time

from absl import flags

from magenta_style import cli, constants
from magenta_style.cli import runtime_flags, style_flags, tf_startup
from magenta_style.cli.runtime_flags import loaded_model
from magenta_style.cli.style_flags import chosen_styles
from magenta_style.video.clips import CONTAINERS

flags.DEFINE_string("input", None, "The video clip to stylize.")
flags.DEFINE_string("output", None,
                    f"The stylized clip ({', '.join(CONTAINERS)}).")
flags.DEFINE_integer("max_size", 1280,
                     "Scale frames whose longer side exceeds this (pixels); "
                     "0 keeps the clip's size.", lower_bound=0)
flags.DEFINE_float("stabilize", 0.5,
                   "Weight of the previous output, warped by the motion, in "
                   "each frame (0: every frame alone; higher: steadier "
                   "strokes, longer ghosts where the flow is wrong).",
                   lower_bound=0.0, upper_bound=0.95)
flags.register_validator(
    "max_size", lambda size: size == 0 or size >= constants.MIN_IMAGE_SIDE,
    f"must be 0 or at least {constants.MIN_IMAGE_SIDE} (pixels)")
flags.register_validator(
    "output", lambda path: path is None
    or os.path.splitext(path)[1].lower() in CONTAINERS,
    f"must end in one of {', '.join(CONTAINERS)}")
flags.adopt_module_key_flags(runtime_flags)
flags.adopt_module_key_flags(style_flags)
FLAGS = flags.FLAGS

PROGRESS_SECONDS = 0.5  # seconds between progress lines


def main(argv) -> None:
    del argv
    cli.require(FLAGS.input is not None, "--input is required")
    cli.require(FLAGS.output is not None, "--output is required")
    cli.require(FLAGS.styles or FLAGS.style_image or FLAGS.blend,
                "give the clip's one style: --styles NAME, --style_image "
                "IMAGE or --blend")
    cli.writable_dir(os.path.dirname(os.path.abspath(FLAGS.output)))
    from magenta_style.rendering.plan import plan_render
    from magenta_style.video.clips import SIDE_MULTIPLE, clip_info

    info = clip_info(FLAGS.input)
    with tf_startup.quiet():
        model = loaded_model(constants.VIDEO_MODEL_NAME)
        plan = plan_render(info.size, FLAGS.max_size or None, model.network,
                           1, FLAGS.input, can_tile=model.renders_tiles,
                           multiple=SIDE_MULTIPLE)
        styles, labels = chosen_styles(model)
        cli.require(len(styles) == 1,
                    f"a clip takes one style, got {len(styles)} "
                    f"({', '.join(labels)}); blend them with --blend")
        frames = render_clip(model, styles[0], info, plan)
    print(f"wrote {FLAGS.output}: {frames} frames, {plan.description}, "
          f"{info.fps:g} fps, "
          + (f"{info.audio_codec} audio" if info.audio_codec
             else "no audio"), flush=True)


def render_clip(model, style, info, plan) -> int:
    """Renders --input in ``style`` (runtime.style_space.Style) into
    --output, each frame as the rendering.plan.RenderPlan ``plan`` says,
    showing frames per second; returns the number of frames written."""
    import numpy as np

    from magenta_style.imaging.images import to_uint8
    from magenta_style.video.clips import read_frames, write_clip
    from magenta_style.video.stabilizer import Stabilizer

    stabilizer = Stabilizer(FLAGS.stabilize) if FLAGS.stabilize else None
    start = shown = time.perf_counter()
    with write_clip(FLAGS.output, plan.size, info.fps,
                    FLAGS.input if info.audio_codec else None) as writer:
        for frame in read_frames(FLAGS.input, plan.size):
            photo = frame.astype(np.float32)[None] / 255.0
            if writer.frames == 0:  # the clip's own style: its first frame
                target = model.target_embeddings(photo[0], [style],
                                                 FLAGS.strength, FLAGS.stroke)
            pastiche = model.render(photo, target, plan)[0]
            if stabilizer is not None:
                pastiche = stabilizer(frame, pastiche)
            writer.write(to_uint8(pastiche))
            now = time.perf_counter()
            if now - shown >= PROGRESS_SECONDS:
                shown = now
                show_progress(writer.frames, info.frames, now - start)
    show_progress(writer.frames, writer.frames, now - start)
    sys.stdout.write("\n")
    return writer.frames


def show_progress(done: int, frames: int, seconds: float) -> None:
    """One progress line, rewritten in place: frames and frames per second."""
    sys.stdout.write(f"\rframe {done}/{frames}, "
                     f"{done / max(seconds, 1e-9):.1f} frames/s")
    sys.stdout.flush()


console_main = cli.entry_point(main, tensorflow=False)  # setup.py's script


if __name__ == "__main__":
    console_main()
