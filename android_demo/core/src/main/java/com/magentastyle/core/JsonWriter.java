package com.magentastyle.core;

/**
 * Helpers to write JSON text by hand (used by {@link ContractMain}).
 *
 * <p>Floats are written as {@code Double.toString((double) f)}: the exact value of the float32
 * as a double literal. Any JSON reader that parses numbers to double (Python's {@code json}) gets
 * that double exactly, and casting it to float32 gives back {@code f} bit for bit, with no double
 * rounding. {@code Float.parseFloat} of the same text also returns {@code f}.
 */
public final class JsonWriter {
    private JsonWriter() {
    }

    /** Appends {@code s} as a quoted JSON string. */
    public static StringBuilder appendString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                case '\b': sb.append("\\b"); break;
                case '\f': sb.append("\\f"); break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"');
    }

    /** The JSON text of a float32 value; see the class comment. */
    public static String floatLiteral(float f) {
        if (Float.isNaN(f) || Float.isInfinite(f)) {
            throw new IllegalArgumentException("JSON cannot represent the float " + f);
        }
        return Double.toString((double) f);
    }

    public static StringBuilder appendFloats(StringBuilder sb, float[] values) {
        sb.append('[');
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(floatLiteral(values[i]));
        }
        return sb.append(']');
    }

    public static StringBuilder appendInts(StringBuilder sb, int[] values) {
        sb.append('[');
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(values[i]);
        }
        return sb.append(']');
    }
}
