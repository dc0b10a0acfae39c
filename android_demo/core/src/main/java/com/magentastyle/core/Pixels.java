package com.magentastyle.core;

/**
 * Conversion between packed ARGB pixels (the layout of Android's {@code Bitmap.getPixels}:
 * row-major, 0xAARRGGBB) and the model's float NHWC RGB tensor in [0, 1] (batch of one).
 */
public final class Pixels {
    private Pixels() {
    }

    /** ARGB → float RGB, a new array of {@code width * height * 3}. Alpha is ignored. */
    public static float[] toTensor(int[] argb, int width, int height) {
        checkSize(width, height, argb.length, 1, "ARGB array");
        float[] out = new float[width * height * 3];
        toTensor(argb, out);
        return out;
    }

    /**
     * ARGB → float RGB into {@code out} (length {@code 3 * argb.length}):
     * {@code v = ((p >> 16) & 0xFF) / 255f} etc.
     */
    public static void toTensor(int[] argb, float[] out) {
        if (out.length != argb.length * 3) {
            throw new IllegalArgumentException("output has " + out.length + " floats, expected " + argb.length * 3);
        }
        int k = 0;
        for (int p : argb) {
            out[k++] = ((p >> 16) & 0xFF) / 255f;
            out[k++] = ((p >> 8) & 0xFF) / 255f;
            out[k++] = (p & 0xFF) / 255f;
        }
    }

    /** Float RGB → ARGB with alpha 0xFF, a new array of {@code width * height}. */
    public static int[] fromTensor(float[] rgb, int width, int height) {
        checkSize(width, height, rgb.length, 3, "RGB tensor");
        int[] out = new int[width * height];
        fromTensor(rgb, out);
        return out;
    }

    /** Float RGB → ARGB into {@code out} (length {@code rgb.length / 3}); see {@link #toByte(float)}. */
    public static void fromTensor(float[] rgb, int[] out) {
        if (rgb.length != out.length * 3) {
            throw new IllegalArgumentException("RGB tensor has " + rgb.length + " floats, expected " + out.length * 3);
        }
        int k = 0;
        for (int i = 0; i < out.length; i++) {
            int r = toByte(rgb[k++]);
            int g = toByte(rgb[k++]);
            int b = toByte(rgb[k++]);
            out[i] = 0xFF000000 | (r << 16) | (g << 8) | b;
        }
    }

    /**
     * One channel to a byte: {@code c = clamp(v, 0, 1)}, {@code (int) floor(c * 255.0 + 0.5)},
     * computed in double from the float value. NaN maps to 0.
     */
    public static int toByte(float v) {
        if (Float.isNaN(v)) {
            return 0;
        }
        double c = Math.min(1.0, Math.max(0.0, (double) v));
        return (int) Math.floor(c * 255.0 + 0.5);
    }

    private static void checkSize(int width, int height, int length, int perPixel, String what) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("width and height must be > 0, got " + width + "x" + height);
        }
        long expected = (long) width * height * perPixel;
        if (expected > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("image too large: " + width + "x" + height);
        }
        if (length != expected) {
            throw new IllegalArgumentException(what + " has " + length + " values, expected " + expected
                    + " for " + width + "x" + height);
        }
    }
}
