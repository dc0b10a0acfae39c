r"""Exports a trained model to TFLite with its style manifest and a report.

  python -m export.to_tflite --model DIR --output_dir DIR \
      [--quantize float16] [--representative_dir PHOTOS] [--eval_dir PHOTOS] \
      [--android_assets android_demo/app/src/main/assets] \
      [--style_files a.style.json,b.style.json] [--web_demo web_demo]

Without --model it exports the bundled fast network
(constants.DEVICE_MODEL_NAME). Writes model.tflite, styles.json
(+ thumbnails/) and fidelity_report.json.
--web_demo writes a second model.tflite, fixed at --web_size² (LiteRT.js runs
no resizable inputs), with its styles.json and thumbnails for the web page.
With --web_demo or --android_assets, every folder also gets
camera_model.tflite, the network the page's and the app's camera modes film
with (--camera_model: by default the bundled video network, whose strokes
follow motion, when --model is not given).
Files are staged and renamed into place: a failed export leaves old files.
"""

from __future__ import annotations

import json

from absl import flags

from magenta_style import cli, constants
from magenta_style.cli import export_flags, model_flags
from magenta_style.cli.export_flags import square_sizes
from magenta_style.runtime import contract
from magenta_style.runtime.contract import (
    CALIBRATED_MODES,
    MODES,
    predictor_mode,
)

# float16 by default: on a trained model it stays within ~90 dB of Keras at
# half the size; dynamic (a quarter) loses up to 0.3 at some pixels (README).
flags.DEFINE_enum("quantize", "float16", list(MODES),
                  "float32; float16 weights; dynamic: int8 weights, float "
                  "activations; int8: full integer; mixed: integer "
                  "convolutions with float normalization.")
flags.DEFINE_enum("predictor_quantize", None, list(contract.PREDICTOR_MODES),
                  "Mode of predictor.tflite (default: float32 with a float32 "
                  "model, else float16). dynamic halves it; measure its "
                  "report first (runtime.contract.predictor_mode).")
flags.DEFINE_string("representative_dir", None,
                    "Photos to calibrate int8/mixed activation ranges.")
flags.DEFINE_integer("representative_count", 16,
                     "How many representative photos to use at most.")
flags.DEFINE_integer("default_size", contract.DEFAULT_SIZE,
                     "Default square input size the manifest suggests (px).")
flags.DEFINE_string("android_assets", None,
                    "Also copy the model and manifest to this folder "
                    "(the demo's android_demo/app/src/main/assets).")
flags.DEFINE_string("web_demo", None,
                    "Also write a fixed-size model, styles.json and "
                    "thumbnails/ for the web page to this folder (web_demo).")
flags.DEFINE_string("camera_model", None,
                    "With --web_demo or --android_assets: the model whose "
                    "network the page's and the app's camera modes render "
                    "with, holding --model's styles in a steadier network "
                    "(magenta_style.stabilize's output). Default: the "
                    f"bundled '{constants.VIDEO_MODEL_NAME}' network where "
                    "--model is not given, else none (the camera films "
                    "with --model).")
flags.DEFINE_integer("web_size", 512,
                     "Square content size (px) of the --web_demo model; the "
                     "page crops and scales every photo to it.")
flags.DEFINE_list("style_files", [],
                  "Style files (.style.json, from python -m "
                  "magenta_style.styles --export) to append to styles.json; "
                  "each must fit the model's embedding size.")
flags.register_multi_flags_validator(
    ["quantize", "representative_dir"],
    lambda values: values["quantize"] not in CALIBRATED_MODES
    or values["representative_dir"] is not None,
    "--quantize int8 and mixed need --representative_dir (photos to "
    "calibrate the activation ranges)")
flags.adopt_module_key_flags(model_flags)
flags.adopt_module_key_flags(export_flags)
FLAGS = flags.FLAGS

REPORT_FILE = "fidelity_report.json"


def fixed_size_manifest(styles_json: dict, size: int) -> dict:
    """The manifest with every resizable [1, -1, -1, 3] image shape fixed at
    [1, size, size, 3], as in a model converted with a fixed size."""
    def fixed(tensors: dict) -> dict:
        return {key: ({**value, "shape": [1, size, size, 3]}
                      if value["shape"] == [1, -1, -1, 3] else value)
                for key, value in tensors.items()}

    return {**styles_json, "default_size": [size, size],
            "inputs": fixed(styles_json["inputs"]),
            "outputs": fixed(styles_json["outputs"])}


def same_styles(model, camera, name: str):
    """``camera`` where it holds ``model``'s styles (names and embeddings)
    in the same embedding layout; a one-line error otherwise."""
    import numpy as np

    cli.require(camera.network == model.network
                and camera.style_names == model.style_names
                and np.array_equal(camera.style_rows(), model.style_rows()),
                f"--camera_model {name} does not hold the exported model's "
                "styles in the same network layout: give a model stabilized "
                "from it (python -m magenta_style.stabilize)")
    return camera


