package com.magentastyle.core;

import java.io.IOException;
import java.io.InputStream;

/**
 * A standalone style embedding file ({@code *.style.json}) exported by the Python library:
 *
 * <pre>
 * {"format": "magenta_style.style", "format_version": 1, "name": "my_style",
 *  "embedding_size": 3206, "dtype": "float16", "byte_order": "little",
 *  "embedding": "&lt;base64 of float16 little-endian bytes&gt;",
 *  "metadata": {"architecture": "paper", "alpha": 1.0, "source": "x.jpg", ...}}
 * </pre>
 *
 * A style with stroke and intensity controls also has {@code "controls": {"stroke_small": "<base64>",
 * "stroke_large": ..., "intense": ...}}, each encoded as the embedding.
 *
 * Importing one adds a style to the app without a new model, as long as it was made for the
 * model's network: same architecture, alpha and embedding size.
 */
public final class StyleFile {
    public static final String FORMAT = "magenta_style.style";
    public static final int FORMAT_VERSION = 1;
    public static final String DTYPE = "float16";
    public static final String BYTE_ORDER = "little";

    private StyleFile() {
    }

    /** Reads UTF-8 JSON from {@code in} (not closed) and parses it; see {@link #parse(String, Network)}. */
    public static Style parse(InputStream in, Network model) throws IOException {
        return parse(Text.readUtf8(in, Text.MAX_STYLE_FILE_BYTES), model);
    }

    /**
     * Parses a style file and checks that it was made for the model's network (architecture,
     * alpha and embedding size; see {@link Network}).
     *
     * @param model the model's network ({@link Manifest#network()})
     * @throws StyleFileException if the file is malformed or made for another network
     */
    public static Style parse(String json, Network model) {
        Fields f = Fields.parse(json, "style file", StyleFileException::new);
        String format = f.string("format");
        if (!FORMAT.equals(format)) {
            throw new StyleFileException("style file: format must be \"" + FORMAT + "\", found \"" + format + "\"");
        }
        int version = f.integer("format_version");
        if (version != FORMAT_VERSION) {
            throw new StyleFileException("style file: unsupported format_version " + version
                    + " (expected " + FORMAT_VERSION + ")");
        }
        String name = f.string("name");
        if (name.isEmpty()) {
            throw new StyleFileException("style file: name must not be empty");
        }
        int embeddingSize = f.integer("embedding_size");
        if (embeddingSize <= 0) {
            throw new StyleFileException("style file '" + name + "': embedding_size must be > 0, found " + embeddingSize);
        }
        String dtype = f.string("dtype");
        if (!DTYPE.equals(dtype)) {
            throw new StyleFileException("style file '" + name + "': dtype must be \"" + DTYPE + "\", found \"" + dtype + "\"");
        }
        String byteOrder = f.optString("byte_order", BYTE_ORDER);
        if (!BYTE_ORDER.equals(byteOrder)) {
            throw new StyleFileException("style file '" + name + "': byte_order must be \"" + BYTE_ORDER
                    + "\", found \"" + byteOrder + "\"");
        }
        float[] embedding = decode(f.string("embedding"), name, "embedding", embeddingSize);
        float[][] points = null;
        Fields pointsEntry = f.optObject("controls");
        if (pointsEntry != null) {
            points = new float[Controls.POINTS.length][];
            for (int p = 0; p < points.length; p++) {
                points[p] = decode(pointsEntry.string(Controls.POINTS[p]), name, "control point " + Controls.POINTS[p],
                        embeddingSize);
            }
        }
        // metadata is free-form: the network the style was made for, "source" when it is a string.
        Fields metadata = f.optObject("metadata");
        model.checkFits(name, new Network(embeddingSize, metadata));
        Object source = metadata == null ? null : metadata.value("source");
        return new Style(name, embedding, null, source instanceof String ? (String) source : null, points);
    }

