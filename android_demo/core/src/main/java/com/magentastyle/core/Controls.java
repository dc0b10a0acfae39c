package com.magentastyle.core;

import org.json.JSONArray;

/**
 * Stroke size and intensity (the manifest's {@code "controls"}): a style with controls has, besides
 * its own embedding, three points trained at half and twice its painting's scale and at a higher
 * style weight ({@link #POINTS}, in the order every client sums them). A setting is an affine
 * combination of the four; {@link #coefficients} is the same arithmetic as the Python
 * {@code runtime.controls.point_weights}, operation for operation.
 */
public final class Controls {
    /** The control points after the style's own embedding, in summation order. */
    public static final String[] POINTS = {"stroke_small", "stroke_large", "intense"};

    private final double strokeLow;
    private final double strokeHigh;
    private final double maxStrength;

    Controls(double strokeLow, double strokeHigh, double maxStrength) {
        if (!(strokeLow > 0 && strokeLow < 1 && strokeHigh > 1 && maxStrength >= 1)
                || Double.isInfinite(strokeHigh) || Double.isInfinite(maxStrength)) {
            throw new ManifestException("styles.json: controls need 0 < stroke_range[0] < 1 < stroke_range[1] and "
                    + "max_strength >= 1, found [" + strokeLow + ", " + strokeHigh + "] and " + maxStrength);
        }
        this.strokeLow = strokeLow;
        this.strokeHigh = strokeHigh;
        this.maxStrength = maxStrength;
    }

    /** The manifest's {@code "controls"} object. */
    static Controls parse(Fields f) {
        JSONArray listed = f.array("points");
        if (listed.length() != POINTS.length) {
            throw new ManifestException("styles.json: controls.points must be " + String.join(", ", POINTS));
        }
        for (int i = 0; i < POINTS.length; i++) {
            if (!POINTS[i].equals(listed.opt(i))) {
                throw new ManifestException("styles.json: controls.points must be " + String.join(", ", POINTS)
                        + " in this order, found " + listed);
            }
        }
        JSONArray range = f.array("stroke_range");
        Object low = range.opt(0);
        Object high = range.opt(1);
        Object strength = f.value("max_strength");
        if (range.length() != 2 || !(low instanceof Number) || !(high instanceof Number)
                || !(strength instanceof Number)) {
            throw new ManifestException("styles.json: controls need stroke_range [low, high] and max_strength numbers");
        }
        return new Controls(((Number) low).doubleValue(), ((Number) high).doubleValue(),
                ((Number) strength).doubleValue());
    }

    /** The smallest stroke setting (the small stroke point). */
    public double strokeLow() {
        return strokeLow;
    }

    /** The largest stroke setting (the large stroke point). */
    public double strokeHigh() {
        return strokeHigh;
    }

    /** The largest strength (the intense point). */
    public double maxStrength() {
        return maxStrength;
    }

    /** Whether a setting uses any control point (stroke other than 1 or strength above 1). */
    public static boolean needsPoints(double stroke, double strength) {
        return stroke != 1.0 || strength > 1.0;
    }

    /**
     * Coefficients of (own, stroke_small, stroke_large, intense), summing to 1.
     *
     * @param strength the strength; values at or below 1 use no intense point
     * @throws IllegalArgumentException for a stroke outside the range or a strength above the maximum
     */
    public double[] coefficients(double stroke, double strength) {
        if (!(stroke >= strokeLow && stroke <= strokeHigh)) {
            throw new IllegalArgumentException("stroke must be in [" + strokeLow + ", " + strokeHigh + "], got " + stroke);
        }
        if (!(strength >= 0 && strength <= maxStrength)) {
            throw new IllegalArgumentException("strength must be in [0, " + maxStrength + "], got " + strength);
        }
        double[] c = new double[4];
        if (stroke < 1.0) {
            double t = (1.0 - stroke) / (1.0 - strokeLow);
            c[0] = 1.0 - t;
            c[1] = t;
        } else {
            double t = (stroke - 1.0) / (strokeHigh - 1.0);
            c[0] = 1.0 - t;
            c[2] = t;
        }
        double push = Math.max(strength, 1.0) - 1.0;
        c[0] = c[0] - push;
        c[3] = push;
        return c;
    }
}
