"""Which precision the network computes in, on this machine.

A model's variables are float32 whatever it computes in; a copy built under
another Keras dtype policy has exactly the same weights. bfloat16 pays off
only where the CPU has bfloat16 arithmetic (AVX-512 BF16 or AMX); elsewhere
TensorFlow emulates it, slower than float32.
"""

from __future__ import annotations

import keras

# CPU feature flags (Linux /proc/cpuinfo) that run bfloat16 matmuls and
# convolutions natively: AVX-512 BF16 and AMX.
BFLOAT16_CPU_FLAGS = ("avx512_bf16", "amx_bf16")
# What stylizing may compute in: Keras dtype policies.
INFERENCE_POLICIES = {"float32": "float32", "bfloat16": "mixed_bfloat16"}


def cpu_runs_bfloat16() -> bool:
    """Whether this CPU has native bfloat16 arithmetic (Linux only)."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((l for l in f if l.startswith("flags")), "").split()
    except OSError:
        return False
    return any(flag in flags for flag in BFLOAT16_CPU_FLAGS)


def inference_precision(requested: str) -> str:
    """"float32" or "bfloat16" for ``requested`` ("auto": bfloat16 where the
    CPU runs it natively)."""
    if requested == "auto":
        return "bfloat16" if cpu_runs_bfloat16() else "float32"
    if requested not in INFERENCE_POLICIES:
        raise ValueError(f"precision must be auto, float32 or bfloat16, "
                         f"got {requested!r}")
    return requested


def copy_with_policy(model: keras.Model, policy: str) -> keras.Model:
    """The same model (same class, config and weights) built under the Keras
    dtype policy ``policy``."""
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(policy)
    try:
        config = {k: v for k, v in model.get_config().items()
                  if k not in ("name", "dtype", "trainable")}
        copy = type(model)(**config)
    finally:
        keras.mixed_precision.set_global_policy(previous)
    copy.set_weights(model.get_weights())
    return copy
