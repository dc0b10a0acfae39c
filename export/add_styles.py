r"""Adds style files to an exported manifest, without re-exporting the model.

  python -m export.add_styles --manifest EXPORT_DIR/styles.json \
      --style_files a.style.json[,b.style.json]

Each style must fit the exported model (same embedding size, architecture and alpha) and
have a new name; styles.json is rewritten atomically, or not at all.
"""

from __future__ import annotations

import os

from absl import flags

from magenta_style import cli

flags.DEFINE_string("manifest", None,
                    "styles.json of an export (or the export folder).")
flags.DEFINE_list("style_files", None, "Style files (.style.json) to append.")
FLAGS = flags.FLAGS


def main(argv) -> None:
    del argv
    cli.require(FLAGS.manifest is not None, "--manifest is required")
    cli.require(bool(FLAGS.style_files), "--style_files is required")
    from export import manifest
    from magenta_style.runtime import contract

    path = FLAGS.manifest
    if os.path.isdir(path):
        path = os.path.join(path, contract.MANIFEST_FILE)
    result = manifest.add_style_files(path, FLAGS.style_files)
    print(f"{path}: {len(result['styles'])} styles (added "
          f"{', '.join(s['name'] for s in result['styles'][-len(FLAGS.style_files):])})",
          flush=True)


console_main = cli.entry_point(main)  # the console script (setup.py)


if __name__ == "__main__":
    console_main()
