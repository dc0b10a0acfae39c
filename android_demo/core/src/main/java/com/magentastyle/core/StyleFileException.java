package com.magentastyle.core;

/** A standalone style file (.style.json) is malformed or does not fit the model. */
public class StyleFileException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public StyleFileException(String message) {
        super(message);
    }

    public StyleFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
