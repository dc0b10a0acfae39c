"""Where a step's time goes: TensorFlow profiler traces summed by kind of op.

The profiler records every kernel a step runs, as "scope/name:OpType", on
TensorFlow's compute threads. ``op_kind`` sorts them into the kinds the
performance work asks about. Times are summed over threads: an op that runs
beside another counts in full, so the kinds' shares are of the ops' summed
time, not of the wall clock. Layout reorders inside a oneDNN convolution
count as convolution: TensorFlow does not see them.
"""

from __future__ import annotations

import collections
import glob
import os
import tempfile
from typing import Callable

import tensorflow as tf
from tensorflow.tsl.profiler.protobuf import xplane_pb2

# Threads whose events are TensorFlow kernels ("tf_Compute/<id>"), and the
# executor's own bookkeeping event on them, which spans the kernels it runs.
_COMPUTE_LINE_PREFIX = "tf_Compute"
_EXECUTOR_EVENT = "ExecutorState::Process"
_PICOSECONDS_PER_SECOND = 1e12

# (kind, op types), tried in order; types match after oneDNN's "_MklNative"
# or "_Mkl" prefix is removed.
_KINDS_BY_TYPE = (
    ("convolution: input gradient", ("Conv2DBackpropInput",)),
    ("convolution: weight gradient", ("Conv2DBackpropFilter",
                                      "Conv2DBackpropFilterWithBias")),
    ("convolution: forward", ("Conv2D", "FusedConv2D")),
    ("Gram matrices (batched matmul)", ("BatchMatMulV2", "BatchMatMulV3",
                                        "MatMul")),
    ("pooling (VGG)", ("MaxPool", "MaxPoolGrad")),
    ("cast float32/bfloat16", ("Cast",)),
    ("layout: transpose, space-to-depth", ("Transpose", "ConjugateTranspose",
                                           "SpaceToDepth", "DepthToSpace")),
    ("upsampling and padding", ("ResizeNearestNeighbor",
                                "ResizeNearestNeighborGrad", "MirrorPad",
                                "MirrorPadGrad", "Pad", "Slice")),
    ("optimizer", ("ResourceApplyAdam", "AssignVariableOp",
                   "AssignAddVariableOp", "AssignSubVariableOp")),
)
# Kinds of the remaining ops (element-wise and reductions) by their scope.
_KINDS_BY_SCOPE = (
    ("instance normalization", ("conditional_instance_normalization",)),
    ("upsampling and padding", ("reflection_padding", "pad_to_multiple")),
    ("optimizer", ("adam", "optimizer")),
)
OTHER_KIND = "other (loss arithmetic, activations, data)"


def op_kind(name: str, op_type: str) -> str:
    """The kind of a kernel, from its type, else from its name's scope."""
    bare = op_type.removeprefix("_MklNative").removeprefix("_Mkl")
    for kind, types in _KINDS_BY_TYPE:
        if bare in types:
            return kind
    lowered = name.lower()
    for kind, scopes in _KINDS_BY_SCOPE:
        if any(scope in lowered for scope in scopes):
            return kind
    return OTHER_KIND


def kernel_seconds(xplane_path: str) -> collections.Counter:
    """Seconds per (name, op type) over the compute threads of one trace."""
    space = xplane_pb2.XSpace()
    with open(xplane_path, "rb") as f:
        space.ParseFromString(f.read())
    totals = collections.Counter()
    for plane in space.planes:
        for line in plane.lines:
            if not line.name.startswith(_COMPUTE_LINE_PREFIX):
                continue
            for event in line.events:
                label = plane.event_metadata[event.metadata_id].name
                if label == _EXECUTOR_EVENT or ":" not in label:
                    continue
                name, op_type = label.rsplit(":", 1)
                totals[(name, op_type)] += (event.duration_ps
                                            / _PICOSECONDS_PER_SECOND)
    return totals


def profile_steps(step: Callable[[], object], steps: int
                  ) -> dict[str, float]:
    """Runs ``step`` ``steps`` times under the profiler; seconds per step
    by kind of op (summed over threads)."""
    with tempfile.TemporaryDirectory() as logdir:
        tf.profiler.experimental.start(logdir)
        try:
            for _ in range(steps):
                step()
        finally:
            tf.profiler.experimental.stop()
        paths = glob.glob(os.path.join(logdir, "**", "*.xplane.pb"),
                          recursive=True)
        totals = kernel_seconds(paths[0])
    kinds = collections.Counter()
    for (name, op_type), seconds in totals.items():
        kinds[op_kind(name, op_type)] += seconds / steps
    return dict(kinds.most_common())


def format_profile(kinds: dict[str, float]) -> str:
    """Seconds per step by kind of op, each kind's share of their sum, and
    the sum, a line each."""
    total = sum(kinds.values())
    lines = [f"{'':>8}{kind:<44} {seconds:>6.3f} s {seconds / total:>5.1%}"
             for kind, seconds in kinds.items()]
    return "\n".join(lines + [f"{'':>8}{'sum over threads':<44} "
                              f"{total:>6.3f} s"])