def main(argv) -> None:
    del argv
    cli.require(FLAGS.output_dir is not None or FLAGS.web_demo is not None,
                "--output_dir (or --web_demo) is required")
    cli.require(FLAGS.output_dir is not None or not FLAGS.android_assets,
                "--android_assets needs --output_dir")
    cli.require(FLAGS.camera_model is None or FLAGS.web_demo
                or FLAGS.android_assets,
                "--camera_model needs --web_demo or --android_assets (the "
                "devices' camera modes film with it)")
    report_sizes = square_sizes(FLAGS.report_sizes, "report_sizes")
    latency_sizes = square_sizes(FLAGS.latency_sizes, "latency_sizes")
    square_sizes([str(FLAGS.default_size)], "default_size")
    square_sizes([str(FLAGS.web_size)], "web_size")
    for folder in (FLAGS.output_dir, FLAGS.android_assets, FLAGS.web_demo):
        if folder:
            cli.writable_dir(folder, create=False)

    from export import convert, fidelity, manifest
    from export.calibration import representative_data
    from magenta_style.imaging.files import write_files
    from magenta_style.imaging.folders import sample_images
    from magenta_style.network.model import load_model

    model = load_model(FLAGS.model or constants.DEVICE_MODEL_NAME,
                       vgg_weights=FLAGS.vgg_weights)
    camera = None
    camera_name = FLAGS.camera_model or (
        None if FLAGS.model else constants.VIDEO_MODEL_NAME)
    if camera_name and (FLAGS.web_demo or FLAGS.android_assets):
        camera = same_styles(model, load_model(camera_name), camera_name)
    mode_of_predictor = (FLAGS.predictor_quantize
                         or predictor_mode(FLAGS.quantize))
    styles_json = manifest.build_manifest(
        model, FLAGS.quantize, (FLAGS.default_size,) * 2, mode_of_predictor,
        camera_model=camera is not None)
    for path in FLAGS.style_files:  # checked before the slow conversion
        styles_json = manifest.add_style_file(styles_json, path)
    representative = None
    if FLAGS.representative_dir:
        representative = representative_data(
            model, sample_images(FLAGS.representative_dir,
                                 FLAGS.representative_count))
    eval_dir = FLAGS.eval_dir or FLAGS.representative_dir
    eval_photos = sample_images(eval_dir, FLAGS.eval_count) if eval_dir else []

    app_files = [contract.MODEL_FILE, contract.MANIFEST_FILE]
    if manifest.thumbnails(model):
        app_files.append(contract.THUMBNAIL_DIR)
    predictor_file = {}
    if model.has_predictor:
        print(f"converting the style predictor ({mode_of_predictor}) ...",
              flush=True)
        predictor_file = {contract.PREDICTOR_FILE: convert.convert_predictor(
            model.predictor, mode_of_predictor)}
        app_files.append(contract.PREDICTOR_FILE)
    if camera is not None:
        app_files.append(contract.CAMERA_MODEL_FILE)

    def app_contents(flatbuffer: bytes, styles: dict,
                     fixed_size: int | None = None) -> dict[str, bytes]:
        """A device folder's files: the model ``flatbuffer``, the manifest
        ``styles``, the predictor, the thumbnails and the camera network
        (converted here, fixed at ``fixed_size`` where given)."""
        camera_file = {}
        if camera is not None:
            print("converting the camera network ...", flush=True)
            camera_file[contract.CAMERA_MODEL_FILE] = convert.convert(
                camera.transformer, FLAGS.quantize, representative,
                FLAGS.default_size, fixed_size)
        return {contract.MODEL_FILE: flatbuffer,
                contract.MANIFEST_FILE: json.dumps(styles, indent=1).encode(),
                **predictor_file, **camera_file,
                **manifest.thumbnails(model)}

    if FLAGS.output_dir:
        print(f"converting ({FLAGS.quantize}) ...", flush=True)
        flatbuffer = convert.convert(model.transformer, FLAGS.quantize,
                                     representative, FLAGS.default_size)
        print("measuring fidelity and latency ...", flush=True)
        report = {
            **fidelity.report(
                model, flatbuffer, FLAGS.quantize,
                predictor_file.get(contract.PREDICTOR_FILE),
                mode_of_predictor, eval_photos, report_sizes, latency_sizes,
                FLAGS.latency_runs, FLAGS.threads),
            "ops": sorted(convert.op_names(flatbuffer))}
        files = {REPORT_FILE: json.dumps(report, indent=1).encode(),
                 **app_contents(flatbuffer, styles_json)}
        write_files(files, [REPORT_FILE] + app_files, FLAGS.output_dir)
        if FLAGS.android_assets:
            write_files(files, app_files, FLAGS.android_assets)
        print(fidelity.format_table(report))
        print(f"exported to {FLAGS.output_dir}"
              + (f" and {FLAGS.android_assets}" if FLAGS.android_assets
                 else ""), flush=True)
    if FLAGS.web_demo:
        size = FLAGS.web_size
        print(f"converting the web model ({FLAGS.quantize}, {size}²) ...",
              flush=True)
        web_flatbuffer = convert.convert(model.transformer, FLAGS.quantize,
                                         representative, fixed_size=size)
        write_files(app_contents(web_flatbuffer,
                                 fixed_size_manifest(styles_json, size),
                                 fixed_size=size),
                    app_files, FLAGS.web_demo)
        print(f"web demo files written to {FLAGS.web_demo}; try it with: "
              f"python -m http.server -d {FLAGS.web_demo}", flush=True)


console_main = cli.entry_point(main)  # the console script (setup.py)


if __name__ == "__main__":
    console_main()
