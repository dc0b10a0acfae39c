"""magenta_style: fast multi-style neural style transfer for Keras and TFLite."""

from setuptools import find_packages, setup

TRAIN = [
    "tensorflow>=2.16,<2.22",
    "tensorboard",  # fit's TensorBoard callback needs it; TF no longer pulls it in
    "tensorflow-datasets",
    "matplotlib",  # plots of the evaluation and benchmark reports
    "scipy",  # a well-kept L-BFGS(-B) for the optimization method (optimize.py)
    "tf2onnx",  # what Keras' ONNX export runs on TensorFlow (export.to_onnx)
    "onnx",  # reads and mends the exported graph (export.convert_onnx)
]

VIDEO = ["imageio-ffmpeg", "opencv-python-headless"]

setup(
    name="magenta_style",
    version="0.1.0",
    description=("Fast multi-style neural style transfer with conditional "
                 "instance normalization (Dumoulin et al. 2017): stylizing "
                 "on LiteRT or ONNX, TensorFlow/Keras training and exports "
                 "for Android and the web."),
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.10",
    packages=find_packages(include=["magenta_style", "magenta_style.*",
                                    "export", "export.*"]),
    include_package_data=True,
    # The exports only: the bundled .keras files stay out of the wheel
    # (constants.BUNDLED_MODEL_URL), which keeps the runtime install small.
    package_data={"magenta_style": ["pretrained/litert/*/*.*",
                                    "pretrained/litert/*/thumbnails/*"]},
    # What stylizing needs: the bundled models' TFLite exports run in LiteRT
    # (magenta_style.runtime), without TensorFlow.
    install_requires=[
        # The TFLite interpreter (tf.lite.Interpreter is deprecated). 1.4 runs
        # the bundled exports bit for bit as 2.3 does; 2.x adds 25 MB of
        # GPU and NPU libraries (CompiledModel) that this CPU runtime does
        # not use (benchmarks/runtime_install.py).
        "ai-edge-litert>=1.4,<2",
        "numpy",
        "pillow",
        "pypng",  # streams a PNG row by row (Pillow writes whole images only)
        "absl-py",
    ],
    extras_require={
        # Training, fine-tuning, evaluation, the predictor's training, the
        # Keras runtime (tiles, bfloat16) and the exports.
        "train": TRAIN,
        # Exported ONNX models (export.to_onnx) in stylize and the benchmarks.
        "onnx": ["onnxruntime"],
        # stylize_video: FFmpeg in a wheel (a static binary) and OpenCV's
        # optical flow (DIS) for the stabilizer and the warping error.
        "video": VIDEO,
        "dev": TRAIN + VIDEO + ["onnxruntime", "pytest"],
    },
    entry_points={"console_scripts": [
        f"magenta-style-{name.replace('_', '-')}={module}:console_main"
        for name, module in [
            ("train", "magenta_style.train"),
            ("finetune", "magenta_style.finetune"),
            ("train_predictor", "magenta_style.train_predictor"),
            ("train_controls", "magenta_style.train_controls"),
            ("evaluate_predictor", "magenta_style.evaluate_predictor"),
            ("stylize", "magenta_style.stylize"),
            ("stylize_video", "magenta_style.stylize_video"),
            ("stabilize", "magenta_style.stabilize"),
            ("styles", "magenta_style.styles"),
            ("optimize", "magenta_style.optimize"),
            ("evaluate", "magenta_style.evaluate"),
            ("export", "export.to_tflite"),
            ("export_onnx", "export.to_onnx"),
            ("add_styles", "export.add_styles"),
        ]]},
)
