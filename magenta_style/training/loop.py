"""Training as one library call: a TrainConfig, a stylizer, photos → a model
(``train``: the style table and transformer; ``train_predictor``: the style
predictor, on a painting corpus).

``train`` builds everything (VGG-19, the stylizer, the optimizer, metrics)
inside the strategy's scope, feeds each input pipeline its share of the
photos, checkpoints every ``checkpoint_every`` steps and resumes from the
newest checkpoint of the output folder. Only the chief writes the folder;
other workers write to throw-away folders (Keras' multi-worker convention).
In a cluster every worker must see the chief's output folder (a shared file
system or bucket) to resume.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
from typing import Callable, Sequence

import keras
import numpy as np
import tensorflow as tf

from magenta_style import constants
from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.files import atomic_file
from magenta_style.network.model import (
    StylizationModel,
    at_precision,
)
from magenta_style.network.precision import (
    POLICIES,
    global_policy,
    resolve_precision,
)
from magenta_style.objective.loss_config import LossConfig
from magenta_style.objective.losses import PerceptualLoss
from magenta_style.objective.vgg import load_vgg19
from magenta_style.training import distribute
from magenta_style.training.checkpoints import (
    ResumableCheckpoint,
    StopAtStep,
    restore_latest_checkpoint,
)
from magenta_style.training.config import RESUME_KEYS, TrainConfig
from magenta_style.training.distillation import (
    DistillationStudent,
    DistillationTrainer,
    distilled_model,
    drawn_rows,
)
from magenta_style.training.paintings import PaintingBank
from magenta_style.training.pipeline import PhotoFolder, evaluation_examples
from magenta_style.training.progress import fit_progress
from magenta_style.training.temporal import TemporalTrainer
from magenta_style.training.trainer import (
    PerceptualTrainer,
    PredictorTrainer,
    StyleTransferTrainer,
)

# Errors of a collective operation whose peer went away.
_LOST_WORKER_ERRORS = (tf.errors.UnavailableError,
                       tf.errors.DeadlineExceededError,
                       tf.errors.AbortedError, tf.errors.CancelledError)


def train(config: TrainConfig, build_stylizer: Callable[[], StylizationModel],
          style_images: Sequence[np.ndarray], content, output_dir: str,
          strategy: tf.distribute.Strategy,
          trainable_styles: Sequence[int] | None = None,
          validation: PhotoFolder | None = None) -> str:
    """Trains (or resumes) a stylizer and writes OUTPUT_DIR/model.keras.

    ``build_stylizer`` makes the StylizationModel (called inside the
    strategy's scope, under the run's precision); ``style_images`` are the
    images of ``trainable_styles`` (all rows if None), in that order;
    ``content`` is a pipeline.PhotoFolder or TfdsSource. Returns the model's
    path (on workers other than the chief: "", they write no model).
    """

    def make_trainer(stylizer, perceptual):
        return StyleTransferTrainer(
            stylizer, perceptual, perceptual.style_grams(style_images),
            config.batch_size, trainable_styles)

    def identity(stylizer):
        rows = (list(range(stylizer.num_styles))
                if trainable_styles is None else list(trainable_styles))
        return {"styles": list(stylizer.style_names),
                "trainable_styles": [int(r) for r in rows],
                **stylizer.network}

    return _run(config, build_stylizer, make_trainer, identity, content,
                output_dir, strategy, validation)


def train_predictor(config: TrainConfig,
                    build_stylizer: Callable[[], StylizationModel],
                    paintings: PaintingBank, content, output_dir: str,
                    strategy: tf.distribute.Strategy,
                    validation: PhotoFolder | None = None) -> str:
    """Trains (or resumes) the style predictor of a stylizer on a painting
    corpus; the transformer and style table stay as they are. As ``train``
    otherwise; ``build_stylizer`` makes a StylizationModel with a predictor.
    """

    def make_trainer(stylizer, perceptual):
        return PredictorTrainer(stylizer, perceptual, paintings,
                                config.batch_size)

    def identity(stylizer):
        files = hashlib.sha256("\n".join(paintings.files).encode())
        return {"styles": list(stylizer.style_names),
                "paintings": f"{len(paintings)} files, sha256 "
                             f"{files.hexdigest()[:16]}",
                "predictor": stylizer.predictor_config, **stylizer.network}

    return _run(config, build_stylizer, make_trainer, identity, content,
                output_dir, strategy, validation)


def distill(config: TrainConfig, build_student: Callable[[], DistillationStudent],
            teacher: StylizationModel, bank: np.ndarray, table_rows: int,
            content, output_dir: str, strategy: tf.distribute.Strategy,
            validation: PhotoFolder | None = None) -> str:
    """Trains (or resumes) a student network on a teacher's pastiches
    (training.distillation: the perceptual loss against them, and pixels) and writes OUTPUT_DIR/model.keras: the student
    with the teacher's styles and predictor in its own embedding space.
    ``bank`` [R, D_t] holds the teacher embeddings to learn, its first
    ``table_rows`` the teacher's table. As ``train`` otherwise."""
    precision = resolve_precision(config.precision, strategy)

    def make_trainer(student, perceptual):
        return DistillationTrainer(
            student, at_precision(teacher, precision), perceptual, bank,
            config.batch_size,
            drawn_rows(table_rows, len(bank)), config.seed)

    def identity(student):
        digest = hashlib.sha256(np.ascontiguousarray(bank).tobytes())
        return {"styles": list(teacher.style_names),
                "teacher": {**teacher.network,
                            "weights": weights_fingerprint(teacher)},
                "bank": f"{len(bank)} embeddings, sha256 "
                        f"{digest.hexdigest()[:16]}", **student.network}

    return _run(config, build_student, make_trainer, identity, content,
                output_dir, strategy, validation,
                saved=lambda student: distilled_model(student, teacher))


