package com.magentastyle.core;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/**
 * Writes the JVM side of the Python↔JVM contract test.
 *
 * <pre>java -cp core-classes com.magentastyle.core.ContractMain styles.json out.json</pre>
 *
 * Output (floats written as exact float32 values, see {@link JsonWriter}; ARGB pixels written as
 * unsigned 32-bit numbers, e.g. 0xFF102030 = 4279246896, the value Python computes for
 * {@code 0xFF000000 | r << 16 | g << 8 | b}):
 * <pre>
 * {"blend_2": [...],                       styles 0 and 1, weights 0.3 and 0.7
 *  "blend_3": [...],                       styles 0, 1, 2, weights 1, 2, 1 (only with >= 3 styles)
 *  "blend_2_spec": {...}, "blend_3_spec": {...},
 *  "pixels": {"width": 7, "height": 5, "argb": [...], "tensor": [...]},
 *  "to_argb": {"tensor": [...], "argb": [...]},   float → byte conversion of edge values
 *  "fit_sizes": [[w, h, longSide, W, H], ...]}
 * </pre>
 */
public final class ContractMain {
    static final int PIXELS_WIDTH = 7;
    static final int PIXELS_HEIGHT = 5;

    /** {width, height, longSide} cases for {@link InputSize#fit}. */
    static final int[][] FIT_CASES = {
        {7, 5, 256},
        {640, 480, 384},
        {480, 640, 384},
        {4032, 3024, 512},
        {3024, 4032, 768},
        {1920, 1080, 1024},
        {1080, 1920, 256},
        {333, 333, 1024},
        {100, 37, 256},
        {1000, 1, 256},
        {1, 1000, 1024},
        {257, 255, 384},
        {2, 3, 4},
    };

    /** Floats for the float → ARGB conversion check: clamping, rounding boundaries, extremes. */
    static final float[] TO_ARGB_TENSOR = {
        -0.5f, 0.0f, 1.0f,
        1.5f, 0.5f, 0.25f,
        0.5f / 255f, 1.5f / 255f, 254.5f / 255f,
        0.0019607844f, 0.9980392f, 0.33333334f,
        1e-8f, 0.99999994f, -0.0f,
        0.123456789f, 0.876543211f, 0.5019608f,
    };

    private ContractMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: ContractMain MANIFEST_PATH OUT_PATH");
            System.exit(2);
            return;
        }
        Manifest manifest;
        try (InputStream in = new FileInputStream(args[0])) {
            manifest = Manifest.parse(in);
        }
        String json = build(manifest);
        try (Writer w = new OutputStreamWriter(new FileOutputStream(args[1]), StandardCharsets.UTF_8)) {
            w.write(json);
        }
        System.out.println("ContractMain: wrote " + args[1] + " (" + manifest.styles().size() + " styles, embedding_size "
                + manifest.embeddingSize() + ")");
    }

    /** The deterministic 7x5 test image: row-major, y then x. */
    static int[] testPixels() {
        int[] argb = new int[PIXELS_WIDTH * PIXELS_HEIGHT];
        int k = 0;
        for (int y = 0; y < PIXELS_HEIGHT; y++) {
            for (int x = 0; x < PIXELS_WIDTH; x++) {
                argb[k++] = 0xFF000000
                        | (((x * 37 + y * 11) % 256) << 16)
                        | (((x * 5 + y * 53) % 256) << 8)
                        | ((x * 91 + y * 7) % 256);
            }
        }
        return argb;
    }

    private static StringBuilder appendUnsigned(StringBuilder sb, int[] values) {
        sb.append('[');
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(Integer.toUnsignedLong(values[i]));
        }
        return sb.append(']');
    }

    /** Builds the contract JSON for a manifest (needs at least two styles). */
    static String build(Manifest manifest) {
        int n = manifest.styles().size();
        if (n < 2) {
            throw new IllegalArgumentException("the contract needs a manifest with at least 2 styles, this one has " + n);
        }
        StringBuilder sb = new StringBuilder(1 << 16);
        sb.append("{\n");

        float[] blend2 = Blender.blend(
                new float[][] {manifest.style(0).embeddingUnsafe(), manifest.style(1).embeddingUnsafe()},
                new double[] {0.3, 0.7});
        sb.append("\"blend_2_spec\": {\"styles\": [0, 1], \"weights\": [0.3, 0.7]},\n");
        sb.append("\"blend_2\": ");
        JsonWriter.appendFloats(sb, blend2).append(",\n");

        if (n >= 3) {
            float[] blend3 = Blender.blend(
                    new float[][] {
                        manifest.style(0).embeddingUnsafe(),
                        manifest.style(1).embeddingUnsafe(),
                        manifest.style(2).embeddingUnsafe(),
                    },
                    new double[] {1, 2, 1});
            sb.append("\"blend_3_spec\": {\"styles\": [0, 1, 2], \"weights\": [1.0, 2.0, 1.0]},\n");
            sb.append("\"blend_3\": ");
            JsonWriter.appendFloats(sb, blend3).append(",\n");
        }

        int[] argb = testPixels();
        float[] tensor = Pixels.toTensor(argb, PIXELS_WIDTH, PIXELS_HEIGHT);
        sb.append("\"pixels\": {\"width\": ").append(PIXELS_WIDTH)
                .append(", \"height\": ").append(PIXELS_HEIGHT)
                .append(", \"argb\": ");
        appendUnsigned(sb, argb).append(", \"tensor\": ");
        JsonWriter.appendFloats(sb, tensor).append("},\n");

        int[] back = Pixels.fromTensor(TO_ARGB_TENSOR, TO_ARGB_TENSOR.length / 3, 1);
        sb.append("\"to_argb\": {\"tensor\": ");
        JsonWriter.appendFloats(sb, TO_ARGB_TENSOR).append(", \"argb\": ");
        appendUnsigned(sb, back).append("},\n");

        sb.append("\"fit_sizes\": [");
        for (int i = 0; i < FIT_CASES.length; i++) {
            int[] c = FIT_CASES[i];
            InputSize size = InputSize.fit(c[0], c[1], c[2]);
            if (i > 0) {
                sb.append(", ");
            }
            JsonWriter.appendInts(sb, new int[] {c[0], c[1], c[2], size.width(), size.height()});
        }
        sb.append("]\n}\n");
        return sb.toString();
    }
}
