package com.magentastyle.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The styles picked for a blend, in pick order, each with a raw weight (normalised by
 * {@link Blender}). Immutable: every change returns a new instance.
 */
public final class Selection {
    /** The app lets the user blend at most this many styles. */
    public static final int MAX_STYLES = 4;

    private final int maxStyles;
    private final List<String> ids;
    private final List<Double> weights;

    private Selection(int maxStyles, List<String> ids, List<Double> weights) {
        this.maxStyles = maxStyles;
        this.ids = Collections.unmodifiableList(ids);
        this.weights = Collections.unmodifiableList(weights);
    }

    public static Selection empty() {
        return empty(MAX_STYLES);
    }

    public static Selection empty(int maxStyles) {
        if (maxStyles <= 0) {
            throw new IllegalArgumentException("maxStyles must be positive, got " + maxStyles);
        }
        return new Selection(maxStyles, new ArrayList<>(), new ArrayList<>());
    }

    public int maxStyles() {
        return maxStyles;
    }

    public int size() {
        return ids.size();
    }

    public boolean isEmpty() {
        return ids.isEmpty();
    }

    public boolean isFull() {
        return ids.size() >= maxStyles;
    }

    public boolean contains(String id) {
        return ids.contains(id);
    }

    /** Style ids in pick order. */
    public List<String> ids() {
        return ids;
    }

    public double weight(String id) {
        int i = indexOf(id);
        return weights.get(i);
    }

    /** Raw weights in pick order. */
    public double[] weights() {
        double[] out = new double[weights.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = weights.get(i);
        }
        return out;
    }

    /** Weights divided by their sum; all zeros when the sum is zero (nothing to normalise yet). */
    public double[] normalizedWeights() {
        double[] raw = weights();
        double total = 0.0;
        for (double w : raw) {
            total += w;
        }
        double[] out = new double[raw.length];
        if (total > 0) {
            for (int i = 0; i < raw.length; i++) {
                out[i] = raw[i] / total;
            }
        }
        return out;
    }

    /**
     * Adds a style with a weight.
     *
     * @throws IllegalStateException if {@link #isFull()}
     * @throws IllegalArgumentException if already selected or the weight is negative / not finite
     */
    public Selection with(String id, double weight) {
        if (contains(id)) {
            throw new IllegalArgumentException("style " + id + " is already selected");
        }
        if (isFull()) {
            throw new IllegalStateException("at most " + maxStyles + " styles can be blended");
        }
        checkWeight(weight);
        List<String> newIds = new ArrayList<>(ids);
        List<Double> newWeights = new ArrayList<>(weights);
        newIds.add(id);
        newWeights.add(weight);
        return new Selection(maxStyles, newIds, newWeights);
    }

    /** Removes a style (no-op if not selected). */
    public Selection without(String id) {
        int i = ids.indexOf(id);
        if (i < 0) {
            return this;
        }
        List<String> newIds = new ArrayList<>(ids);
        List<Double> newWeights = new ArrayList<>(weights);
        newIds.remove(i);
        newWeights.remove(i);
        return new Selection(maxStyles, newIds, newWeights);
    }

    /** Keeps only the ids for which {@code keep} holds (e.g. after a style was deleted). */
    public Selection retain(java.util.function.Predicate<String> keep) {
        Selection s = this;
        for (String id : ids) {
            if (!keep.test(id)) {
                s = s.without(id);
            }
        }
        return s;
    }

    /** Changes the weight of a selected style. */
    public Selection withWeight(String id, double weight) {
        int i = indexOf(id);
        checkWeight(weight);
        List<Double> newWeights = new ArrayList<>(weights);
        newWeights.set(i, weight);
        return new Selection(maxStyles, ids, newWeights);
    }

    private int indexOf(String id) {
        int i = ids.indexOf(id);
        if (i < 0) {
            throw new IllegalArgumentException("style " + id + " is not selected");
        }
        return i;
    }

    private static void checkWeight(double weight) {
        if (Double.isNaN(weight) || Double.isInfinite(weight) || weight < 0) {
            throw new IllegalArgumentException("weight must be finite and >= 0, got " + weight);
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Selection{");
        for (int i = 0; i < ids.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(ids.get(i)).append('=').append(weights.get(i));
        }
        return sb.append('}').toString();
    }
}
