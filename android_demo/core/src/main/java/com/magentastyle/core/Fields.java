package com.magentastyle.core;

import java.util.function.BiFunction;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;
import org.json.JSONTokener;

/**
 * Typed access to a JSON object parsed by {@code org.json}, failing through a caller-chosen
 * exception whose message names the key, the expected type and the type found.
 *
 * <p>Cannot make the parser strict: Android's {@code org.json} also accepts some text that is not
 * JSON (comments, unquoted or single-quoted strings, trailing text, octal {@code 010}). Python's
 * {@code json} never writes such text; what a file can still get wrong, a wrong type, is refused
 * here.
 */
final class Fields {
    /** Longer parser messages are cut: Android's repeats the whole document after the position. */
    private static final int MAX_MESSAGE = 160;

    private final JSONObject object;
    private final String where;
    private final BiFunction<String, Throwable, RuntimeException> failure;

    private Fields(JSONObject object, String where, BiFunction<String, Throwable, RuntimeException> failure) {
        this.object = object;
        this.where = where;
        this.failure = failure;
    }

    /**
     * Parses a document whose top level must be an object.
     *
     * @param where   how messages name the document, e.g. "styles.json"
     * @param failure an exception's (message, cause) constructor
     */
    static Fields parse(String json, String where, BiFunction<String, Throwable, RuntimeException> failure) {
        Object value;
        try {
            value = new JSONTokener(json).nextValue();
        } catch (JSONException e) {
            String message = e.getMessage();
            if (message.length() > MAX_MESSAGE) {
                message = message.substring(0, MAX_MESSAGE) + "...";
            }
            throw failure.apply(where + ": malformed JSON: " + message, e);
        }
        if (!(value instanceof JSONObject)) {
            throw failure.apply(where + ": expected a JSON object at the top level, found " + typeName(value), null);
        }
        return new Fields((JSONObject) value, where, failure);
    }

    /** How messages name this object, e.g. "styles.json.predictor". */
    String where() {
        return where;
    }

    /** The value of a key as parsed (String, Number, Boolean, JSONObject or JSONArray), or null when absent or null. */
    Object value(String key) {
        return has(key) ? object.opt(key) : null;
    }

    boolean has(String key) {
        return !object.isNull(key);
    }

    private Object require(String key) {
        if (!object.has(key)) {
            throw fail(where + ": missing required key \"" + key + "\"");
        }
        if (object.isNull(key)) {
            throw fail(where + ": \"" + key + "\" must not be null");
        }
        return object.opt(key);
    }

    private RuntimeException fail(String message) {
        return failure.apply(message, null);
    }

    private RuntimeException wrongType(String key, String expected, Object actual) {
        String found = actual instanceof Number ? "number " + actual : typeName(actual);
        return fail(where + ": \"" + key + "\" must be " + expected + ", found " + found);
    }

    String string(String key) {
        Object v = require(key);
        if (!(v instanceof String)) {
            throw wrongType(key, "a string", v);
        }
        return (String) v;
    }

    /** A string, or {@code fallback} when the key is absent or null. */
    String optString(String key, String fallback) {
        return has(key) ? string(key) : fallback;
    }

    int integer(String key) {
        Integer value = asInt(require(key));
        if (value == null) {
            throw wrongType(key, "an integer", object.opt(key));
        }
        return value;
    }

    int optInteger(String key, int fallback) {
        return has(key) ? integer(key) : fallback;
    }

    JSONArray array(String key) {
        Object v = require(key);
        if (!(v instanceof JSONArray)) {
            throw wrongType(key, "an array", v);
        }
        return (JSONArray) v;
    }

    Fields object(String key) {
        return asObject(require(key), key, where + "." + key);
    }

    /** The nested object, or null when absent or null. */
    Fields optObject(String key) {
        return has(key) ? object(key) : null;
    }

    Fields asObject(Object v, String key, String nestedWhere) {
        if (!(v instanceof JSONObject)) {
            throw wrongType(key, "an object", v);
        }
        return new Fields((JSONObject) v, nestedWhere, failure);
    }

    /** A whole number in int range ({@code 1}, {@code 1.0}, {@code 1e2}) as an int, else null. */
    static Integer asInt(Object v) {
        if (!(v instanceof Number)) {
            return null;
        }
        double d = ((Number) v).doubleValue();
        boolean whole = d == Math.rint(d) && d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE;
        return whole ? (int) d : null;
    }

    /** A short name of the JSON type of a parsed value, for messages. */
    static String typeName(Object value) {
        if (value == null || value == JSONObject.NULL) {
            return "null";
        } else if (value instanceof JSONObject) {
            return "object";
        } else if (value instanceof JSONArray) {
            return "array";
        } else if (value instanceof String) {
            return "string";
        } else if (value instanceof Number) {
            return "number";
        } else if (value instanceof Boolean) {
            return "boolean";
        }
        return value.getClass().getSimpleName();
    }
}
