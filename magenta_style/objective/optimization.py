"""Style transfer by optimizing the pixels (Gatys, Ecker and Bethge 2016).

No network is trained: the pastiche itself is the variable, and an optimizer
lowers the same perceptual loss the feed-forward network is trained on
(``magenta_style.objective.losses.PerceptualLoss``). L-BFGS, as in the paper, runs
through SciPy's L-BFGS-B with the pixels bounded to [0, 1]; Adam clips to
[0, 1] after each step. Loss and gradient come from one ``tf.function`` in
float32.

    from magenta_style.objective.optimization import optimize_pastiche
    result = optimize_pastiche(perceptual, content, style, iterations=300)
    result.image, result.history
"""

from __future__ import annotations

import time
from typing import Callable, NamedTuple

import numpy as np
import tensorflow as tf

from magenta_style import constants
from magenta_style.errors import MagentaStyleError
from magenta_style.imaging.images import open_image, stored_size
from magenta_style.imaging.transforms import resize
from magenta_style.objective.losses import PerceptualLoss

METHODS = ("lbfgs", "adam")
INITS = ("content", "noise", "style")

# callback(iteration, image [H, W, 3] float32, losses of that iteration)
Callback = Callable[[int, np.ndarray, dict], None]


class Pastiche(NamedTuple):
    """The optimized image and the losses of every iteration.

    ``history[i]`` holds "iteration", "total", "content", "style" (weighted
    losses of the image after iteration i; entry 0 is the initial image) and
    "seconds" (wall time since the start). ``evaluations`` counts loss and
    gradient passes. ``stop_reason`` is SciPy's message when L-BFGS stopped
    before the requested iterations, else None.
    """

    image: np.ndarray
    history: list[dict]
    evaluations: int
    stop_reason: str | None = None


def load_content(path: str, image_size: int,
                 log: Callable[[str], None] | None = print) -> np.ndarray:
    """The content photo with its longer side at most ``image_size`` pixels.

    A larger photo is shrunk (and ``log`` says so); a smaller one keeps its
    size. A photo whose shorter side ends below MIN_IMAGE_SIDE is an error.
    """
    width, height = stored_size(path)
    image = open_image(path, max_side=image_size)
    h, w = image.shape[:2]
    if (width, height) != (w, h) and log:
        log(f"content image {path} is larger than image_size={image_size}: "
            f"downscaled to {w}x{h}")
    return image


def initial_image(content: np.ndarray, style: np.ndarray, init: str,
                  seed: int = 0) -> np.ndarray:
    """The starting pastiche: the content, uniform noise, or the style image
    resized to the content's size. float32 [H, W, 3] in [0, 1]."""
    h, w = content.shape[:2]
    if init == "content":
        return np.array(content, np.float32)
    if init == "noise":
        return np.random.default_rng(seed).random((h, w, 3), dtype=np.float32)
    if init == "style":
        return resize(style, h, w)
    raise MagentaStyleError(
        f"unknown init '{init}'; choose from {', '.join(INITS)}")


def loss_and_gradient(perceptual: PerceptualLoss, content: np.ndarray,
                      style: np.ndarray):
    """A float32 ``tf.function``: image [1, H, W, 3] → (total, content, style,
    d total / d image), with the targets of ``content`` and ``style`` fixed."""
    content_features = perceptual.content_features(
        tf.constant(content[None], tf.float32))
    target_grams = perceptual.style_grams([np.asarray(style, np.float32)])
    h, w = content.shape[:2]

    @tf.function(input_signature=[tf.TensorSpec([1, h, w, 3], tf.float32)])
    def evaluate(image):
        with tf.GradientTape() as tape:
            tape.watch(image)
            losses = perceptual.losses(image, content_features, target_grams)
            content_loss = tf.cast(losses["content"][0], tf.float32)
            style_loss = tf.cast(losses["style"][0], tf.float32)
            total = content_loss + style_loss
        return total, content_loss, style_loss, tape.gradient(total, image)

    return evaluate


