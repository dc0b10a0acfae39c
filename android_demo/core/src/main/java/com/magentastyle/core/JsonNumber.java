package com.magentastyle.core;

/**
 * A JSON number, kept as its literal text so that each caller chooses how to convert it.
 *
 * <p>{@link #floatValue()} parses the literal as a double and then rounds that double to float,
 * which is what the Python side does ({@code json.load} gives Python floats, numpy then casts
 * them to float32), so both sides see the same float32 value.
 */
public final class JsonNumber {
    private final String literal;

    public JsonNumber(String literal) {
        this.literal = literal;
    }

    public String literal() {
        return literal;
    }

    public double doubleValue() {
        return Double.parseDouble(literal);
    }

    /** Double first, then a round-to-nearest-even cast to float (matches numpy's float32 cast). */
    public float floatValue() {
        return (float) Double.parseDouble(literal);
    }

    /** True if the value is a whole number that fits in an int ({@code 1}, {@code 1.0}, {@code 1e2}). */
    public boolean isInt() {
        double d = doubleValue();
        return d == Math.rint(d) && d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE;
    }

    /**
     * The value as an int.
     *
     * @throws ArithmeticException if it is not a whole number in int range
     */
    public int intValueExact() {
        if (!isInt()) {
            throw new ArithmeticException(literal + " is not an integer");
        }
        return (int) doubleValue();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JsonNumber && ((JsonNumber) o).literal.equals(literal);
    }

    @Override
    public int hashCode() {
        return literal.hashCode();
    }

    @Override
    public String toString() {
        return literal;
    }
}