def stabilize(config: TrainConfig,
              build_stylizer: Callable[[], StylizationModel],
              reference: StylizationModel, temporal_weight: float,
              pixel_weight: float, content, output_dir: str,
              strategy: tf.distribute.Strategy,
              validation: PhotoFolder | None = None) -> str:
    """Fine-tunes (or resumes) a copy of ``reference`` for temporal
    stability (training.temporal) and writes OUTPUT_DIR/model.keras: the
    same styles, records and predictor, a steadier transformer. As
    ``train`` otherwise."""
    precision = resolve_precision(config.precision, strategy)

    def make_trainer(stylizer, perceptual):
        return TemporalTrainer(stylizer, at_precision(reference, precision),
                               perceptual, config.batch_size, config.seed,
                               temporal_weight, pixel_weight)

    def identity(stylizer):
        return {"styles": list(stylizer.style_names),
                "stabilized_from": weights_fingerprint(reference),
                "temporal_weight": temporal_weight,
                "pixel_weight": pixel_weight,
                "upsampling": stylizer.upsampling, **stylizer.network}

    return _run(config, build_stylizer, make_trainer, identity, content,
                output_dir, strategy, validation)


def _run(config: TrainConfig, build_stylizer: Callable[[], StylizationModel],
         make_trainer: Callable[[StylizationModel, PerceptualLoss],
                                PerceptualTrainer],
         identity: Callable[[StylizationModel], dict], content,
         output_dir: str, strategy: tf.distribute.Strategy,
         validation: PhotoFolder | None,
         saved: Callable[[keras.Model], StylizationModel] = lambda s: s
         ) -> str:
    """The run every trainer shares: scope, resume, fit, the saved model
    (``saved`` of what trained)."""
    _check_batch(config.batch_size, strategy.num_replicas_in_sync)
    keras.utils.set_random_seed(config.seed)
    if config.deterministic:
        tf.config.experimental.enable_op_determinism()
    precision = resolve_precision(config.precision, strategy)
    with global_policy(POLICIES[precision]):
        chief = distribute.is_chief(strategy)
        where = distribute.worker_label(strategy)
        print(f"strategy: {distribute.strategy_name(strategy)}, "
              f"{strategy.num_replicas_in_sync} replica(s)"
              + (f", this is {where}" if where else "")
              + f"; precision {precision}", flush=True)
        write_dir = output_dir if chief else tempfile.mkdtemp(
            prefix="magenta_style-worker-")
        try:
            with strategy.scope():
                stylizer = build_stylizer()
                check_resume(output_dir, config, identity(stylizer),
                             write=chief)
                perceptual = PerceptualLoss(load_vgg19(config.vgg_weights),
                                            config.loss)
                trainer = make_trainer(stylizer, perceptual)
                trainer.compile(optimizer=_optimizer(config))
                initial_epoch = restore_latest_checkpoint(
                    os.path.join(output_dir, constants.CHECKPOINT_DIRNAME),
                    trainer)
                # A resumed run goes on at this run's rate, not the
                # checkpoint's (a lower rate for the last steps is a rerun
                # with it).
                trainer.optimizer.learning_rate.assign(config.learning_rate)
            step = int(trainer.optimizer.iterations.numpy())
            if distribute.num_workers(strategy) > 1:
                _check_workers_agree(strategy, step)
            if initial_epoch:
                print(f"resuming from step {step} (checkpoint epoch "
                      f"{initial_epoch})", flush=True)
            if step < config.steps:
                _fit(trainer, config, strategy, content, validation, write_dir,
                     initial_epoch, step)
        except _LOST_WORKER_ERRORS:
            if distribute.num_workers(strategy) == 1:
                raise
            raise MagentaStyleError(
                "training stopped: another worker was lost or unreachable "
                "(TensorFlow's log above names it); restart every worker to "
                "resume from the last checkpoint") from None
        finally:
            if not chief:
                shutil.rmtree(write_dir, ignore_errors=True)
        print(f"weights fingerprint: {weights_fingerprint(stylizer)}",
              flush=True)
        if not chief:
            return ""
        path = os.path.join(output_dir, constants.MODEL_FILENAME)
        at_precision(saved(stylizer), "float32").save_atomic(path)
        return path