def optimize_pastiche(perceptual: PerceptualLoss, content: np.ndarray,
                      style: np.ndarray,
                      iterations: int = constants.DEFAULT_OPTIMIZE_ITERATIONS,
                      method: str = "lbfgs", init: str = "content",
                      learning_rate: float = constants.DEFAULT_OPTIMIZE_ADAM_LR,
                      seed: int = 0, callback: Callback | None = None
                      ) -> Pastiche:
    """Optimizes the pixels of a pastiche of ``content`` in the ``style``.

    ``content`` and ``style`` are float RGB [H, W, 3] in [0, 1] (any sizes;
    the pastiche has the content's size). ``method`` is "lbfgs" (SciPy
    L-BFGS-B, bounds [0, 1]; ``iterations`` counts L-BFGS iterations, each of
    one or a few loss evaluations) or "adam" (one evaluation per iteration,
    ``learning_rate`` in pixel units, clipped to [0, 1] after each step).
    ``init`` is "content", "noise" (uniform, ``seed``) or "style".
    ``callback(iteration, image, losses)`` runs after every iteration.
    """
    if method not in METHODS:
        raise MagentaStyleError(
            f"unknown method '{method}'; choose from {', '.join(METHODS)}")
    if iterations < 1:
        raise MagentaStyleError(f"iterations must be >= 1, got {iterations}")
    content = np.asarray(content, np.float32)
    style = np.asarray(style, np.float32)
    start = initial_image(content, style, init, seed)
    evaluate = loss_and_gradient(perceptual, content, style)
    clock = time.perf_counter()
    history: list[dict] = []

    def record(iteration: int, image: np.ndarray, values) -> dict:
        total, content_loss, style_loss = (float(v) for v in values[:3])
        losses = {"iteration": iteration, "total": total,
                  "content": content_loss, "style": style_loss,
                  "seconds": time.perf_counter() - clock}
        history.append(losses)
        if iteration and callback is not None:
            callback(iteration, image, losses)
        return losses

    if method == "lbfgs":
        image, evaluations, reason = _lbfgs(evaluate, start, iterations,
                                            record)
    else:
        image = _adam(evaluate, start, iterations, learning_rate, record)
        evaluations, reason = iterations + 1, None
    return Pastiche(image, history, evaluations, reason)


def _lbfgs(evaluate, start: np.ndarray, iterations: int, record
           ) -> tuple[np.ndarray, int, str | None]:
    """SciPy L-BFGS-B on the flattened pixels, bounded to [0, 1].

    Returns the image, the number of loss evaluations and, if it stopped
    early, SciPy's reason.
    """
    from scipy.optimize import Bounds, minimize

    shape = (1,) + start.shape
    x0 = start.astype(np.float64).ravel()
    last = {"x": x0, "values": evaluate(tf.constant(start[None])),
            "count": 1}
    record(0, start, last["values"])

    def values_at(x: np.ndarray):
        # SciPy starts at x0, and the point an iteration accepts is normally
        # the line search's last evaluation: both are reused, not recomputed.
        if not np.array_equal(last["x"], x):
            last["x"] = x.copy()
            last["count"] += 1
            last["values"] = evaluate(
                tf.constant(x.reshape(shape), tf.float32))
        return last["values"]

    def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
        values = values_at(x)
        return (float(values[0]),
                values[3].numpy().ravel().astype(np.float64))

    done = [0]

    def on_iteration(intermediate_result) -> None:
        done[0] += 1
        x = intermediate_result.x
        record(done[0], x.reshape(start.shape).astype(np.float32),
               values_at(x))

    result = minimize(
        fun, x0, jac=True, method="L-BFGS-B", bounds=Bounds(0.0, 1.0),
        callback=on_iteration,
        # Stop on the iteration count only: the loss scale is arbitrary, so
        # SciPy's default tolerances could end the run after a few steps.
        options={"maxiter": iterations, "maxfun": 20 * iterations,
                 "ftol": 0.0, "gtol": 0.0, "maxcor": 10})
    image = np.clip(result.x.reshape(start.shape), 0.0, 1.0).astype(np.float32)
    reason = None if done[0] >= iterations else str(result.message)
    return image, last["count"], reason


def _adam(evaluate, start: np.ndarray, iterations: int, learning_rate: float,
          record) -> np.ndarray:
    """keras Adam on the pixels, clipped to [0, 1] after every step.

    A step evaluates the loss of the image before it, so the losses of
    iteration k are reported at step k + 1 (and the last by one more pass).
    """
    import keras

    if learning_rate <= 0:
        raise MagentaStyleError(
            f"learning rate must be > 0, got {learning_rate}")
    pixels = tf.Variable(start[None], dtype=tf.float32, name="pastiche")
    optimizer = keras.optimizers.Adam(learning_rate)
    optimizer.build([pixels])

    @tf.function
    def step():
        values = evaluate(tf.identity(pixels))
        optimizer.apply_gradients([(values[3], pixels)])
        pixels.assign(tf.clip_by_value(pixels, 0.0, 1.0))
        return values[:3]

    image = start
    for iteration in range(iterations):
        values = step()
        record(iteration, image, values)
        image = pixels.numpy()[0]
    record(iterations, image, evaluate(tf.constant(image[None])))
    return image
