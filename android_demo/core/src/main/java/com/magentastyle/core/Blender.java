package com.magentastyle.core;

import java.util.List;

/**
 * Convex combination of style embeddings (style interpolation, Dumoulin et al. section 4).
 *
 * <p>The arithmetic is fixed so that it matches the Python implementation bit for bit:
 * <pre>
 * total = 0.0 (double); for i in order: total += w[i]
 * acc[j] = 0.0 (double)
 * for i in order: wi = w[i] / total; for j: acc[j] += wi * (double) e[i][j]
 * out[j] = (float) acc[j]
 * </pre>
 * With stroke or strength controls ({@link #blend(List, double[], Controls, double, double)}), each
 * style contributes its own embedding and its control points: for p in (own, {@link Controls#POINTS}),
 * skipping c[p] == 0: {@code acc[j] += (wi * c[p]) * (double) e[i][p][j]}.
 */
public final class Blender {
    private Blender() {
    }

    /** See {@link #blend(float[][], double[])}. */
    public static float[] blend(List<float[]> embeddings, double[] weights) {
        if (embeddings == null) {
            throw new IllegalArgumentException("embeddings must not be null");
        }
        return blend(embeddings.toArray(new float[0][]), weights);
    }

    /**
     * Blends embeddings with weights normalised to sum to 1.
     *
     * @throws IllegalArgumentException if there are no embeddings, the counts differ, sizes differ,
     *                                  a weight is negative or not finite, or all weights are zero
     */
    public static float[] blend(float[][] embeddings, double[] weights) {
        if (embeddings == null || weights == null) {
            throw new IllegalArgumentException("embeddings and weights must not be null");
        }
        if (embeddings.length == 0) {
            throw new IllegalArgumentException("no styles to blend: select at least one style");
        }
        if (embeddings.length != weights.length) {
            throw new IllegalArgumentException("got " + embeddings.length + " embeddings but " + weights.length + " weights");
        }
        int size = -1;
        for (int i = 0; i < embeddings.length; i++) {
            if (embeddings[i] == null) {
                throw new IllegalArgumentException("embedding " + i + " is null");
            }
            if (size < 0) {
                size = embeddings[i].length;
            } else if (embeddings[i].length != size) {
                throw new IllegalArgumentException("embedding " + i + " has size " + embeddings[i].length
                        + " but embedding 0 has size " + size);
            }
        }
        double total = total(weights);
        double[] acc = new double[size];
        for (int i = 0; i < embeddings.length; i++) {
            double wi = weights[i] / total;
            float[] e = embeddings[i];
            for (int j = 0; j < size; j++) {
                acc[j] += wi * (double) e[j];
            }
        }
        float[] out = new float[size];
        for (int j = 0; j < size; j++) {
            out[j] = (float) acc[j];
        }
        return out;
    }

    /**
     * Blends styles at a stroke size and strength (above 1: towards their intense points); a setting
     * of stroke 1 and strength at most 1 is {@link #blend(float[][], double[])} of their embeddings.
     *
     * @throws IllegalArgumentException as {@link #blend(float[][], double[])}, for a setting outside the
     *                                  controls' range, or for a style without controls when the
     *                                  setting needs them
     */
    public static float[] blend(List<Style> styles, double[] weights, Controls controls, double stroke,
                                double strength) {
        if (styles == null || weights == null) {
            throw new IllegalArgumentException("styles and weights must not be null");
        }
        float[][] embeddings = new float[styles.size()][];
        for (int i = 0; i < embeddings.length; i++) {
            embeddings[i] = styles.get(i).embeddingUnsafe();
        }
        if (!Controls.needsPoints(stroke, strength)) {
            return blend(embeddings, weights);
        }
        if (controls == null) {
            throw new IllegalArgumentException("this model has no stroke or intensity controls");
        }
        double[] c = controls.coefficients(stroke, Math.max(strength, 1.0));
        if (embeddings.length == 0 || embeddings.length != weights.length) {
            throw new IllegalArgumentException("give one weight per style, at least one style");
        }
        for (Style style : styles) {
            if (!style.hasControls()) {
                throw new IllegalArgumentException("style '" + style.name() + "' has no stroke or intensity points");
            }
        }
        double total = total(weights);
        int size = embeddings[0].length;
        double[] acc = new double[size];
        for (int i = 0; i < embeddings.length; i++) {
            double wi = weights[i] / total;
            Style style = styles.get(i);
            for (int p = 0; p < c.length; p++) {
                if (c[p] == 0.0) {
                    continue;
                }
                double coefficient = wi * c[p];
                float[] e = p == 0 ? style.embeddingUnsafe() : style.pointUnsafe(p - 1);
                if (e.length != size) {
                    throw new IllegalArgumentException("style " + i + " has size " + e.length + " but style 0 has size " + size);
                }
                for (int j = 0; j < size; j++) {
                    acc[j] += coefficient * (double) e[j];
                }
            }
        }
        float[] out = new float[size];
        for (int j = 0; j < size; j++) {
            out[j] = (float) acc[j];
        }
        return out;
    }

    /**
     * The weights divided by their sum (w[i] / total, in double), e.g. to display percentages.
     *
     * @throws IllegalArgumentException under the same conditions as {@link #blend}
     */
    public static double[] normalize(double[] weights) {
        if (weights == null) {
            throw new IllegalArgumentException("weights must not be null");
        }
        if (weights.length == 0) {
            throw new IllegalArgumentException("no styles to blend: select at least one style");
        }
        double total = total(weights);
        double[] out = new double[weights.length];
        for (int i = 0; i < weights.length; i++) {
            out[i] = weights[i] / total;
        }
        return out;
    }

    private static double total(double[] weights) {
        double total = 0.0;
        for (int i = 0; i < weights.length; i++) {
            double w = weights[i];
            if (Double.isNaN(w) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("weight " + i + " is not finite (" + w + ")");
            }
            if (w < 0) {
                throw new IllegalArgumentException("weight " + i + " is negative (" + w + "); weights must be >= 0");
            }
            total += w;
        }
        if (total == 0.0) {
            throw new IllegalArgumentException("weights are all zero; give at least one style a positive weight");
        }
        if (Double.isInfinite(total)) {
            throw new IllegalArgumentException("the sum of the weights overflows a double");
        }
        return total;
    }
}
