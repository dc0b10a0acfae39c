package com.magentastyle.core;

import java.util.Arrays;

/**
 * One style: a name and its embedding (the conditional instance-norm parameters, float32), and, for a
 * style with stroke and intensity controls, its {@link Controls#POINTS} (same size).
 */
public final class Style {
    private final String name;
    private final float[] embedding;
    private final String thumbnail;
    private final String source;
    private final float[][] points;

    /** A style without controls; see {@link #Style(String, float[], String, String, float[][])}. */
    public Style(String name, float[] embedding, String thumbnail, String source) {
        this(name, embedding, thumbnail, source, null);
    }

    /**
     * @param name      display name, non-empty
     * @param embedding the embedding; copied
     * @param thumbnail asset path of a thumbnail image relative to the assets folder, or null
     * @param source    where the style came from (an image file name), or null
     * @param points    the control points in {@link Controls#POINTS} order, each of the embedding's size;
     *                  copied; null for a style without controls
     */
    public Style(String name, float[] embedding, String thumbnail, String source, float[][] points) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("style name must be a non-empty string");
        }
        if (embedding == null || embedding.length == 0) {
            throw new IllegalArgumentException("style '" + name + "' has an empty embedding");
        }
        this.name = name;
        this.embedding = embedding.clone();
        this.thumbnail = thumbnail;
        this.source = source;
        if (points != null) {
            if (points.length != Controls.POINTS.length) {
                throw new IllegalArgumentException("style '" + name + "' has " + points.length + " control points, expected "
                        + Controls.POINTS.length);
            }
            this.points = new float[points.length][];
            for (int p = 0; p < points.length; p++) {
                if (points[p] == null || points[p].length != embedding.length) {
                    throw new IllegalArgumentException("style '" + name + "' control point " + Controls.POINTS[p]
                            + " must have " + embedding.length + " values");
                }
                this.points[p] = points[p].clone();
            }
        } else {
            this.points = null;
        }
    }

    /** Whether the style has stroke and intensity points. */
    public boolean hasControls() {
        return points != null;
    }

    /** Control point {@code p} (index into {@link Controls#POINTS}) without copying; callers must not modify it. */
    float[] pointUnsafe(int p) {
        return points[p];
    }

    public String name() {
        return name;
    }

    /** A copy of the embedding. */
    public float[] embedding() {
        return embedding.clone();
    }

    /** The embedding without copying; callers must not modify it. */
    float[] embeddingUnsafe() {
        return embedding;
    }

    public int embeddingSize() {
        return embedding.length;
    }

    /** Thumbnail path relative to the app assets, or null. */
    public String thumbnail() {
        return thumbnail;
    }

    /** Source image name, or null. */
    public String source() {
        return source;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Style)) {
            return false;
        }
        Style s = (Style) o;
        return name.equals(s.name) && Arrays.equals(embedding, s.embedding) && Arrays.deepEquals(points, s.points)
                && equal(thumbnail, s.thumbnail) && equal(source, s.source);
    }

    private static boolean equal(Object a, Object b) {
        return a == null ? b == null : a.equals(b);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(embedding);
    }

    @Override
    public String toString() {
        return "Style{" + name + ", " + embedding.length + " values}";
    }
}
