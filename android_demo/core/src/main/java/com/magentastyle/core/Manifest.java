package com.magentastyle.core;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.json.JSONArray;

/**
 * The model manifest {@code styles.json} written by the Python exporter next to
 * {@code model.tflite}: model file, signature and tensor names, the network (architecture, alpha,
 * embedding size), the built-in styles, the stroke and intensity {@link Controls}, the style
 * {@link Predictor} and the camera network, if the export has them. Unknown keys are ignored.
 */
public final class Manifest {
    public static final String FORMAT = "magenta_style.manifest";
    public static final int FORMAT_VERSION = 1;

    public static final String DEFAULT_SIGNATURE = "serving_default";
    public static final String DEFAULT_CONTENT_INPUT = "content";
    public static final String DEFAULT_STYLE_INPUT = "style_embedding";
    public static final String DEFAULT_OUTPUT = "stylized";

    private final String modelFile;
    private final String cameraModelFile;
    private final String signature;
    private final String contentInput;
    private final String styleInput;
    private final String output;
    private final Network network;
    private final int sizeMultiple;
    private final int defaultHeight;
    private final int defaultWidth;
    private final List<Style> styles;
    private final Predictor predictor;
    private final Controls controls;

    private Manifest(String modelFile, String cameraModelFile, String signature, String contentInput, String styleInput,
                     String output, Network network, int sizeMultiple, int defaultHeight,
                     int defaultWidth, List<Style> styles, Predictor predictor, Controls controls) {
        this.modelFile = modelFile;
        this.cameraModelFile = cameraModelFile;
        this.signature = signature;
        this.contentInput = contentInput;
        this.styleInput = styleInput;
        this.output = output;
        this.network = network;
        this.sizeMultiple = sizeMultiple;
        this.defaultHeight = defaultHeight;
        this.defaultWidth = defaultWidth;
        this.styles = Collections.unmodifiableList(styles);
        this.predictor = predictor;
        this.controls = controls;
    }

    /** Reads UTF-8 JSON from {@code in} (not closed) and parses it. */
    public static Manifest parse(InputStream in) throws IOException {
        return parse(Text.readUtf8(in, Text.MAX_MANIFEST_BYTES));
    }

    /**
     * Parses and validates a manifest.
     *
     * @throws ManifestException with a message naming the problem (and expected/actual values)
     */
    public static Manifest parse(String json) {
        Fields f = Fields.parse(json, "styles.json", ManifestException::new);

        String format = f.string("format");
        if (!FORMAT.equals(format)) {
            throw new ManifestException("styles.json: format must be \"" + FORMAT + "\", found \"" + format + "\"");
        }
        int version = f.integer("format_version");
        if (version != FORMAT_VERSION) {
            throw new ManifestException("styles.json: unsupported format_version " + version
                    + " (expected " + FORMAT_VERSION + "); re-export the model with a matching magenta_style version");
        }
        int embeddingSize = f.integer("embedding_size");
        if (embeddingSize <= 0) {
            throw new ManifestException("styles.json: embedding_size must be > 0, found " + embeddingSize);
        }
        int sizeMultiple = f.optInteger("size_multiple", 4);
        if (sizeMultiple <= 0) {
            throw new ManifestException("styles.json: size_multiple must be > 0, found " + sizeMultiple);
        }
        String modelFile = f.optString("model_file", "model.tflite");
        if (modelFile.isEmpty()) {
            throw new ManifestException("styles.json: model_file must not be empty");
        }
        String cameraModelFile = f.optString("camera_model_file", modelFile);
        if (cameraModelFile.isEmpty()) {
            throw new ManifestException("styles.json: camera_model_file must not be empty");
        }
        String signature = f.optString("signature", DEFAULT_SIGNATURE);

        int defaultHeight = 384;
        int defaultWidth = 384;
        if (f.has("default_size")) {
            JSONArray ds = f.array("default_size");
            Integer height = Fields.asInt(ds.opt(0));
            Integer width = Fields.asInt(ds.opt(1));
            if (ds.length() != 2 || height == null || width == null || height <= 0 || width <= 0) {
                throw new ManifestException("styles.json: default_size must be [height, width] with positive integers");
            }
            defaultHeight = height;
            defaultWidth = width;
        }

        String contentInput = DEFAULT_CONTENT_INPUT;
        String styleInput = DEFAULT_STYLE_INPUT;
        Fields inputs = f.optObject("inputs");
        if (inputs != null) {
            Fields content = inputs.optObject("content");
            if (content != null) {
                contentInput = content.optString("name", contentInput);
            }
            Fields style = inputs.optObject("style_embedding");
            if (style != null) {
                styleInput = style.optString("name", styleInput);
                if (style.has("shape")) {
                    JSONArray shape = style.array("shape");
                    Integer last = Fields.asInt(shape.opt(shape.length() - 1));
                    if (last != null && last != embeddingSize) {
                        throw new ManifestException("styles.json: inputs.style_embedding.shape ends with "
                                + last + " but embedding_size is " + embeddingSize);
                    }
                }
            }
        }
        String output = DEFAULT_OUTPUT;
        Fields outputs = f.optObject("outputs");
        if (outputs != null) {
            Fields stylized = outputs.optObject("stylized");
            if (stylized != null) {
                output = stylized.optString("name", output);
            }
        }

        Fields controlsEntry = f.optObject("controls");
        Controls controls = controlsEntry == null ? null : Controls.parse(controlsEntry);
        JSONArray rawStyles = f.array("styles");
        if (rawStyles.length() == 0) {
            throw new ManifestException("styles.json: the style list is empty; the manifest must contain at least one style");
        }
        List<Style> styles = new ArrayList<>(rawStyles.length());
        for (int i = 0; i < rawStyles.length(); i++) {
            Fields s = f.asObject(rawStyles.opt(i), "styles[" + i + "]", "styles.json: styles[" + i + "]");
            String name = s.string("name");
            if (name.isEmpty()) {
                throw new ManifestException("styles.json: styles[" + i + "] has an empty name");
            }
            float[] embedding = floats(s.array("embedding"), name, i, "embedding", embeddingSize);
            float[][] points = null;
            Fields pointsEntry = s.optObject("controls");
            if (pointsEntry != null) {
                if (controls == null) {
                    throw new ManifestException("styles.json: style '" + name + "' has control points but the manifest "
                            + "has no \"controls\" section");
                }
                points = new float[Controls.POINTS.length][];
                for (int p = 0; p < points.length; p++) {
                    points[p] = floats(pointsEntry.array(Controls.POINTS[p]), name, i, Controls.POINTS[p], embeddingSize);
                }
            }
            styles.add(new Style(name, embedding, s.optString("thumbnail", null), s.optString("source", null), points));
        }
        Fields predictor = f.optObject("predictor");
        return new Manifest(modelFile, cameraModelFile, signature, contentInput, styleInput, output, new Network(embeddingSize, f),
                sizeMultiple, defaultHeight, defaultWidth, styles,
                predictor == null ? null : Predictor.parse(predictor, embeddingSize), controls);
    }

