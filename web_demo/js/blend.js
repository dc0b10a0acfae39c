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
