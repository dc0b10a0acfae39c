package com.magentastyle.core;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * Writes the JVM side of the Python↔JVM contract test; test tooling, not part of the app.
 *
 * <pre>java -cp core-classes:test-classes:json.jar com.magentastyle.core.ContractMain styles.json out.json [x.style.json ...]</pre>
 *
 * Output, written with {@code org.json} (floats as the double of the float32, which reads back as
 * that float32, except that -0.0 is written as {@code -0}, read back as 0; ARGB pixels as unsigned
 * 32-bit numbers, e.g. 0xFF102030 = 4279246896, the value Python computes for
 * {@code 0xFF000000 | r << 16 | g << 8 | b}):
 * <pre>
 * {"blend_2": [...],                       styles 0 and 1, weights 0.3 and 0.7
 *  "blend_3": [...],                       styles 0, 1, 2, weights 1, 2, 1 (only with >= 3 styles)
 *  "blend_2_spec": {...}, "blend_3_spec": {...},
 *  "pixels": {"width": 7, "height": 5, "argb": [...], "tensor": [...]},
 *  "to_argb": {"tensor": [...], "argb": [...]},   float → byte conversion of edge values
 *  "fit_sizes": [[w, h, longSide, W, H], ...],
 *  "model_file": ..., "camera_model_file": ...,   the files the app runs for photos and the camera
 *  "predictor": null, or what the manifest's predictor section parses to and the app's input to it:
 *      {"model_file": ..., "signature": ..., "input": ..., "input_side": S, "output": ...,
 *       "embedding_size": D, "views": [{"width": w, "height": h, "argb": [...], "tensor": [...]}, ...]},
 *      each view the S x S central square of a {@link #testPicture} of a {@link #VIEW_PICTURES} size,
 *  "controlled": null without controls, else [{"stroke": s, "strength": k, "embedding": [...]}, ...]:
 *      styles 0 and 1, weights 0.3 and 0.7, at each of {@link #CONTROL_SETTINGS},
 *  "style_files": {"x.style.json": {"name": ..., "embedding": [...], "points": [[...], ...] or null}
 *                  or {"refused": "message"}, ...}}
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

    /**
     * {width, height} of the pictures whose predictor views are written: wide, shrunk by 2.25 to
     * S = 256 (kernels 7 pixels wide); tall, enlarged, with an odd margin.
     */
    static final int[][] VIEW_PICTURES = {
        {769, 577},
        {181, 334},
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

    /** {stroke, strength} settings of the controlled blends: each side of 1, the ends, both at once. */
    static final double[][] CONTROL_SETTINGS = {
        {0.5, 1.0},
        {0.7, 1.0},
        {1.3, 0.5},
        {2.0, 1.0},
        {1.0, 1.25},
        {0.8, 1.6},
        {1.75, 2.0},
    };

    private ContractMain() {
    }

    public static void main(String[] args) throws IOException, JSONException {
        if (args.length < 2) {
            System.err.println("usage: ContractMain MANIFEST_PATH OUT_PATH [STYLE_FILE ...]");
            System.exit(2);
            return;
        }
        Manifest manifest;
        try (InputStream in = new FileInputStream(args[0])) {
            manifest = Manifest.parse(in);
        }
        JSONObject styleFiles = new JSONObject();
        for (int i = 2; i < args.length; i++) {
            styleFiles.put(args[i], importStyleFile(args[i], manifest));
        }
        String json = build(manifest).put("style_files", styleFiles).toString();
        try (Writer w = new OutputStreamWriter(new FileOutputStream(args[1]), StandardCharsets.UTF_8)) {
            w.write(json);
        }
        System.out.println("ContractMain: wrote " + args[1] + " (" + manifest.styles().size() + " styles, embedding_size "
                + manifest.embeddingSize() + (manifest.predictor() == null ? ", no predictor" : ", a predictor") + ")");
    }

    /** What importing a style file into the app gives: the style, or why it is refused. */
    static JSONObject importStyleFile(String path, Manifest manifest) throws IOException, JSONException {
        try (InputStream in = new FileInputStream(path)) {
            Style style = StyleFile.parse(in, manifest.network());
            Object points = JSONObject.NULL;
            if (style.hasControls()) {
                JSONArray list = new JSONArray();
                for (int p = 0; p < Controls.POINTS.length; p++) {
                    list.put(floats(style.pointUnsafe(p)));
                }
                points = list;
            }
            return new JSONObject().put("name", style.name()).put("embedding", floats(style.embeddingUnsafe()))
                    .put("points", points);
        } catch (StyleFileException e) {
            return new JSONObject().put("refused", e.getMessage());
        }
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

    /**
     * A deterministic picture with smooth and sharp detail: red a horizontal ramp, green hashed
     * noise, blue a checkerboard of 3 x 1 cells.
     */
    static int[] testPicture(int width, int height) {
        int[] argb = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int red = x * 255 / Math.max(1, width - 1);
                int green = ((x * 73856093) ^ (y * 19349663)) >>> 13 & 0xFF;
                int blue = (x / 3 + y) % 2 * 255;
                argb[y * width + x] = 0xFF000000 | (red << 16) | (green << 8) | blue;
            }
        }
        return argb;
    }

    /** The parsed predictor and its inputs for the {@link #VIEW_PICTURES}, or null without one. */
    static Object predictor(Manifest manifest) throws JSONException {
        Predictor predictor = manifest.predictor();
        if (predictor == null) {
            return JSONObject.NULL;
        }
        JSONArray views = new JSONArray();
        for (int[] size : VIEW_PICTURES) {
            int[] argb = testPicture(size[0], size[1]);
            views.put(new JSONObject().put("width", size[0]).put("height", size[1]).put("argb", unsigned(argb))
                    .put("tensor", floats(SquareView.tensor(argb, size[0], size[1], predictor.inputSide()))));
        }
        return new JSONObject().put("model_file", predictor.modelFile()).put("signature", predictor.signature())
                .put("input", predictor.input()).put("input_side", predictor.inputSide())
                .put("output", predictor.output()).put("embedding_size", predictor.embeddingSize())
                .put("views", views);
    }

    private static JSONArray floats(float[] values) throws JSONException {
        JSONArray array = new JSONArray();
        for (float v : values) {
            array.put((double) v);
        }
        return array;
    }

    private static JSONArray unsigned(int[] values) {
        JSONArray array = new JSONArray();
        for (int v : values) {
            array.put(Integer.toUnsignedLong(v));
        }
        return array;
    }

    private static JSONArray ints(int... values) {
        JSONArray array = new JSONArray();
        for (int v : values) {
            array.put(v);
        }
        return array;
    }

    /** Puts {@code key}, the blend of {@code styles}, and {@code key_spec}, its styles and weights. */
    private static void putBlend(JSONObject out, String key, Manifest manifest, int[] styles, double[] weights)
            throws JSONException {
        float[][] embeddings = new float[styles.length][];
        JSONArray weightList = new JSONArray();
        for (int i = 0; i < styles.length; i++) {
            embeddings[i] = manifest.style(styles[i]).embeddingUnsafe();
            weightList.put(weights[i]);
        }
        out.put(key + "_spec", new JSONObject().put("styles", ints(styles)).put("weights", weightList));
        out.put(key, floats(Blender.blend(embeddings, weights)));
    }

    /** The blends of styles 0 and 1 at the {@link #CONTROL_SETTINGS}, or null without controls. */
    static Object controlled(Manifest manifest) throws JSONException {
        if (manifest.controls() == null) {
            return JSONObject.NULL;
        }
        JSONArray out = new JSONArray();
        List<Style> styles = Arrays.asList(manifest.style(0), manifest.style(1));
        for (double[] setting : CONTROL_SETTINGS) {
            float[] blend = Blender.blend(styles, new double[] {0.3, 0.7}, manifest.controls(), setting[0], setting[1]);
            out.put(new JSONObject().put("stroke", setting[0]).put("strength", setting[1]).put("embedding", floats(blend)));
        }
        return out;
    }

    /** Builds the contract JSON for a manifest (needs at least two styles). */
    static JSONObject build(Manifest manifest) throws JSONException {
        int n = manifest.styles().size();
        if (n < 2) {
            throw new IllegalArgumentException("the contract needs a manifest with at least 2 styles, this one has " + n);
        }
        JSONObject out = new JSONObject();
        out.put("model_file", manifest.modelFile()).put("camera_model_file", manifest.cameraModelFile());
        putBlend(out, "blend_2", manifest, new int[] {0, 1}, new double[] {0.3, 0.7});
        if (n >= 3) {
            putBlend(out, "blend_3", manifest, new int[] {0, 1, 2}, new double[] {1, 2, 1});
        }

        int[] argb = testPixels();
        out.put("pixels", new JSONObject().put("width", PIXELS_WIDTH).put("height", PIXELS_HEIGHT)
                .put("argb", unsigned(argb))
                .put("tensor", floats(Pixels.toTensor(argb, PIXELS_WIDTH, PIXELS_HEIGHT))));

        int[] back = Pixels.fromTensor(TO_ARGB_TENSOR, TO_ARGB_TENSOR.length / 3, 1);
        out.put("to_argb", new JSONObject().put("tensor", floats(TO_ARGB_TENSOR)).put("argb", unsigned(back)));

        JSONArray fitSizes = new JSONArray();
        for (int[] c : FIT_CASES) {
            InputSize size = InputSize.fit(c[0], c[1], c[2]);
            fitSizes.put(ints(c[0], c[1], c[2], size.width(), size.height()));
        }
        return out.put("fit_sizes", fitSizes).put("predictor", predictor(manifest))
                .put("controlled", controlled(manifest));
    }
}
