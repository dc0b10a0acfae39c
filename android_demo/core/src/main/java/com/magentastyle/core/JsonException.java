package com.magentastyle.core;

/** Thrown by {@link Json} when the text is not valid JSON. */
public class JsonException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public JsonException(String message) {
        super(message);
    }
}
