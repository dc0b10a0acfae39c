"""The flags of the tools that render with a trained model in Keras or from
its export (--runtime, --threads, and --model, --precision, --vgg_weights),
and the model they name (runtime.choice decides the runtime)."""

from __future__ import annotations

from absl import flags

from magenta_style.cli import model_flags, precision_flags, tf_startup
from magenta_style.runtime.choice import RUNTIMES

flags.adopt_module_key_flags(model_flags)
flags.adopt_module_key_flags(precision_flags)
flags.DEFINE_enum("runtime", "auto", list(RUNTIMES),
                  "keras: the .keras model in TensorFlow (any --precision, "
                  "tiles for huge photos). exported: the model's export in "
                  "LiteRT (.tflite) or onnxruntime (.onnx), float32, no "
                  "TensorFlow needed. auto: an export folder as exported, "
                  "else keras where TensorFlow is installed, else the "
                  "bundled export.")
flags.DEFINE_integer("threads", 2, "CPU threads of the exported runtime.",
                     lower_bound=1)
FLAGS = flags.FLAGS


def loaded_model(default: str | None = None):
    """The --model (else ``default``, else the package's default) in the
    --runtime that renders it; TensorFlow starts only for Keras. Prints a
    first line that says which runtime and precision."""
    from magenta_style.runtime.choice import chosen_runtime

    path = FLAGS.model or default
    if chosen_runtime(path, FLAGS.runtime) == "keras":
        tf_startup.start()
        from magenta_style.network.model import load_model

        model = load_model(path, FLAGS.precision, FLAGS.vgg_weights)
        print(f"precision: {model.transformer.dtype_policy.compute_dtype}",
              flush=True)
        return model
    from magenta_style.runtime.exported_model import load_exported_model

    model = load_exported_model(path, FLAGS.threads)
    print(f"runtime: {model.description}", flush=True)
    return model
