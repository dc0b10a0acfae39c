"""Which precision the network computes in: one vocabulary for training and
stylizing, and the one rule for "auto".

A model's variables are float32 whatever it computes in; a copy built under
another Keras dtype policy has exactly the same weights. bfloat16 pays off
only where the hardware has bfloat16 arithmetic (AVX-512 BF16 or AMX CPUs,
GPUs from Ampere on, TPUs); on a CPU without it TensorFlow emulates it,
slower than float32. Which devices exist is read from TensorFlow, which
must not have started its runtime yet when a strategy is still to be made.
The vocabulary needs no TensorFlow (flag modules read it before --help);
the functions import it when called.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Iterator

if TYPE_CHECKING:
    import keras
    import tensorflow as tf

# What the tools accept: "auto" or what the network computes in.
PRECISIONS = ("auto", "float32", "bfloat16", "float16")
# The Keras dtype policy of each (the 16-bit ones keep float32 variables).
POLICIES = {"float32": "float32", "bfloat16": "mixed_bfloat16",
            "float16": "mixed_float16"}
# Names that runs recorded before this vocabulary (train_config.json).
LEGACY_NAMES = {"mixed_bfloat16": "bfloat16", "mixed_float16": "float16"}
# CPU feature flags (Linux /proc/cpuinfo) that run bfloat16 matmuls and
# convolutions natively: AVX-512 BF16 and AMX.
BFLOAT16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")
# GPUs from Ampere (compute capability 8.0) on compute in bfloat16.
BFLOAT16_GPU_CAPABILITY = (8, 0)
_CPUINFO = "/proc/cpuinfo"


def cpu_runs_bfloat16() -> bool:
    """Whether this CPU has native bfloat16 arithmetic (Linux only)."""
    try:
        with open(_CPUINFO) as f:
            flags = next((l for l in f if l.startswith("flags")), "").split()
    except OSError:
        return False
    return any(flag in flags for flag in BFLOAT16_CPU_FLAGS)


def resolve_precision(requested: str,
                      strategy: tf.distribute.Strategy | None = None) -> str:
    """"float32", "bfloat16" or "float16" for ``requested`` (one of
    PRECISIONS or LEGACY_NAMES).

    auto: bfloat16 on TPUs, on GPUs of compute capability ≥ 8.0 and on CPUs
    with AVX-512 BF16 or AMX; float16 on older GPUs; float32 otherwise.
    """
    import tensorflow as tf

    requested = LEGACY_NAMES.get(requested, requested)
    if requested != "auto":
        if requested not in POLICIES:
            raise ValueError(f"precision must be one of "
                             f"{', '.join(PRECISIONS)}, got {requested!r}")
        return requested
    if isinstance(strategy, tf.distribute.TPUStrategy):
        return "bfloat16"
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        capability = tf.config.experimental.get_device_details(gpus[0]).get(
            "compute_capability", (0, 0))
        return ("bfloat16" if tuple(capability) >= BFLOAT16_GPU_CAPABILITY
                else "float16")
    return "bfloat16" if cpu_runs_bfloat16() else "float32"


@contextlib.contextmanager
def global_policy(policy: str) -> Iterator[None]:
    """Keras' global dtype policy set to ``policy`` inside the block (what
    models built there compute in) and given back after it, so that a
    training run leaves its caller's policy as it found it. Not thread-safe:
    the policy is one global of the process."""
    import keras

    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(policy)
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(previous)


def copy_with_policy(model: keras.Model, policy: str) -> keras.Model:
    """The same model (same class, config and weights) built under the Keras
    dtype policy ``policy``."""
    with global_policy(policy):
        config = {k: v for k, v in model.get_config().items()
                  if k not in ("name", "dtype", "trainable")}
        copy = type(model)(**config)
    copy.set_weights(model.get_weights())
    return copy