    /** A style's array of {@code size} numbers as float32 (each literal's double rounded, as numpy does). */
    private static float[] floats(JSONArray values, String name, int index, String what, int size) {
        if (values.length() != size) {
            throw new ManifestException("styles.json: style '" + name + "' (index " + index + "): " + what + " has length "
                    + values.length() + ", expected embedding_size " + size);
        }
        float[] out = new float[size];
        for (int j = 0; j < size; j++) {
            Object v = values.opt(j);
            if (!(v instanceof Number)) {
                throw new ManifestException("styles.json: style '" + name + "' " + what + "[" + j
                        + "] must be a number, found " + Fields.typeName(v));
            }
            // The literal's double rounded to float32, as numpy casts the float Python's json reads.
            float x = (float) ((Number) v).doubleValue();
            if (!Float.isFinite(x)) {
                throw new ManifestException("styles.json: style '" + name + "' " + what + "[" + j
                        + "] = " + v + " is not a finite float32");
            }
            out[j] = x;
        }
        return out;
    }

    public String modelFile() {
        return modelFile;
    }

    /**
     * The network the live camera films with: {@code camera_model_file}, the same styles in a
     * network whose strokes follow motion (Python's {@code stabilize}), or the model file where the
     * manifest names none. Same signature and tensor names as the model.
     */
    public String cameraModelFile() {
        return cameraModelFile;
    }

    /** Signature key to run, normally "serving_default". */
    public String signature() {
        return signature;
    }

    /** Signature input name of the content image, normally "content". */
    public String contentInput() {
        return contentInput;
    }

    /** Signature input name of the style embedding, normally "style_embedding". */
    public String styleInput() {
        return styleInput;
    }

    /** Signature output name, normally "stylized". */
    public String output() {
        return output;
    }

    public int embeddingSize() {
        return network.embeddingSize();
    }

    /** The network the model's styles are made for: what an imported style file must fit. */
    public Network network() {
        return network;
    }

    /** Image sides must be multiples of this (4 for the Dumoulin et al. network). */
    public int sizeMultiple() {
        return sizeMultiple;
    }

    public int defaultHeight() {
        return defaultHeight;
    }

    public int defaultWidth() {
        return defaultWidth;
    }

    /** The built-in styles, in manifest order (never empty). */
    public List<Style> styles() {
        return styles;
    }

    /** The stroke and intensity controls, or null when no style of the model has them. */
    public Controls controls() {
        return controls;
    }

    /** The style predictor (styles from any picture), or null when the model has none. */
    public Predictor predictor() {
        return predictor;
    }

    /** The style at {@code index}, with a clear error when out of range. */
    public Style style(int index) {
        if (index < 0 || index >= styles.size()) {
            throw new IndexOutOfBoundsException("style index " + index + " out of range (manifest has "
                    + styles.size() + " styles)");
        }
        return styles.get(index);
    }
}
