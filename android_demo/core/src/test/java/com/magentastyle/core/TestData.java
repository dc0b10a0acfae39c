package com.magentastyle.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import java.util.regex.Matcher;

/** Builders for test manifests and style files. */
final class TestData {
    private TestData() {
    }

    static String floats(float... values) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(Double.toString(values[i]));
        }
        return sb.append(']').toString();
    }

    static String style(String name, float... embedding) {
        return "{\"name\": \"" + name + "\", \"embedding\": " + floats(embedding)
                + ", \"thumbnail\": \"thumbnails/" + name + ".jpg\", \"source\": \"" + name + ".jpg\"}";
    }

    static String manifest(int embeddingSize, String... styles) {
        return manifest("\"magenta_style.manifest\"", "1", embeddingSize, styles);
    }

    static String manifest(String format, String version, int embeddingSize, String... styles) {
        return "{\n"
                + "  \"format\": " + format + ",\n"
                + "  \"format_version\": " + version + ",\n"
                + "  \"model_file\": \"model.tflite\",\n"
                + "  \"signature\": \"serving_default\",\n"
                + "  \"embedding_size\": " + embeddingSize + ",\n"
                + "  \"size_multiple\": 4,\n"
                + "  \"default_size\": [384, 512],\n"
                + "  \"inputs\": {\n"
                + "    \"content\": {\"name\": \"content\", \"dtype\": \"float32\", \"shape\": [1, -1, -1, 3], \"range\": [0.0, 1.0]},\n"
                + "    \"style_embedding\": {\"name\": \"style_embedding\", \"dtype\": \"float32\", \"shape\": [1, " + embeddingSize + "]}\n"
                + "  },\n"
                + "  \"outputs\": {\"stylized\": {\"name\": \"stylized\", \"dtype\": \"float32\", \"shape\": [1, -1, -1, 3], \"range\": [0.0, 1.0]}},\n"
                + "  \"styles\": [" + String.join(",\n    ", styles) + "]\n"
                + "}\n";
    }

    /** Three styles of size 4. */
    static String threeStyleManifest() {
        return manifest(4,
                style("starry_night", 1.0f, 0.98f, -0.5f, 0.1f),
                style("the_scream", 0.25f, -1.5f, 2.0f, 0.2f),
                style("wave", 3.0f, 0.0f, 1e-3f, -7.75f));
    }

    /** The "predictor" section the Python exporter writes, for an input of side x side. */
    static String predictor(int side, int embeddingSize) {
        return "{\"model_file\": \"predictor.tflite\", \"signature\": \"serving_default\", \"quantization\": \"float16\", "
                + "\"inputs\": {\"style_image\": {\"name\": \"style_image\", \"dtype\": \"float32\", "
                + "\"shape\": [1, " + side + ", " + side + ", 3], \"range\": [0.0, 1.0], \"view\": \"central square, resized\"}}, "
                + "\"outputs\": {\"style_embedding\": {\"name\": \"style_embedding\", \"dtype\": \"float32\", "
                + "\"shape\": [1, " + embeddingSize + "]}}}";
    }

    /** {@code manifest} with {@code "predictor": section} (JSON text, e.g. "null") as its first key. */
    static String withPredictor(String manifest, String section) {
        return manifest.replaceFirst("\\{", "{\"predictor\": " + Matcher.quoteReplacement(section) + ",");
    }

    static String base64OfHalves(int... halves) {
        ByteBuffer bb = ByteBuffer.allocate(halves.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int h : halves) {
            bb.putShort((short) h);
        }
        return Base64.getEncoder().encodeToString(bb.array());
    }

    static String styleFile(String name, int embeddingSize, String dtype, String base64) {
        return styleFile(name, embeddingSize, dtype, base64, "");
    }

    /** A style file whose metadata also holds {@code network}, e.g. {@code "architecture": "paper", }. */
    static String styleFile(String name, int embeddingSize, String dtype, String base64, String network) {
        return "{\"format\": \"magenta_style.style\", \"format_version\": 1, \"name\": \"" + name + "\", "
                + "\"embedding_size\": " + embeddingSize + ", \"dtype\": \"" + dtype + "\", \"byte_order\": \"little\", "
                + "\"embedding\": \"" + base64 + "\", "
                + "\"metadata\": {" + network + "\"source\": \"x.jpg\", \"steps\": 500, \"trained_by\": \"finetune\"}}";
    }

    /** The network of a minimal manifest with {@code embeddingSize} and the top-level keys {@code network}. */
    static Network network(int embeddingSize, String network) {
        return Manifest.parse("{\"format\": \"magenta_style.manifest\", \"format_version\": 1, " + network
                + "\"embedding_size\": " + embeddingSize + ", \"styles\": [{\"name\": \"a\", \"embedding\": "
                + floats(new float[embeddingSize]) + "}]}").network();
    }

    /** The network of a manifest that records no architecture or alpha (older exports). */
    static Network network(int embeddingSize) {
        return network(embeddingSize, "");
    }
}
