package com.magentastyle.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.Test;

public class JsonTest {

    @Test
    public void parsesNestedValues() {
        Map<String, Object> m = Json.parseObject(
                " {\"a\": [1, -2.5e3, true, false, null], \"b\": {\"c\": \"x\"}, \"e\": [], \"f\": {}} ");
        List<?> a = (List<?>) m.get("a");
        assertEquals(5, a.size());
        assertEquals(1, ((JsonNumber) a.get(0)).intValueExact());
        assertEquals(-2500.0, ((JsonNumber) a.get(1)).doubleValue(), 0.0);
        assertEquals(Boolean.TRUE, a.get(2));
        assertEquals(Boolean.FALSE, a.get(3));
        assertNull(a.get(4));
        assertEquals("x", ((Map<?, ?>) m.get("b")).get("c"));
        assertTrue(((List<?>) m.get("e")).isEmpty());
        assertTrue(((Map<?, ?>) m.get("f")).isEmpty());
        assertEquals(Arrays.asList("a", "b", "e", "f"), Arrays.asList(m.keySet().toArray()));
    }

    @Test
    public void decodesStringEscapes() {
        Object v = Json.parse("\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9\\ud83d\\ude00 é\"");
        assertEquals("q\" b\\ s/ \b\f\n\r\t \u00e9\ud83d\ude00 é", v);
    }

    @Test
    public void lastDuplicateKeyWins() {
        assertEquals("2", Json.parseObject("{\"k\": \"1\", \"k\": \"2\"}").get("k"));
    }

    @Test
    public void numbersKeepTheirLiteral() {
        JsonNumber n = (JsonNumber) Json.parse("0.98");
        assertEquals("0.98", n.literal());
        assertEquals(0.98f, n.floatValue(), 0.0f);
        assertTrue(((JsonNumber) Json.parse("3.0")).isInt());
        assertTrue(((JsonNumber) Json.parse("1e2")).isInt());
        assertTrue(!((JsonNumber) Json.parse("1.5")).isInt());
    }

    @Test
    public void floatValueRoundsViaDouble() {
        // The exact double of a float32 comes back as that float32.
        float f = 0.1f;
        assertEquals(Float.floatToIntBits(f),
                Float.floatToIntBits(((JsonNumber) Json.parse(Double.toString(f))).floatValue()));
    }

    @Test
    public void toleratesByteOrderMark() {
        assertEquals(1, ((JsonNumber) Json.parse("\uFEFF 1")).intValueExact());
    }

    @Test
    public void rejectsMalformedDocuments() {
        String[] bad = {
            "", "   ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a: 1}", "[1 2]", "01", "-", "1.", ".5",
            "1e", "+1", "NaN", "Infinity", "-Infinity", "tru", "nul", "\"abc", "\"a\nb\"", "\"\\x\"", "\"\\u12\"",
            "{} x", "[1] [2]", "'a'",
        };
        for (String text : bad) {
            try {
                Json.parse(text);
                fail("accepted malformed JSON: " + text);
            } catch (JsonException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith("malformed JSON at line"));
            }
        }
    }

    @Test
    public void errorNamesLineAndColumn() {
        try {
            Json.parse("{\n  \"a\": 1,\n  \"b\": ?\n}");
            fail();
        } catch (JsonException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("line 3, column 8"));
        }
    }

    @Test
    public void rejectsTooDeepNesting() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Json.MAX_DEPTH + 1; i++) {
            sb.append('[');
        }
        for (int i = 0; i < Json.MAX_DEPTH + 1; i++) {
            sb.append(']');
        }
        try {
            Json.parse(sb.toString());
            fail();
        } catch (JsonException e) {
            assertTrue(e.getMessage().contains("nesting"));
        }
    }

    @Test
    public void writerEscapesAndRoundTripsFloats() {
        StringBuilder sb = new StringBuilder();
        JsonWriter.appendString(sb, "a\"b\\c\n\u0001");
        assertEquals("a\"b\\c\n\u0001", Json.parse(sb.toString()));
        float[] values = {0.1f, -3.4028235e38f, 1.4e-45f, 0.33333334f, 1.0f, 0.0f, -0.0f, 5.9604645e-8f};
        StringBuilder arr = new StringBuilder();
        JsonWriter.appendFloats(arr, values);
        List<?> parsed = (List<?>) Json.parse(arr.toString());
        for (int i = 0; i < values.length; i++) {
            JsonNumber n = (JsonNumber) parsed.get(i);
            assertEquals(Float.floatToIntBits(values[i]), Float.floatToIntBits(n.floatValue()));
            assertEquals(Float.floatToIntBits(values[i]), Float.floatToIntBits(Float.parseFloat(n.literal())));
        }
    }

    @Test(expected = IllegalArgumentException.class)
    public void writerRejectsNaN() {
        JsonWriter.floatLiteral(Float.NaN);
    }
}
