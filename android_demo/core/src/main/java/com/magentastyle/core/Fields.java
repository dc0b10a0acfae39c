package com.magentastyle.core;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Typed access to parsed JSON objects, with errors raised through a caller-chosen exception type. */
final class Fields {
    private final Map<String, Object> map;
    private final String where;
    private final Function<String, RuntimeException> failure;

    Fields(Map<String, Object> map, String where, Function<String, RuntimeException> failure) {
        this.map = map;
        this.where = where;
        this.failure = failure;
    }

    RuntimeException fail(String message) {
        return failure.apply(message);
    }

    boolean has(String key) {
        return map.containsKey(key) && map.get(key) != null;
    }

    private Object require(String key) {
        if (!map.containsKey(key)) {
            throw fail(where + ": missing required key \"" + key + "\"");
        }
        Object v = map.get(key);
        if (v == null) {
            throw fail(where + ": \"" + key + "\" must not be null");
        }
        return v;
    }

    private RuntimeException wrongType(String key, String expected, Object actual) {
        String found = actual instanceof JsonNumber ? "number " + actual : Json.typeName(actual);
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
        Object v = require(key);
        if (!(v instanceof JsonNumber) || !((JsonNumber) v).isInt()) {
            throw wrongType(key, "an integer", v);
        }
        return ((JsonNumber) v).intValueExact();
    }

    int optInteger(String key, int fallback) {
        return has(key) ? integer(key) : fallback;
    }

    List<Object> array(String key) {
        Object v = require(key);
        if (!(v instanceof List)) {
            throw wrongType(key, "an array", v);
        }
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) v;
        return list;
    }

    Fields object(String key) {
        Object v = require(key);
        return asObject(v, key, where + "." + key);
    }

    /** The nested object, or null when absent or null. */
    Fields optObject(String key) {
        return has(key) ? object(key) : null;
    }

    Fields asObject(Object v, String key, String nestedWhere) {
        if (!(v instanceof Map)) {
            throw wrongType(key, "an object", v);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        return new Fields(m, nestedWhere, failure);
    }
}
