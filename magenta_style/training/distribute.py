"""Where training runs: tf.distribute strategies and the chief.

``create_strategy`` must run before anything else touches TensorFlow's
runtime: splitting the CPU into logical devices and joining a multi-worker
cluster are only possible then. Tested here on logical CPU devices and on
worker processes on one machine; the GPU and TPU paths follow TensorFlow's
documented set-up but have not run on these machines.
"""

from __future__ import annotations

import json
import os

import tensorflow as tf

from magenta_style.errors import MagentaStyleError
from magenta_style.training.config import TrainConfig


def create_strategy(config: TrainConfig) -> tf.distribute.Strategy:
    """The strategy ``config.strategy`` names, on the devices it asks for."""
    if config.cpu_replicas > 1:
        _split_cpu(config.cpu_replicas)
    gpus = tf.config.list_physical_devices("GPU")
    name = config.strategy
    if name == "auto":
        name = "mirrored" if len(gpus) > 1 or config.cpu_replicas > 1 \
            else "default"
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        devices = None if gpus else [
            d.name for d in tf.config.list_logical_devices("CPU")]
        return tf.distribute.MirroredStrategy(devices=devices)
    if name == "multi_worker":
        return _multi_worker_strategy()
    return _tpu_strategy(config.tpu)


def _split_cpu(replicas: int) -> None:
    """Splits the first CPU into ``replicas`` logical devices."""
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * replicas)
    except RuntimeError:  # the runtime started: only an equal split is fine
        have = len(tf.config.list_logical_devices("CPU"))
        if have != replicas:
            raise MagentaStyleError(
                f"cannot split the CPU into {replicas} devices: TensorFlow "
                f"already runs on {have}; create the strategy first") from None


def _multi_worker_strategy() -> tf.distribute.Strategy:
    """MultiWorkerMirroredStrategy from TF_CONFIG (one process per worker)."""
    raw = os.environ.get("TF_CONFIG")
    if not raw:
        raise MagentaStyleError(
            "strategy multi_worker needs TF_CONFIG (the cluster and this "
            "worker's task) in the environment; see README 'Training at "
            "scale'")
    try:
        tf_config = json.loads(raw)
        tf_config["cluster"], tf_config["task"]["type"]
    except (ValueError, KeyError, TypeError):
        raise MagentaStyleError(
            "TF_CONFIG is not JSON with 'cluster' and 'task' entries") from None
    return tf.distribute.MultiWorkerMirroredStrategy()


def _tpu_strategy(tpu: str) -> tf.distribute.Strategy:
    """TPUStrategy on ``tpu`` ("" = the TPU of this Cloud TPU VM)."""
    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu)
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
    except (ValueError, tf.errors.OpError) as error:
        raise MagentaStyleError(
            f"no TPU found at {tpu or 'this machine'}: "
            f"{str(error).splitlines()[0]}") from None
    return tf.distribute.TPUStrategy(resolver)


def strategy_name(strategy: tf.distribute.Strategy) -> str:
    """The strategy's public class name ("default" for the default one)."""
    if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return "MultiWorkerMirroredStrategy"
    name = type(strategy).__name__
    return "default" if name.startswith("_Default") else name


def num_workers(strategy: tf.distribute.Strategy) -> int:
    """Processes that train together (1 unless multi-worker)."""
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return 1
    cluster = strategy.cluster_resolver.cluster_spec()
    return sum(cluster.num_tasks(job) for job in ("chief", "worker")
               if job in cluster.jobs)


def is_chief(strategy: tf.distribute.Strategy) -> bool:
    """Whether this process writes the run's files (Keras' convention)."""
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return True
    resolver = strategy.cluster_resolver
    cluster = resolver.cluster_spec().as_dict()
    if resolver.task_type == "chief":
        return True
    return (resolver.task_type == "worker" and resolver.task_id == 0
            and "chief" not in cluster)


def worker_label(strategy: tf.distribute.Strategy) -> str:
    """"worker 2 of 3" in a cluster, "" otherwise."""
    if num_workers(strategy) == 1:
        return ""
    resolver = strategy.cluster_resolver
    return (f"{resolver.task_type} {resolver.task_id} of "
            f"{num_workers(strategy)}")
