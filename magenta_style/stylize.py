r"""Stylizes photos with a trained model: every style at once, or a blend.

  python -m magenta_style.stylize --content IMG_OR_DIR [--model DIR] \
      [--output_dir stylized] [--styles a,b] [--blend "a=0.7,b=0.3"] \
      [--preserve_colors]

Without --model, the model shipped with the package is used.

Without --blend, each photo is rendered in every requested style in one
batched pass and written as <photo>_<style>.png. --preserve_colors keeps
each photo's colours (style on luminance only).
"""

from __future__ import annotations

import os

from absl import flags

from magenta_style import cli
from magenta_style.errors import MagentaStyleError

flags.DEFINE_string("model", None,
                    "Trained model: a training output folder or its .keras "
                    "file (default: the model shipped with the package).")
flags.DEFINE_string("content", None, "A photo, or a folder of photos.")
flags.DEFINE_string("output_dir", "stylized",
                    "Folder for the stylized images (created if needed).")
flags.DEFINE_list("styles", None,
                  "Styles to render (names or indices); default: all.")
flags.DEFINE_string("blend", None,
                    "One blended image instead: 'name_or_index=weight,...'; "
                    "weights >= 0, normalised to sum 1.")
flags.DEFINE_integer("max_size", 1024,
                     "Shrink photos whose longer side exceeds this (pixels); "
                     "0 keeps the original size.")
flags.DEFINE_enum("format", "png", ["png", "jpg", "webp"], "Output format.")
flags.DEFINE_bool("preserve_colors", False,
                  "Keep each photo's colours: the pastiche's luminance with "
                  "the photo's chrominance (Gatys et al. 2016, YIQ).")
FLAGS = flags.FLAGS


def content_files(content: str) -> list[str]:
    """The photo, or the photos of a folder (an empty folder is an error)."""
    from magenta_style.data import list_images

    if os.path.isdir(content):
        files = list_images(content)
        cli.require(bool(files), f"no images (jpg/png/webp) in {content}")
        return files
    cli.require(os.path.isfile(content), f"content not found: {content}")
    return [content]


def blend_label(blend: dict, style_names: list[str]) -> str:
    """A file-name part such as 'blend_starry_night70_wave30'."""
    total = sum(blend.values())
    parts = []
    for key, weight in blend.items():
        name = style_names[key] if isinstance(key, int) else key
        parts.append(f"{name}{round(100 * weight / total)}")
    return "blend_" + "_".join(parts)


def main(argv) -> None:
    del argv
    cli.require(FLAGS.content is not None, "--content is required")
    cli.require(bool(FLAGS.output_dir), "--output_dir must not be empty")
    cli.require(FLAGS.max_size >= 0, "--max_size must be >= 0")
    cli.require(not (FLAGS.blend and FLAGS.styles),
                "give --styles or --blend, not both")
    blend = cli.parse_blend(FLAGS.blend) if FLAGS.blend else None
    files = content_files(FLAGS.content)
    output_dir = cli.writable_dir(FLAGS.output_dir)

    from magenta_style.color import preserve_colors
    from magenta_style.images import open_image, save_image
    from magenta_style.model import load_model

    model = load_model(FLAGS.model)
    if blend is not None:
        model.style_weights(blend)  # validates names before any work
        labels = [blend_label(blend, model.style_names)]
    else:
        styles = [int(s) if s.isdigit() else s for s in FLAGS.styles or []]
        indices = [model.style_index(s) for s in styles] or list(
            range(model.num_styles))
        labels = [model.style_names[i] for i in indices]

    written = skipped = 0
    for number, path in enumerate(files, 1):
        try:
            image = open_image(path, max_side=FLAGS.max_size or None)
        except MagentaStyleError as error:
            if len(files) == 1:
                raise
            print(f"skipped: {error}", flush=True)
            skipped += 1
            continue
        if blend is not None:
            pastiches = model.stylize(image, blend)[None]
        else:
            pastiches = model.stylize_styles(image, indices)
        stem = os.path.splitext(os.path.basename(path))[0]
        for label, pastiche in zip(labels, pastiches):
            if FLAGS.preserve_colors:
                pastiche = preserve_colors(image, pastiche)
            save_image(pastiche, os.path.join(
                output_dir, f"{stem}_{label}.{FLAGS.format}"))
            written += 1
        print(f"[{number}/{len(files)}] {os.path.basename(path)} "
              f"{image.shape[1]}x{image.shape[0]}: {len(pastiches)} image(s)",
              flush=True)
    if not written:
        raise MagentaStyleError(f"no readable image in {FLAGS.content}")
    print(f"wrote {written} image(s) to {output_dir}"
          + (f"; skipped {skipped} unreadable" if skipped else ""), flush=True)


if __name__ == "__main__":
    cli.run(main)
