package com.magentastyle.core;

/**
 * The model input size for a photo: the long side scaled to a chosen length, aspect ratio kept,
 * both sides rounded to a multiple of 4 (the network downsamples twice by 2).
 */
public final class InputSize {
    public static final int DEFAULT_MULTIPLE = 4;

    private final int width;
    private final int height;

    public InputSize(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("size must be positive, got " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
    }

    /**
     * Fits a {@code width x height} image to {@code longSide} with multiples of 4:
     * {@code s = longSide / (double) max(w, h)}, {@code W = max(4, 4 * (int) floor(w * s / 4.0 + 0.5))},
     * {@code H} likewise.
     *
     * @throws IllegalArgumentException if width or height is not positive, or longSide is not a
     *                                  positive multiple of 4
     */
    public static InputSize fit(int width, int height, int longSide) {
        return fit(width, height, longSide, DEFAULT_MULTIPLE);
    }

    /** {@link #fit(int, int, int)} with another multiple ({@code multiple = 4} is the same formula). */
    public static InputSize fit(int width, int height, int longSide, int multiple) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (multiple <= 0) {
            throw new IllegalArgumentException("multiple must be positive, got " + multiple);
        }
        if (longSide <= 0 || longSide % multiple != 0) {
            throw new IllegalArgumentException("long side must be a positive multiple of " + multiple + ", got " + longSide);
        }
        double s = longSide / (double) Math.max(width, height);
        int w = Math.max(multiple, multiple * (int) Math.floor(width * s / (double) multiple + 0.5));
        int h = Math.max(multiple, multiple * (int) Math.floor(height * s / (double) multiple + 0.5));
        return new InputSize(w, h);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** {@code {width, height}}. */
    public int[] toArray() {
        return new int[] {width, height};
    }

    /** NHWC shape of the content tensor for a batch of one: {@code {1, height, width, 3}}. */
    public int[] tensorShape() {
        return new int[] {1, height, width, 3};
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InputSize && ((InputSize) o).width == width && ((InputSize) o).height == height;
    }

    @Override
    public int hashCode() {
        return width * 31 + height;
    }

    @Override
    public String toString() {
        return width + "x" + height;
    }
}
