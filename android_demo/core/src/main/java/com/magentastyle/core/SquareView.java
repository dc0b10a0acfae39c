package com.magentastyle.core;

/**
 * What the style predictor sees of a picture: its largest central square (the odd pixel left over
 * on the top or left side stays out), resized to {@code side x side}, as float RGB in [0, 1]
 * (NHWC, batch of one). The computation of Python's {@code center_crop}, whose
 * {@code tf.image.resize(..., antialias=True)} is TensorFlow's {@code ScaleAndTranslate} with a
 * triangle kernel: when shrinking, the kernel is widened by the scale (an area-weighted average);
 * when enlarging, it is half-pixel bilinear. Pixels are {@link Pixels#toTensor} values; weights,
 * rows first and then columns, are computed in float32 in TensorFlow's order.
 *
 * <p>Cannot promise TensorFlow's bits everywhere: equal to them against the x86-64 TensorFlow
 * wheel (the contract test), a build of TensorFlow that fuses the multiply-adds (FMA) may differ
 * by a few float32 ulps.
 */
public final class SquareView {
    private SquareView() {
    }

    /**
     * The view of a {@code width x height} ARGB picture (Android's {@code Bitmap.getPixels} layout),
     * a new array of {@code side * side * 3} floats.
     *
     * @throws IllegalArgumentException if a size is not positive or the array does not fit them
     */
    public static float[] tensor(int[] argb, int width, int height, int side) {
        if (side <= 0) {
            throw new IllegalArgumentException("side must be > 0, got " + side);
        }
        float[] rgb = Pixels.toTensor(argb, width, height);
        int crop = Math.min(width, height);
        int top = (height - crop) / 2;
        int left = (width - crop) / 2;
        Taps taps = new Taps(crop, side);

        // Rows: the crop's columns at the output's rows, [side][crop][3].
        float[] rows = new float[side * crop * 3];
        for (int y = 0; y < side; y++) {
            int out = y * crop * 3;
            for (int k = 0; k < taps.weights[y].length; k++) {
                float w = taps.weights[y][k];
                int in = ((top + taps.starts[y] + k) * width + left) * 3;
                for (int i = 0; i < crop * 3; i++) {
                    rows[out + i] += w * rgb[in + i];
                }
            }
        }
        // Columns: [side][side][3].
        float[] view = new float[side * side * 3];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int out = (y * side + x) * 3;
                for (int k = 0; k < taps.weights[x].length; k++) {
                    float w = taps.weights[x][k];
                    int in = (y * crop + taps.starts[x] + k) * 3;
                    for (int c = 0; c < 3; c++) {
                        view[out + c] += w * rows[in + c];
                    }
                }
            }
        }
        for (int i = 0; i < view.length; i++) {
            view[i] = Math.min(1f, Math.max(0f, view[i]));
        }
        return view;
    }

    /** For each output pixel of one axis, the first input pixel it reads and their weights. */
    private static final class Taps {
        final int[] starts;
        final float[][] weights;

        /** TensorFlow's {@code ComputeSpansCore} for the triangle kernel (radius 1), no translation. */
        Taps(int inSize, int outSize) {
            starts = new int[outSize];
            weights = new float[outSize][];
            float scale = (float) outSize / (float) inSize;
            float invScale = (float) (1.0 / scale);
            float kernelScale = Math.max(invScale, 1f);
            float oneOverKernelScale = 1f / kernelScale;
            for (int x = 0; x < outSize; x++) {
                float sample = (x + 0.5f) * invScale;
                int start = clamp((int) Math.ceil(sample - kernelScale - 0.5f), inSize);
                int end = clamp((int) Math.floor(sample + kernelScale - 0.5f), inSize) + 1;
                float[] w = new float[end - start];
                float total = 0f;
                for (int k = 0; k < w.length; k++) {
                    float distance = Math.abs(((float) (start + k) + 0.5f - sample) * oneOverKernelScale);
                    w[k] = distance < 1f ? 1f - distance : 0f;
                    total += w[k];
                }
                float oneOverTotal = 1f / total;
                for (int k = 0; k < w.length; k++) {
                    w[k] *= oneOverTotal;
                }
                starts[x] = start;
                weights[x] = w;
            }
        }

        private static int clamp(int i, int size) {
            return Math.min(size - 1, Math.max(0, i));
        }
    }
}