    /** Base64 float16 little-endian values of an embedding or control point, checked. */
    private static float[] decode(String text, String name, String what, int embeddingSize) {
        byte[] bytes;
        try {
            bytes = Base64.decode(text);
        } catch (IllegalArgumentException e) {
            throw new StyleFileException("style file '" + name + "': " + what + " is not valid base64: " + e.getMessage(), e);
        }
        if (bytes.length % 2 != 0) {
            throw new StyleFileException("style file '" + name + "': " + what + " has " + bytes.length
                    + " bytes, not a whole number of float16 values");
        }
        int count = bytes.length / 2;
        if (count != embeddingSize) {
            throw new StyleFileException("style file '" + name + "': " + what + " decodes to " + count
                    + " float16 values but embedding_size is " + embeddingSize);
        }
        float[] values = decodeFloat16LittleEndian(bytes);
        for (int i = 0; i < values.length; i++) {
            if (Float.isNaN(values[i]) || Float.isInfinite(values[i])) {
                throw new StyleFileException("style file '" + name + "': " + what + "[" + i + "] is " + values[i]);
            }
        }
        return values;
    }

    /** Decodes consecutive little-endian IEEE 754 binary16 values to float32 (exact). */
    public static float[] decodeFloat16LittleEndian(byte[] bytes) {
        if (bytes.length % 2 != 0) {
            throw new IllegalArgumentException("odd number of bytes (" + bytes.length + ") for float16 data");
        }
        float[] out = new float[bytes.length / 2];
        for (int i = 0; i < out.length; i++) {
            int bits = (bytes[2 * i] & 0xFF) | ((bytes[2 * i + 1] & 0xFF) << 8);
            out[i] = halfToFloat(bits);
        }
        return out;
    }

    /**
     * Converts IEEE 754 binary16 bits (low 16 bits of {@code bits}) to the float32 of the same value.
     * Every half value, subnormals included, is exactly representable as a float.
     */
    public static float halfToFloat(int bits) {
        int sign = (bits >>> 15) & 0x1;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0) {
            // Zero or subnormal: mantissa * 2^-24, exact in float.
            float magnitude = Math.scalb((float) mantissa, -24);
            return sign == 0 ? magnitude : -magnitude;
        }
        if (exponent == 0x1F) {
            if (mantissa == 0) {
                return sign == 0 ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
            }
            // NaN: keep the payload in the top mantissa bits (quiet bit stays the quiet bit).
            return Float.intBitsToFloat((sign << 31) | 0x7F800000 | (mantissa << 13));
        }
        // Normal: rebias the exponent from 15 to 127.
        return Float.intBitsToFloat((sign << 31) | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** Standard base64 (RFC 4648) decoding; ignores whitespace, padding optional. No java.util.Base64 (API 26). */
    static final class Base64 {
        private static final int[] VALUES = new int[128];

        static {
            java.util.Arrays.fill(VALUES, -1);
            String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            for (int i = 0; i < alphabet.length(); i++) {
                VALUES[alphabet.charAt(i)] = i;
            }
        }

        private Base64() {
        }

        static byte[] decode(String s) {
            byte[] out = new byte[s.length() * 3 / 4 + 3];
            int n = 0;
            int acc = 0;
            int bitsHeld = 0;
            int symbols = 0;
            int padding = 0;
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                    continue;
                }
                if (c == '=') {
                    padding++;
                    continue;
                }
                if (padding > 0) {
                    throw new IllegalArgumentException("data after '=' padding at position " + i);
                }
                int v = c < 128 ? VALUES[c] : -1;
                if (v < 0) {
                    throw new IllegalArgumentException("invalid character '" + c + "' at position " + i);
                }
                symbols++;
                acc = (acc << 6) | v;
                bitsHeld += 6;
                if (bitsHeld >= 8) {
                    bitsHeld -= 8;
                    out[n++] = (byte) (acc >> bitsHeld);
                    acc &= (1 << bitsHeld) - 1;
                }
            }
            if (symbols % 4 == 1) {
                throw new IllegalArgumentException("truncated input (" + symbols + " symbols)");
            }
            if (padding > 2 || (padding > 0 && (symbols + padding) % 4 != 0)) {
                throw new IllegalArgumentException("wrong padding");
            }
            byte[] result = new byte[n];
            System.arraycopy(out, 0, result, 0, n);
            return result;
        }
    }
}
