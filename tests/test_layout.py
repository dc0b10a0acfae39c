"""The library's errors name its arguments, never a command's flags, and the
commands translate those arguments into their own flags."""

import ast
import glob
import os

from absl import flags

from magenta_style import cli
from magenta_style.errors import MagentaStyleError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Modules that define flags and main (commands), and the command helpers.
COMMANDS = {"train", "finetune", "train_predictor", "evaluate_predictor",
            "stylize", "stylize_video", "stabilize", "styles", "optimize",
            "evaluate", "distill",
            "to_tflite", "to_onnx", "add_styles", "__main__"}


def library_modules() -> list[str]:
    paths = (glob.glob(os.path.join(ROOT, "magenta_style", "**", "*.py"),
                       recursive=True)
             + glob.glob(os.path.join(ROOT, "export", "*.py")))
    return [p for p in paths
            if os.sep + "cli" + os.sep not in p
            and os.path.splitext(os.path.basename(p))[0] not in COMMANDS]


def raised_texts(path: str) -> list[tuple[int, str]]:
    """(line, text) of every string constant inside a raise statement."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and node.exc is not None:
            for part in ast.walk(node.exc):
                if isinstance(part, ast.Constant) and isinstance(
                        part.value, str):
                    found.append((part.lineno, part.value))
    return found


def test_no_library_error_names_a_flag():
    modules = library_modules()
    assert len(modules) > 40  # the scan sees the library
    offending = [f"{os.path.relpath(path, ROOT)}:{line}: {text!r}"
                 for path in modules for line, text in raised_texts(path)
                 if "--" in text]
    assert not offending, "\n".join(offending)


def test_the_scan_finds_a_flag_in_a_raise(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text('raise ValueError("pass --model DIR")\n')
    assert [text for _, text in raised_texts(str(planted))] == [
        "pass --model DIR"]


def test_commands_write_library_arguments_as_their_flags():
    defined = flags.FlagValues()
    flags.DEFINE_integer("max_size", 1024, "", flag_values=defined)
    error = MagentaStyleError("a longer side of 800 would fit (max_side=800)",
                              arguments=["max_side", "weights"])
    saved, flags.FLAGS = flags.FLAGS, defined
    try:
        message = cli.flag_message(error)
    finally:
        flags.FLAGS = saved
    # --vgg_weights is not a flag of this command: "weights" stays as it is.
    assert message == "a longer side of 800 would fit (--max_size=800)"


def test_the_readme_layout_table_names_every_module():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    table = readme[readme.index("The file tree is the architecture."):]
    table = table[:table.index("\n\n", table.index("| path |"))]
    modules = [p for p in glob.glob(os.path.join(ROOT, "magenta_style", "**",
                                                 "*.py"), recursive=True)
               + glob.glob(os.path.join(ROOT, "export", "*.py"))
               if not p.endswith("__init__.py")]
    assert len(modules) > 40
    missing = [os.path.relpath(p, ROOT) for p in modules
               if f"`{os.path.basename(p)}`" not in table
               and f"{os.path.basename(p)}`" not in table]
    assert not missing, f"README's layout table lacks {missing}"
