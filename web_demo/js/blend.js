/**
 * Convex blend of style embeddings (Dumoulin et al., section 4), with the
 * arithmetic of the Android core's Blender and of Python's
 * export.manifest.blend_embeddings, so that all three agree bit for bit:
 *
 *   total = Σ w[i] (double, in index order)
 *   acc[j] = Σ (w[i] / total) · float32(e[i][j]) (double, in index order)
 *   out[j] = float32(acc[j])
 *
 * JavaScript numbers are doubles and a Float32Array store rounds to nearest
 * even, like Java's (float) cast and NumPy's astype(float32).
 */

/** Sum of the weights; throws unless they are finite, >= 0, not all zero. */
function total(weights) {
  let sum = 0.0;
  weights.forEach((w, i) => {
    if (!Number.isFinite(w)) throw new Error(`weight ${i} is not finite (${w})`);
    if (w < 0) throw new Error(`weight ${i} is negative (${w}); weights must be >= 0`);
    sum += w;
  });
  if (sum === 0) throw new Error('weights are all zero; give at least one style a positive weight');
  if (!Number.isFinite(sum)) throw new Error('the sum of the weights overflows');
  return sum;
}

/** The weights divided by their sum (e.g. to show percentages). */
export function normalize(weights) {
  if (weights.length === 0) throw new Error('no styles to blend: select at least one style');
  const sum = total(weights);
  return weights.map((w) => w / sum);
}

/**
 * The blended embedding (Float32Array) of equal-length embeddings (arrays of
 * numbers) with one raw weight each; throws a readable Error otherwise.
 */
export function blend(embeddings, weights) {
  if (embeddings.length === 0) throw new Error('no styles to blend: select at least one style');
  if (embeddings.length !== weights.length) {
    throw new Error(`got ${embeddings.length} embeddings but ${weights.length} weights`);
  }
  const size = embeddings[0].length;
  embeddings.forEach((e, i) => {
    if (e.length !== size) {
      throw new Error(`embedding ${i} has size ${e.length} but embedding 0 has size ${size}`);
    }
  });
  const sum = total(weights);
  const acc = new Float64Array(size);
  embeddings.forEach((e, i) => {
    const wi = weights[i] / sum;
    for (let j = 0; j < size; j++) acc[j] += wi * Math.fround(e[j]);
  });
  return Float32Array.from(acc);
}

/**
 * Coefficients of (own, stroke_small, stroke_large, intense) of a stroke size
 * and strength, summing to 1: the arithmetic of Python's
 * runtime.controls.point_weights and the Android core's Controls, operation
 * for operation. ``controls`` is the manifest's {strokeRange, maxStrength}.
 */
export function pointWeights(controls, stroke, strength) {
  const [low, high] = controls.strokeRange;
  if (!(stroke >= low && stroke <= high)) throw new Error(`stroke must be in [${low}, ${high}], got ${stroke}`);
  if (!(strength >= 0 && strength <= controls.maxStrength)) {
    throw new Error(`strength must be in [0, ${controls.maxStrength}], got ${strength}`);
  }
  const c = [0.0, 0.0, 0.0, 0.0];
  if (stroke < 1.0) {
    const t = (1.0 - stroke) / (1.0 - low);
    c[0] = 1.0 - t;
    c[1] = t;
  } else {
    const t = (stroke - 1.0) / (high - 1.0);
    c[0] = 1.0 - t;
    c[2] = t;
  }
  const push = Math.max(strength, 1.0) - 1.0;
  c[0] = c[0] - push;
  c[3] = push;
  return c;
}

/**
 * The blend of styles ({name, embedding, points: [small, large, intense] or
 * null}) at a stroke size and strength (above 1: towards their intense
 * points): for p in (own, points), skipping c[p] = 0,
 * acc[j] += (w[i] / total · c[p]) · float32(e[i][p][j]). At stroke 1 and
 * strength <= 1 it is ``blend`` of their embeddings.
 */
export function blendStyles(styles, weights, controls, stroke, strength) {
  if (stroke === 1.0 && strength <= 1.0) return blend(styles.map((s) => s.embedding), weights);
  if (!controls) throw new Error('this model has no stroke or intensity controls');
  const c = pointWeights(controls, stroke, Math.max(strength, 1.0));
  if (styles.length === 0 || styles.length !== weights.length) {
    throw new Error('give one weight per style, at least one style');
  }
  styles.forEach((s) => {
    if (!s.points) throw new Error(`style '${s.name}' has no stroke or intensity points`);
  });
  const sum = total(weights);
  const acc = new Float64Array(styles[0].embedding.length);
  styles.forEach((s, i) => {
    const wi = weights[i] / sum;
    [s.embedding, ...s.points].forEach((e, p) => {
      if (c[p] === 0) return;
      const coefficient = wi * c[p];
      for (let j = 0; j < acc.length; j++) acc[j] += coefficient * Math.fround(e[j]);
    });
  });
  return Float32Array.from(acc);
}
