r"""The runtime-only install (pip install magenta_style, no extras): its size,
the start of stylize, and the README's first command against Keras.

  python -m benchmarks.runtime_install [--content DIR] [--runs 5]

Builds a new virtualenv in a temporary folder, installs the checkout into it
without extras, and prints: the size of its site-packages (``du``, with and
without the venv's own pip and setuptools) and of its largest packages; the
median wall time of ``stylize --help`` there; the README's first command
(every evaluation photo in every style of the default model, up to 1024 px)
run there, timed; and the PSNR of those pastiches against the Keras path of
this environment (which needs the [train] extra) at the same sizes. The
CPU model is printed first.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

from absl import app, flags

from benchmarks import DATA, cpu_model

flags.DEFINE_string("content", os.path.join(DATA, "content"),
                    "Photos of the README's first command.")
flags.DEFINE_integer("runs", 5, "Timed runs of stylize --help (median).")
FLAGS = flags.FLAGS

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def folder_bytes(path: str) -> int:
    """Bytes of the files under ``path`` (``du -sb``)."""
    return int(subprocess.run(["du", "-sb", path], capture_output=True,
                              text=True, check=True).stdout.split()[0])


def timed(command: list[str], **kwargs) -> float:
    """Wall seconds of a command that must succeed."""
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, **kwargs)
    return time.perf_counter() - start


def main(argv) -> None:
    del argv
    import numpy as np

    from magenta_style.imaging.images import ImageFile, open_image
    from magenta_style.measurement import psnr
    from magenta_style.network.model import load_model

    print(f"CPU: {cpu_model()}", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        venv = os.path.join(scratch, "venv")
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        python = os.path.join(venv, "bin", "python")
        seconds = timed([python, "-m", "pip", "install", "--quiet", REPO])
        print(f"pip install (no extras): {seconds:.0f} s", flush=True)
        site = subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()"
             "['purelib'])"], capture_output=True, text=True,
            check=True).stdout.strip()
        sizes = {name: folder_bytes(os.path.join(site, name))
                 for name in os.listdir(site)}
        total = folder_bytes(site)
        venv_own = sum(size for name, size in sizes.items()
                       if name.split("-")[0] in ("pip", "setuptools",
                                                 "pkg_resources",
                                                 "_distutils_hack"))
        print(f"site-packages: {total / 2**20:.0f} MiB; without the venv's "
              f"own pip and setuptools: {(total - venv_own) / 2**20:.0f} MiB")
        for name, size in sorted(sizes.items(), key=lambda i: -i[1])[:8]:
            print(f"  {name:<28} {size / 2**20:6.1f} MiB")
        tensorflow = subprocess.run(
            [python, "-c", "import importlib.util as u; "
             "print(u.find_spec('tensorflow') is None)"],
            capture_output=True, text=True, cwd=scratch).stdout.strip()
        print(f"TensorFlow absent: {tensorflow}")
        helps = [timed([python, "-m", "magenta_style.stylize", "--help"],
                       cwd=scratch) for _ in range(FLAGS.runs)]
        print(f"stylize --help: median {statistics.median(helps):.2f} s "
              f"({FLAGS.runs} runs)", flush=True)
        out = os.path.join(scratch, "stylized")
        seconds = timed([python, "-m", "magenta_style.stylize", "--content",
                         FLAGS.content, "--output_dir", out], cwd=scratch)
        written = sorted(os.listdir(out))
        print(f"README's first command, runtime install: {seconds:.1f} s, "
              f"{len(written)} images", flush=True)
        model = load_model()
        psnrs = []
        for photo_file in sorted(os.listdir(FLAGS.content)):
            stem = os.path.splitext(photo_file)[0]
            with ImageFile(os.path.join(FLAGS.content, photo_file)) as photo:
                image = photo.read(_size_of(out, stem, model.style_names[0]))
            pastiches = model.stylize_styles(image)
            for name, pastiche in zip(model.style_names, pastiches):
                lite = open_image(os.path.join(out, f"{stem}_{name}.png"))
                psnrs.append(psnr(lite, np.round(pastiche * 255) / 255))
        print(f"PSNR against Keras ({load_model.__module__}, "
              f"{model.transformer.dtype_policy.compute_dtype}), "
              f"{len(psnrs)} pastiches: min {min(psnrs):.1f} dB, median "
              f"{statistics.median(psnrs):.1f} dB", flush=True)


def _size_of(folder: str, stem: str, style: str) -> tuple[int, int]:
    """(width, height) of a written pastiche."""
    from PIL import Image

    with Image.open(os.path.join(folder, f"{stem}_{style}.png")) as image:
        return image.size


if __name__ == "__main__":
    app.run(main)
