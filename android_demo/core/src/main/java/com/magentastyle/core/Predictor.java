package com.magentastyle.core;

import org.json.JSONArray;

/**
 * The style predictor a manifest describes ({@code styles.json}'s "predictor" section, next to
 * {@code predictor.tflite}): a picture's {@link SquareView} at {@code S x S} in (float32
 * {@code [1, S, S, 3]}), a style embedding of the model's size out (float32 {@code [1, D]}).
 * Unknown keys (quantization, range) are ignored.
 *
 * <p>Cannot describe another view of the picture: the app computes only the central square, so
 * any other "view" is refused.
 */
public final class Predictor {
    public static final String DEFAULT_MODEL_FILE = "predictor.tflite";
    /** Key (and default tensor name) of the input in "inputs". */
    public static final String INPUT = "style_image";
    /** Key (and default tensor name) of the output in "outputs". */
    public static final String OUTPUT = "style_embedding";
    /** The one view of the picture the app computes ({@link SquareView}). */
    public static final String VIEW = "central square, resized";

    private final String modelFile;
    private final String signature;
    private final String input;
    private final int inputSide;
    private final String output;
    private final int embeddingSize;

    private Predictor(String modelFile, String signature, String input, int inputSide, String output,
                      int embeddingSize) {
        this.modelFile = modelFile;
        this.signature = signature;
        this.input = input;
        this.inputSide = inputSide;
        this.output = output;
        this.embeddingSize = embeddingSize;
    }

    /**
     * Parses the "predictor" section of a manifest whose embeddings have {@code embeddingSize} values.
     *
     * @throws ManifestException naming the field and the value found
     */
    static Predictor parse(Fields section, int embeddingSize) {
        String modelFile = section.optString("model_file", DEFAULT_MODEL_FILE);
        if (modelFile.isEmpty()) {
            throw new ManifestException(section.where() + ": model_file must not be empty");
        }
        String signature = section.optString("signature", Manifest.DEFAULT_SIGNATURE);

        Fields in = section.object("inputs").object(INPUT);
        int[] inShape = float32Shape(in);
        if (inShape.length != 4 || inShape[0] != 1 || inShape[1] <= 0 || inShape[1] != inShape[2] || inShape[3] != 3) {
            throw new ManifestException(in.where() + ": shape must be [1, S, S, 3] with S > 0, found "
                    + in.array("shape"));
        }
        String view = in.optString("view", VIEW);
        if (!VIEW.equals(view)) {
            throw new ManifestException(in.where() + ": view must be \"" + VIEW + "\", found \"" + view + "\"");
        }

        Fields out = section.object("outputs").object(OUTPUT);
        int[] outShape = float32Shape(out);
        if (outShape.length != 2 || outShape[0] != 1 || outShape[1] != embeddingSize) {
            throw new ManifestException(out.where() + ": shape must be [1, " + embeddingSize
                    + "] (embedding_size " + embeddingSize + "), found " + out.array("shape"));
        }
        return new Predictor(modelFile, signature, in.optString("name", INPUT), inShape[1],
                out.optString("name", OUTPUT), embeddingSize);
    }

    /** The "shape" of a tensor description whose "dtype", when given, is float32. */
    private static int[] float32Shape(Fields tensor) {
        String dtype = tensor.optString("dtype", "float32");
        if (!"float32".equals(dtype)) {
            throw new ManifestException(tensor.where() + ": dtype must be \"float32\", found \"" + dtype + "\"");
        }
        JSONArray shape = tensor.array("shape");
        int[] sizes = new int[shape.length()];
        for (int i = 0; i < sizes.length; i++) {
            Integer size = Fields.asInt(shape.opt(i));
            if (size == null) {
                throw new ManifestException(tensor.where() + ": shape must hold integers, found " + shape);
            }
            sizes[i] = size;
        }
        return sizes;
    }

    /** Asset path of the predictor model, normally "predictor.tflite". */
    public String modelFile() {
        return modelFile;
    }

    /** Signature key to run, normally "serving_default". */
    public String signature() {
        return signature;
    }

    /** Signature input name of the style image, normally "style_image". */
    public String input() {
        return input;
    }

    /** S: the style image input is {@code [1, S, S, 3]}. */
    public int inputSide() {
        return inputSide;
    }

    /** Signature output name of the embedding, normally "style_embedding". */
    public String output() {
        return output;
    }

    /** D, equal to the manifest's embedding_size: the output is {@code [1, D]}. */
    public int embeddingSize() {
        return embeddingSize;
    }

    /** NHWC shape of the input: {@code {1, S, S, 3}}. */
    public int[] inputShape() {
        return new int[] {1, inputSide, inputSide, 3};
    }
}
