r"""Stylizes photos with a trained model: every style at once, or a blend.

  python -m magenta_style.stylize --content IMG_OR_DIR [--model DIR] \
      [--output_dir stylized] [--styles a,b] [--style_image ANY.jpg] \
      [--blend "a=0.7,painting.jpg=0.3"] [--strength S] [--stroke K] \
      [--preserve_colors]

Without --model, the model shipped with the package is used. It runs in
Keras where TensorFlow is installed, else (or with --runtime exported) its
bundled TFLite export runs in LiteRT: the runtime install
(pip install magenta_style) has no TensorFlow. --model may also name an
export folder (export.to_tflite or export.to_onnx wrote it). Any image
(--style_image, or a file in --blend) is a style through the model's style
predictor: its embedding is predicted in one pass. --strength S moves each
photo's embedding from its own predicted style (0) to the chosen one (1),
and on to the style's trained intense look (2). --stroke K scales the
strokes (0.5 to 2: K times as large as trained). Both above 1, and any
--stroke, blend points trained for the style (train_controls): the bundled
styles have them; a style predicted from an image has not.

Without --blend, each photo is rendered in every requested style, in batched
passes of at most 512² pixels in all (one style at a time in a larger photo,
where a batch brings no speed; fewer if they do not fit in memory;
rendering.plan), and written as <photo>_<style>.png.
--preserve_colors keeps each photo's colours (style on luminance only). A
photo too small (constants.MIN_IMAGE_SIDE) or too large for the memory is
refused before it is decoded; in a folder it is skipped and listed.
"""

from __future__ import annotations

import os

from absl import flags

from magenta_style import cli, constants
from magenta_style.cli import runtime_flags, style_flags, tf_startup
from magenta_style.cli.runtime_flags import loaded_model
from magenta_style.cli.style_flags import chosen_styles
from magenta_style.errors import MagentaStyleError

flags.DEFINE_string("content", None, "A photo, or a folder of photos.")
flags.DEFINE_string("output_dir", "stylized",
                    "Folder for the stylized images (created if needed).")
flags.DEFINE_integer("max_size", 1024,
                     "Shrink photos whose longer side exceeds this (pixels); "
                     "0 keeps the original size (rendered in tiles where a "
                     "whole pass would pass --max_memory; a photo too large "
                     "even for tiles is refused, with the size that would "
                     "fit).")
flags.DEFINE_bool("tiled", False,
                  "Render layer by layer in tiles of rows, with the whole "
                  "photo's normalization statistics (the same pastiche in "
                  "bounded memory), even where the photo fits whole; "
                  "automatic where it does not.")
flags.DEFINE_float("max_memory", constants.RENDER_MEMORY_GB,
                   "Memory (GB) a render may take: a photo whose whole pass "
                   "needs more is rendered in tiles, which keep as many of "
                   "their features in memory as this leaves room for (the "
                   "rest in --scratch_dir). 0: all that is available.",
                   lower_bound=0.0)
flags.DEFINE_string("scratch_dir", None,
                    "Folder for the feature files of tiled renders "
                    "(default: the system's temporary folder).")
flags.DEFINE_enum("format", "png", ["png", "jpg", "webp"], "Output format.")
flags.DEFINE_bool("preserve_colors", False,
                  "Keep each photo's colours: the pastiche's luminance with "
                  "the photo's chrominance (Gatys et al. 2016, YIQ).")
flags.register_validator(
    "max_size", lambda size: size == 0 or size >= constants.MIN_IMAGE_SIDE,
    f"must be 0 or at least {constants.MIN_IMAGE_SIDE} (pixels)")
flags.adopt_module_key_flags(runtime_flags)
flags.adopt_module_key_flags(style_flags)
FLAGS = flags.FLAGS


def content_files(content: str) -> list[str]:
    """The photo, or the photos of a folder (an empty folder is an error)."""
    from magenta_style.imaging.folders import list_images

    if os.path.isdir(content):
        files = list_images(content)
        cli.require(bool(files),
                    f"no images ({constants.IMAGE_KINDS}) in {content}")
        return files
    cli.require(os.path.isfile(content), f"content not found: {content}")
    return [content]


def main(argv) -> None:
    del argv
    cli.require(FLAGS.content is not None, "--content is required")
    cli.require(bool(FLAGS.output_dir), "--output_dir must not be empty")
    files = content_files(FLAGS.content)
    output_dir = cli.writable_dir(FLAGS.output_dir)
    with tf_startup.quiet():
        stylize_files(files, output_dir)


def stylize_files(files: list[str], output_dir: str) -> None:
    """Renders each photo of ``files`` as the flags ask, into
    ``output_dir``; a photo that cannot be read is skipped (and listed)
    where there are several."""
    from magenta_style.imaging.images import ImageFile, save_rows
    from magenta_style.rendering.plan import plan_render
    from magenta_style.runtime.contract import READ_SIDE

    model = loaded_model()
    styles, labels = chosen_styles(model)

    written, skipped = 0, []
    for number, path in enumerate(files, 1):
        try:
            with ImageFile(path) as photo:
                plan = plan_render(photo.size, FLAGS.max_size or None,
                                   model.network, len(styles), path,
                                   tiled=FLAGS.tiled,
                                   budget=int(FLAGS.max_memory * 1e9) or None,
                                   can_tile=model.renders_tiles)
                image = (photo.row_reader(plan.size) if plan.tiled
                         else photo.read(plan.size))
        except MagentaStyleError as error:
            if len(files) == 1:
                raise
            print(f"skipped: {error}", flush=True)
            skipped.append(os.path.basename(path))
            continue
        stem = os.path.splitext(os.path.basename(path))[0]
        # A tiled photo's preview only where strength needs its own style
        # (resizing a 400 MP photo costs seconds).
        own = image if not plan.tiled else (
            image.preview(READ_SIDE) if FLAGS.strength < 1 else None)
        embeddings = model.target_embeddings(own, styles, FLAGS.strength,
                                             FLAGS.stroke)
        for label, rows in zip(labels, model.render_rows(
                image, embeddings, plan, FLAGS.preserve_colors,
                FLAGS.scratch_dir)):
            save_rows(rows, plan.size,
                      os.path.join(output_dir, f"{stem}_{label}.{FLAGS.format}"))
            written += 1
        passes = ("" if plan.per_pass >= len(styles)
                  else f", {plan.per_pass} at a time")
        print(f"[{number}/{len(files)}] {os.path.basename(path)} "
              f"{plan.description}: {len(styles)} image(s){passes}",
              flush=True)
    if not written:
        raise MagentaStyleError(f"no usable image in {FLAGS.content}: "
                                f"skipped {', '.join(skipped)}")
    print(f"wrote {written} image(s) to {output_dir}"
          + (f"; skipped {len(skipped)}: {', '.join(skipped)}"
             if skipped else ""), flush=True)


console_main = cli.entry_point(main, tensorflow=False)  # the console script (setup.py)


if __name__ == "__main__":
    console_main()
