package com.magentastyle.core;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The network a style embedding is made for: its architecture and width multiplier alpha (as
 * recorded in {@code styles.json} and in a style file's metadata) and its embedding size. A style
 * fits a model only if all three agree; the rule and its messages are Python's {@code check_fits}.
 *
 * <p>Cannot compare what was not recorded: a key missing on either side (files written before it
 * existed) is skipped, so such a style is checked by its embedding size alone.
 */
public final class Network {
    /** The recorded keys, in the order Python compares and names them. */
    private static final String[] KEYS = {"architecture", "alpha"};
    private static final String RULE = "a style only fits the network it was trained for";

    private final int embeddingSize;
    private final Map<String, Object> recorded = new LinkedHashMap<>();

    /** @param record the object holding the keys (a manifest, a style file's metadata), or null */
    Network(int embeddingSize, Fields record) {
        this.embeddingSize = embeddingSize;
        for (String key : KEYS) {
            Object value = record == null ? null : record.value(key);
            if (value != null) {
                recorded.put(key, value);
            }
        }
    }

    public int embeddingSize() {
        return embeddingSize;
    }

    /**
     * Refuses a style made for another network.
     *
     * @param name  the style's name, for the message
     * @param style the network the style was made for
     * @throws StyleFileException naming what differs, worded as Python words it
     */
    void checkFits(String name, Network style) {
        Map<String, Object> theirs = new LinkedHashMap<>();
        for (String key : recorded.keySet()) {
            if (style.recorded.containsKey(key)) {
                theirs.put(key, style.recorded.get(key));
            }
        }
        if (style.embeddingSize != embeddingSize) {
            throw new StyleFileException("style '" + name + "' has embedding size " + style.embeddingSize
                    + (theirs.isEmpty() ? "" : " (made for " + describe(theirs) + ")")
                    + " but the model's is " + embeddingSize
                    + (recorded.isEmpty() ? "" : " (" + describe(recorded) + ")") + ": " + RULE);
        }
        for (Map.Entry<String, Object> entry : theirs.entrySet()) {
            String key = entry.getKey();
            Object mine = recorded.get(key);
            if (!sameValue(entry.getValue(), mine)) {
                throw new StyleFileException("style '" + name + "' was made for " + key + " " + entry.getValue()
                        + " but the model has " + key + " " + mine + ": " + RULE);
            }
        }
    }

    /** Python's equality of a recorded value and the model's: numbers by value (1 == 1.0). */
    private static boolean sameValue(Object theirs, Object mine) {
        if (theirs instanceof Number && mine instanceof Number) {
            return ((Number) theirs).doubleValue() == ((Number) mine).doubleValue();
        }
        return theirs.equals(mine);
    }

    /** "architecture paper, alpha 0.25": decimals as Python's {@code format(v, "g")}. */
    private static String describe(Map<String, Object> values) {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Object> entry : values.entrySet()) {
            if (text.length() > 0) {
                text.append(", ");
            }
            Object value = entry.getValue();
            text.append(entry.getKey()).append(' ')
                    .append(value instanceof Double ? shortDecimal((Double) value) : value);
        }
        return text.toString();
    }

    /** Six significant digits without trailing zeros, like Python's {@code format(v, "g")}. */
    private static String shortDecimal(double value) {
        String text = String.format(Locale.ROOT, "%.6g", value);
        return text.replaceFirst("(\\.\\d*?)0+(?=e|$)", "$1").replaceFirst("\\.(?=e|$)", "");
    }
}
