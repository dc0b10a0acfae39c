"""How faithful and how fast an exported model is, against the Keras model."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from export.contract import SIGNATURE
from export.convert import interpreter, run
from magenta_style.imaging.transforms import center_crop
from magenta_style.measurement import median_seconds, psnr
from magenta_style.network.model import StylizationModel
from magenta_style.network.predictor import (
    PREDICTOR_IMAGE_SIZE,
    PREDICTOR_INPUT,
    predictor_view,
)
from magenta_style.network.transformer import EMBEDDING_INPUT


def report_styles(model: StylizationModel) -> dict[str, dict]:
    """Styles the report checks: first, last, and a 50/50 blend of them."""
    first, last = model.style_names[0], model.style_names[-1]
    styles = {first: {first: 1.0}}
    if last != first:
        styles[last] = {last: 1.0}
        styles[f"{first}+{last}"] = {first: 0.5, last: 0.5}
    return styles


def fidelity(flatbuffer: bytes, model: StylizationModel,
             photos: Sequence[np.ndarray], sizes: Sequence[int]) -> list[dict]:
    """PSNR and max abs error of TFLite against Keras, per size and style."""
    runner = interpreter(flatbuffer).get_signature_runner(SIGNATURE)
    rows = []
    for size in sizes:
        for label, style in report_styles(model).items():
            embedding = model.embedding(style)[None]
            psnrs, errors = [], []
            for photo in photos:
                content = center_crop(photo, size).numpy()[None]
                keras_out = model.transformer([content, embedding]).numpy()
                lite_out = run(runner, content, embedding)
                psnrs.append(psnr(lite_out, keras_out))
                errors.append(float(np.abs(lite_out - keras_out).max()))
            rows.append({"size": size, "style": label,
                         "psnr_db_mean": float(np.mean(psnrs)),
                         "psnr_db_min": float(np.min(psnrs)),
                         "max_abs_error": float(np.max(errors))})
    return rows


def latency(flatbuffer: bytes, embedding: np.ndarray, sizes: Sequence[int],
            runs: int = 5, threads: int = 2) -> dict[str, float]:
    """Median seconds per inference at each size, after one warm-up run."""
    runner = interpreter(flatbuffer, num_threads=threads
                         ).get_signature_runner(SIGNATURE)
    medians = {}
    for size in sizes:
        content = np.random.default_rng(0).random((1, size, size, 3),
                                                  dtype=np.float32)
        medians[str(size)] = median_seconds(
            lambda: run(runner, content, embedding[None]), runs)
    return medians


def predictor_fidelity(flatbuffer: bytes, model: StylizationModel,
                       photos: Sequence[np.ndarray], size: int) -> dict:
    """PSNR of pastiches made with the TFLite predictor's embeddings against
    those made with the Keras predictor's (the Keras transformer renders
    both): each photo is stylized in the style of the next one."""
    runner = interpreter(flatbuffer).get_signature_runner(SIGNATURE)
    psnrs = []
    for index, photo in enumerate(photos):
        style = photos[(index + 1) % len(photos)]
        view = predictor_view(style)[None]
        lite = runner(**{PREDICTOR_INPUT: view})[EMBEDDING_INPUT]
        keras_embedding = model.predict_embeddings([style])
        content = center_crop(photo, size).numpy()[None]
        psnrs.append(psnr(model.transformer([content, lite]).numpy(),
                          model.transformer([content, keras_embedding]
                                            ).numpy()))
    return {"size": size, "photos": len(photos),
            "pastiche_psnr_db_mean": float(np.mean(psnrs)),
            "pastiche_psnr_db_min": float(np.min(psnrs))}


def predictor_latency(flatbuffer: bytes, runs: int = 5, threads: int = 2
                      ) -> float:
    """Median seconds per style prediction, after one warm-up run."""
    runner = interpreter(flatbuffer, num_threads=threads
                         ).get_signature_runner(SIGNATURE)
    view = np.random.default_rng(0).random(
        (1, PREDICTOR_IMAGE_SIZE, PREDICTOR_IMAGE_SIZE, 3), dtype=np.float32)
    return median_seconds(lambda: runner(**{PREDICTOR_INPUT: view}), runs)


def format_table(report: dict) -> str:
    """The report as a printable table (the fidelity rows only if measured)."""
    lines = [f"{report['quantization']}: {report['model_bytes'] / 1e6:.2f} MB"]
    if report["fidelity"]:
        lines.append(f"{'size':>6} {'style':<32} {'PSNR mean':>10} "
                     f"{'PSNR min':>9} {'max err':>8}")
    else:
        lines.append("fidelity: not measured (no evaluation photos)")
    for row in report["fidelity"]:
        lines.append(f"{row['size']:>6} {row['style'][:32]:<32} "
                     f"{row['psnr_db_mean']:>10.2f} {row['psnr_db_min']:>9.2f} "
                     f"{row['max_abs_error']:>8.4f}")
    lines.append("latency (median, {} threads): ".format(report["threads"]) +
                 ", ".join(f"{s}²: {t * 1000:.0f} ms"
                           for s, t in report["latency_s"].items()))
    predictor = report.get("predictor")
    if predictor:
        line = (f"predictor: {predictor['model_bytes'] / 1e6:.2f} MB, "
                f"{predictor['latency_s'] * 1000:.0f} ms")
        if predictor.get("fidelity"):
            line += (", pastiches from its embeddings vs Keras': PSNR mean "
                     f"{predictor['fidelity']['pastiche_psnr_db_mean']:.2f} "
                     f"dB, min {predictor['fidelity']['pastiche_psnr_db_min']:.2f}")
        lines.append(line)
    return "\n".join(lines)
