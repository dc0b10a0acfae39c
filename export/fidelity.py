"""How faithful and how fast an exported model (TFLite or ONNX) is, against
the Keras model."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from magenta_style.imaging.transforms import center_crop
from magenta_style.measurement import median_seconds, psnr
from magenta_style.network.model import StylizationModel
from magenta_style.runtime.contract import (
    EMBEDDING_INPUT,
    PREDICTOR_IMAGE_SIZE,
    PREDICTOR_INPUT,
    predictor_view,
)
from magenta_style.runtime.sessions import open_session, render


def report_styles(model: StylizationModel) -> dict[str, dict]:
    """Styles the report checks: first, last, and a 50/50 blend of them."""
    first, last = model.style_names[0], model.style_names[-1]
    styles = {first: {first: 1.0}}
    if last != first:
        styles[last] = {last: 1.0}
        styles[f"{first}+{last}"] = {first: 0.5, last: 0.5}
    return styles


def fidelity(exported: bytes, model: StylizationModel,
             photos: Sequence[np.ndarray], sizes: Sequence[int]) -> list[dict]:
    """PSNR and max abs error of an exported model (its file's bytes, TFLite
    or ONNX) against Keras, per size and style."""
    runner = open_session(exported)
    rows = []
    for size in sizes:
        for label, style in report_styles(model).items():
            embedding = model.embedding(style)[None]
            psnrs, errors = [], []
            for photo in photos:
                content = center_crop(photo, size)[None]
                keras_out = model.transformer([content, embedding]).numpy()
                exported_out = render(runner, content, embedding)
                psnrs.append(psnr(exported_out, keras_out))
                errors.append(float(np.abs(exported_out - keras_out).max()))
            rows.append({"size": size, "style": label,
                         "psnr_db_mean": float(np.mean(psnrs)),
                         "psnr_db_min": float(np.min(psnrs)),
                         "max_abs_error": float(np.max(errors))})
    return rows


def latency(exported: bytes, embedding: np.ndarray, sizes: Sequence[int],
            runs: int = 5, threads: int = 2) -> dict[str, float]:
    """Median seconds per inference at each size, after one warm-up run."""
    runner = open_session(exported, threads)
    medians = {}
    for size in sizes:
        content = np.random.default_rng(0).random((1, size, size, 3),
                                                  dtype=np.float32)
        medians[str(size)] = median_seconds(
            lambda: render(runner, content, embedding[None]), runs)
    return medians


def predictor_fidelity(exported: bytes, model: StylizationModel,
                       photos: Sequence[np.ndarray], size: int) -> dict:
    """PSNR of pastiches made with the exported predictor's embeddings against
    those made with the Keras predictor's (the Keras transformer renders
    both): each photo is stylized in the style of the next one."""
    runner = open_session(exported)
    psnrs = []
    for index, photo in enumerate(photos):
        style = photos[(index + 1) % len(photos)]
        view = predictor_view(style)[None]
        lite = runner(**{PREDICTOR_INPUT: view})[EMBEDDING_INPUT]
        keras_embedding = model.predict_embeddings([style])
        content = center_crop(photo, size)[None]
        psnrs.append(psnr(model.transformer([content, lite]).numpy(),
                          model.transformer([content, keras_embedding]
                                            ).numpy()))
    return {"size": size, "photos": len(photos),
            "pastiche_psnr_db_mean": float(np.mean(psnrs)),
            "pastiche_psnr_db_min": float(np.min(psnrs))}


def predictor_latency(exported: bytes, runs: int = 5, threads: int = 2
                      ) -> float:
    """Median seconds per style prediction, after one warm-up run."""
    runner = open_session(exported, threads)
    view = np.random.default_rng(0).random(
        (1, PREDICTOR_IMAGE_SIZE, PREDICTOR_IMAGE_SIZE, 3), dtype=np.float32)
    return median_seconds(lambda: runner(**{PREDICTOR_INPUT: view}), runs)


def report(model: StylizationModel, exported: bytes, quantization: str,
           predictor: bytes | None, predictor_quantization: str,
           photos: Sequence[np.ndarray], sizes: Sequence[int],
           latency_sizes: Sequence[int], runs: int = 5, threads: int = 2
           ) -> dict:
    """The report of an export: the transformer's bytes (``exported``) and
    the predictor's (or None) against ``model``: sizes, fidelity on
    ``photos`` at ``sizes`` (none without photos; the predictor's needs two
    photos) and latency at ``latency_sizes``."""
    result = {
        "quantization": quantization, "model_bytes": len(exported),
        "threads": threads, "eval_photos": len(photos),
        "fidelity": fidelity(exported, model, photos, sizes) if photos
        else [],
        "latency_s": latency(exported, model.embedding(0), latency_sizes,
                             runs, threads)}
    if predictor is not None:
        result["predictor"] = {
            "quantization": predictor_quantization,
            "model_bytes": len(predictor),
            "latency_s": predictor_latency(predictor, runs, threads),
            "fidelity": predictor_fidelity(predictor, model, photos, sizes[0])
            if len(photos) > 1 else None}
    return result


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