def weights_fingerprint(model: keras.Model) -> str:
    """A short hash of a model's weights: equal runs print equal ones."""
    digest = hashlib.sha256()
    for weight in model.get_weights():
        digest.update(np.ascontiguousarray(weight).tobytes())
    return digest.hexdigest()[:16]


def _fit(trainer: PerceptualTrainer, config: TrainConfig,
         strategy: tf.distribute.Strategy, content, validation,
         write_dir: str, initial_epoch: int, step: int) -> None:
    """Runs fit from ``step`` to ``config.steps`` in checkpoint-long epochs."""

    def dataset_fn(context: tf.distribute.InputContext) -> tf.data.Dataset:
        pipelines = context.num_input_pipelines
        examples, line = content.examples(
            config.image_size, trainer.trainable_rows, config.seed,
            context.input_pipeline_id, pipelines,
            first=step * config.batch_size // pipelines)
        print(line, flush=True)
        per_replica = context.get_per_replica_batch_size(config.batch_size)
        return (examples.batch(per_replica, drop_remainder=True)
                .prefetch(tf.data.AUTOTUNE))

    batches = strategy.distribute_datasets_from_function(dataset_fn)
    remaining = config.steps - step
    # Epochs are counted from the checkpoint's, whatever --steps was then.
    per_epoch = min(config.checkpoint_every, remaining)
    verbose, progress = fit_progress(config.steps)
    trainer.fit(
        batches, epochs=initial_epoch + math.ceil(remaining / per_epoch),
        steps_per_epoch=per_epoch, initial_epoch=initial_epoch, shuffle=False,
        validation_data=_validation_batches(validation, config,
                                            trainer.trainable_rows),
        verbose=verbose,
        callbacks=[
            StopAtStep(config.steps),
            ResumableCheckpoint(os.path.join(write_dir,
                                             constants.CHECKPOINT_DIRNAME)),
            keras.callbacks.TensorBoard(
                os.path.join(write_dir, constants.LOG_DIRNAME),
                update_freq=max(1, config.checkpoint_every // 10)),
            *progress,
        ])


def _validation_batches(validation: PhotoFolder | None, config: TrainConfig,
                        rows: Sequence[int]) -> tf.data.Dataset | None:
    """Centre crops of the held-out photos, or None."""
    if validation is None:
        return None
    photos, line = validation.share(config.image_size)
    print(line.replace("content:", "validation:", 1), flush=True)
    return (evaluation_examples(photos, config.image_size, rows)
            .batch(config.batch_size).cache())


def _optimizer(config: TrainConfig) -> keras.optimizers.Optimizer:
    """Adam or plain SGD at the config's rate (Keras adds float16 scaling)."""
    if config.optimizer == "sgd":
        return keras.optimizers.SGD(config.learning_rate)
    return keras.optimizers.Adam(config.learning_rate)


def _check_batch(batch_size: int, replicas: int) -> None:
    if batch_size % replicas:
        raise MagentaStyleError(
            f"the batch size ({batch_size}) must be a multiple of the "
            f"number of replicas ({replicas}): it is the global batch")


def _check_workers_agree(strategy: tf.distribute.Strategy, step: int) -> None:
    """Fails unless every worker resumed at the same step (a collective)."""
    local = tf.constant([step, step * step], tf.float64)
    total = strategy.reduce(tf.distribute.ReduceOp.SUM,
                            strategy.run(lambda: tf.identity(local)),
                            axis=None).numpy()
    replicas = strategy.num_replicas_in_sync
    if not np.array_equal(total, replicas * local.numpy()):
        raise MagentaStyleError(
            f"the workers resumed at different steps (this one at {step}): "
            "give every worker the same output_dir=... on a shared file "
            "system", arguments=["output_dir"])


def read_run_record(folder: str) -> dict | None:
    """The record (train_config.json) a training run left in ``folder``, or
    None if it has none."""
    path = os.path.join(folder, constants.TRAIN_CONFIG_FILENAME)
    if not os.path.isfile(path):
        return None
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as error:
        raise MagentaStyleError(f"cannot read {path}: {error}") from None


def check_resume(output_dir: str, config: TrainConfig, identity: dict,
                 write: bool = True) -> None:
    """Records the run (train_config.json); a rerun must match it to resume.

    Compared are ``identity`` and the config's RESUME_KEYS that both the
    record and this run have (runs recorded by older versions have fewer).
    """
    run = {**identity, **config.to_dict()}
    previous = read_run_record(output_dir)
    if previous is not None:
        # Runs recorded before there was a choice of network are "paper".
        previous.setdefault("architecture", constants.DEFAULT_ARCHITECTURE)
        keys = [k for k in (*identity, *RESUME_KEYS) if k in previous]
        changed = [k for k in keys if previous[k] != run[k]]
        if changed:
            raise MagentaStyleError(
                f"{output_dir} holds a run with different "
                f"{', '.join(changed)}; use a new output_dir=... or the same "
                "settings to resume", arguments=["output_dir"])
    if write:
        os.makedirs(output_dir, exist_ok=True)
        path = os.path.join(output_dir, constants.TRAIN_CONFIG_FILENAME)
        with atomic_file(path) as tmp, open(tmp, "w") as f:
            json.dump(run, f, indent=2)


def recorded_loss_config(model_path: str | None) -> LossConfig | None:
    """The LossConfig that the training run of a model recorded in its
    folder (train_config.json), or None (the bundled model, a lone file)."""
    if model_path is None:
        return None
    folder = (model_path if os.path.isdir(model_path)
              else os.path.dirname(os.path.abspath(model_path)))
    record = read_run_record(folder)
    if record is None:
        return None
    try:
        return LossConfig.from_dict(record["loss"])
    except (KeyError, TypeError, ValueError) as error:
        raise MagentaStyleError(
            f"cannot read the loss recorded in {folder}: {error}") from None
