r"""Exports a trained model to ONNX with its style manifest and a report.

  python -m export.to_onnx --model NAME_OR_PATH --output_dir DIR \
      [--eval_dir PHOTOS] [--report_sizes 256,512] [--latency_sizes 512,1024]

Without --model it exports the default bundled model
(constants.DEFAULT_MODEL_NAME). Writes model.onnx (inputs ``content``
[B, H, W, 3] in [0, 1], any B, H and W, and ``style_embedding`` [B, D];
output ``stylized``), predictor.onnx if the model has a style predictor,
styles.json (the same manifest as the TFLite export's, naming the .onnx
files) and fidelity_report.json (onnxruntime against Keras). The weights
stay float32. The folder runs with ``python -m magenta_style.stylize --model
DIR`` wherever onnxruntime is installed (pip install "magenta_style[onnx]").
Files are staged and renamed into place: a failed export leaves old files.
"""

from __future__ import annotations

import json

from absl import flags

from magenta_style import cli, constants
from magenta_style.cli import export_flags, model_flags
from magenta_style.cli.export_flags import square_sizes
from magenta_style.runtime import contract

flags.adopt_module_key_flags(model_flags)
flags.adopt_module_key_flags(export_flags)
FLAGS = flags.FLAGS

REPORT_FILE = "fidelity_report.json"
# ONNX files hold float32 weights (export.convert_onnx).
QUANTIZATION = "float32"


def main(argv) -> None:
    del argv
    cli.require(FLAGS.output_dir is not None, "--output_dir is required")
    report_sizes = square_sizes(FLAGS.report_sizes, "report_sizes")
    latency_sizes = square_sizes(FLAGS.latency_sizes, "latency_sizes")
    cli.writable_dir(FLAGS.output_dir, create=False)

    from export import convert_onnx, fidelity, manifest
    from magenta_style.imaging.files import write_files
    from magenta_style.imaging.folders import sample_images
    from magenta_style.network.model import load_model

    model = load_model(FLAGS.model or constants.DEFAULT_MODEL_NAME,
                       vgg_weights=FLAGS.vgg_weights)
    eval_photos = (sample_images(FLAGS.eval_dir, FLAGS.eval_count)
                   if FLAGS.eval_dir else [])
    print("converting the transformer ...", flush=True)
    files = {contract.MODEL_FILES["onnx"]:
             convert_onnx.convert_transformer(model.transformer)}
    if model.has_predictor:
        print("converting the style predictor ...", flush=True)
        files[contract.PREDICTOR_FILES["onnx"]] = (
            convert_onnx.convert_predictor(model.predictor))
    styles_json = manifest.build_manifest(
        model, QUANTIZATION, (contract.DEFAULT_SIZE,) * 2, QUANTIZATION,
        model_format="onnx")
    print("measuring fidelity and latency ...", flush=True)
    report = fidelity.report(
        model, files[contract.MODEL_FILES["onnx"]], QUANTIZATION,
        files.get(contract.PREDICTOR_FILES["onnx"]), QUANTIZATION,
        eval_photos, report_sizes, latency_sizes, FLAGS.latency_runs,
        FLAGS.threads)
    files.update({
        contract.MANIFEST_FILE: json.dumps(styles_json, indent=1).encode(),
        REPORT_FILE: json.dumps(report, indent=1).encode(),
        **manifest.thumbnails(model)})
    names = list(files)
    if manifest.thumbnails(model):
        names = [n for n in names if not n.startswith(
            contract.THUMBNAIL_DIR + "/")] + [contract.THUMBNAIL_DIR]
    write_files(files, names, FLAGS.output_dir)
    print(fidelity.format_table(report))
    print(f"exported to {FLAGS.output_dir}", flush=True)


console_main = cli.entry_point(main)  # the console script (setup.py)


if __name__ == "__main__":
    console_main()
