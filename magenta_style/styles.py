r"""The style library of a trained model: list, rename, remove, export, import.

  python -m magenta_style.styles --model DIR [--list]
  python -m magenta_style.styles --model DIR --rename old=new [--output OUT]
  python -m magenta_style.styles --model DIR --remove name [--output OUT]
  python -m magenta_style.styles --model DIR --export name [--to FILE]
  python -m magenta_style.styles --model DIR --import FILE [--as NEWNAME]
  python -m magenta_style.styles --model DIR --add_image IMG [--as NAME]
  python -m magenta_style.styles --model DIR --credit NAME --artist A --title T

--add_image stores the embedding that the model's style predictor gives an
image as a new style (no training; recorded as trained_by: predicted); with
--controls_photos DIR it then trains the style's stroke and intensity points
on those photos (train_controls' three runs at its defaults: about 25
minutes for the fast network, 36 for the full one on 2 CPU cores; the runs'
folder, OUTPUT.controls, resumes if interrupted).
--credit records the artist and title of a style's painting (listed, and
carried into style files and the export's styles.json).
--rename, --remove, --import, --add_image and --credit rewrite the model
atomically in place, or write the result to --output (a .keras file or a
folder) and keep the model.
--export writes NAME.style.json (float16 embedding, a few KB); --import
accepts such a file from a copy of the same network (same alpha).
"""

from __future__ import annotations

from absl import flags

from magenta_style import cli
from magenta_style.cli import model_flags

flags.DEFINE_bool("list", False, "List the styles (the default action).")
flags.DEFINE_string("rename", None, "Rename a style: 'old=new'.")
flags.DEFINE_string("remove", None, "Remove the style of this name.")
flags.DEFINE_string("export", None,
                    "Export the style of this name as a .style.json file.")
flags.DEFINE_string("to", None,
                    "File for --export (default: NAME.style.json here).")
flags.DEFINE_string("import", None,
                    "Import a .style.json file into the model.")
flags.DEFINE_string("add_image", None,
                    "Add a style predicted from this image (needs a model "
                    "with a style predictor).")
flags.DEFINE_string("controls_photos", None,
                    "With --add_image: train the new style's stroke and "
                    "intensity points on the photos of this folder.")
flags.DEFINE_string("as", None, "Name for the imported or added style "
                    "(default: the name in the file, or the image's file "
                    "name without extension).")
flags.DEFINE_string("credit", None,
                    "Record --artist and/or --title for the style of this "
                    "name.")
flags.DEFINE_string("artist", None, "Artist of the --credit style's painting.")
flags.DEFINE_string("title", None, "Title of the --credit style's painting.")
flags.DEFINE_string("output", None,
                    "Write the changed model here (a .keras file or a folder) "
                    "instead of replacing --model.")
flags.adopt_module_key_flags(model_flags)
FLAGS = flags.FLAGS

_ACTIONS = ("list", "rename", "remove", "export", "import", "add_image",
            "credit")
_CHANGES = ("rename", "remove", "import", "add_image", "credit")


def main(argv) -> None:
    del argv
    chosen = [a for a in _ACTIONS if FLAGS[a].value]
    cli.require(len(chosen) <= 1,
                "give one action, not "
                + " and ".join("--" + a for a in chosen))
    action = chosen[0] if chosen else "list"
    cli.require(FLAGS.to is None or action == "export",
                "--to goes with --export")
    cli.require(FLAGS["as"].value is None or action in ("import",
                                                         "add_image"),
                "--as goes with --import or --add_image")
    cli.require(FLAGS.output is None or action in _CHANGES,
                "--output goes with " + ", ".join(f"--{a}" for a in _CHANGES))
    cli.require(FLAGS.controls_photos is None or action == "add_image",
                "--controls_photos goes with --add_image")
    cli.require((FLAGS.artist is None and FLAGS.title is None)
                or action == "credit", "--artist and --title go with --credit")
    cli.require(action != "credit" or FLAGS.artist is not None
                or FLAGS.title is not None,
                "--credit needs --artist or --title")
    cli.require(FLAGS.model is not None or FLAGS.output is not None
                or action in ("list", "export"),
                f"--{action} needs --model (or --output: the model shipped "
                "with the package is not changed in place)")
    if action == "rename":
        old, sep, new = FLAGS.rename.partition("=")
        cli.require(bool(sep and old and new),
                    f"--rename must be 'old=new', got '{FLAGS.rename}'")

    from magenta_style.network.model import load_model, model_file
    from magenta_style.stylebook import style_file, table

    path = model_file(FLAGS.model) if FLAGS.model else None
    # path None: the model shipped with the package
    model = load_model(path, vgg_weights=FLAGS.vgg_weights)
    if action == "list":
        print(table.format_styles(model))
        return
    if action == "export":
        document = style_file.export_style(model, FLAGS.export)
        target = FLAGS.to or document["name"] + style_file.EXTENSION
        style_file.write_style_file(document, target)
        print(f"exported '{document['name']}' to {target}", flush=True)
        return
    if action == "rename":
        changed = table.rename_style(model, old, new)
        done = f"renamed '{old}' to '{new}'"
    elif action == "remove":
        changed = table.remove_style(model, FLAGS.remove)
        done = f"removed '{FLAGS.remove}'"
    elif action == "credit":
        changed = table.credit_style(model, FLAGS.credit, FLAGS.artist,
                                     FLAGS.title)
        done = f"credited '{FLAGS.credit}'"
    elif action == "add_image":
        changed = add_image(model, FLAGS.add_image, FLAGS["as"].value)
        done = (f"added '{changed.style_names[-1]}', predicted from "
                f"{FLAGS.add_image}")
        if FLAGS.controls_photos:
            changed = add_controls(changed, FLAGS.add_image,
                                   FLAGS.controls_photos,
                                   (FLAGS.output or path) + ".controls")
            done += ", with stroke and intensity points"
    else:
        style = style_file.read_style_file(FLAGS["import"].value)
        changed = table.import_style(model, style, FLAGS["as"].value)
        done = (f"imported '{changed.style_names[-1]}' from "
                f"{FLAGS['import'].value} (embedding rounded to float16)")
    target = table.output_file(FLAGS.output) if FLAGS.output else path
    table.save_model(changed, target)
    print(f"{done}; wrote {target} ({changed.num_styles} styles)", flush=True)


def add_image(model, path: str, name: str | None):
    """``model`` plus the style its predictor gives the image at ``path``."""
    from magenta_style.imaging.folders import style_name
    from magenta_style.runtime.contract import read_style_image
    from magenta_style.stylebook import table

    image = read_style_image(path)
    name = name or style_name(path)
    table.check_new_style_names(model, [name])
    info = table.style_record(path, image, "predicted", 0)
    embedding = model.predict_embeddings([image])
    return table.add_new_styles(model, [name], [info], embedding)


def add_controls(model, image_path: str, photos: str, runs_dir: str):
    """``model`` with the stroke and intensity points of its last style (the
    painting at ``image_path``), trained on the photos of ``photos``."""
    import tensorflow as tf

    from magenta_style.training.controls import (
        control_config,
        train_control_points,
    )
    from magenta_style.training.pipeline import PhotoFolder

    return train_control_points(
        model, [model.style_names[-1]], [image_path],
        control_config(FLAGS.vgg_weights), PhotoFolder(photos),
        cli.writable_dir(runs_dir), tf.distribute.get_strategy())


console_main = cli.entry_point(main)  # the console script (setup.py)


if __name__ == "__main__":
    console_main()
