package com.magentastyle.core;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import org.junit.Test;

public class StyleFileTest {

    private static void assertBits(float expected, float actual) {
        assertEquals("expected " + expected + " got " + actual,
                Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual));
    }

    private static StyleFileException expectFailure(String json, int expectedSize) {
        try {
            StyleFile.parse(json, TestData.network(expectedSize));
        } catch (StyleFileException e) {
            return e;
        }
        fail("style file accepted: " + json);
        return null;
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue("'" + message + "' should contain '" + p + "'", message.contains(p));
        }
    }

    @Test
    public void halfToFloatKnownValues() {
        assertBits(1.0f, StyleFile.halfToFloat(0x3C00));
        assertBits(-2.0f, StyleFile.halfToFloat(0xC000));
        assertBits(0.333251953125f, StyleFile.halfToFloat(0x3555));
        assertBits(5.9604645e-8f, StyleFile.halfToFloat(0x0001));
        assertBits((float) Math.pow(2, -24), StyleFile.halfToFloat(0x0001));
        assertBits(65504.0f, StyleFile.halfToFloat(0x7BFF));
        assertBits(0.0f, StyleFile.halfToFloat(0x0000));
        assertBits(-0.0f, StyleFile.halfToFloat(0x8000));
        assertBits(6.1035156e-5f, StyleFile.halfToFloat(0x0400)); // smallest normal 2^-14
        assertBits(6.097555e-5f, StyleFile.halfToFloat(0x03FF)); // largest subnormal
        assertBits(0.5f, StyleFile.halfToFloat(0x3800));
        assertBits(-65504.0f, StyleFile.halfToFloat(0xFBFF));
        assertBits(Float.POSITIVE_INFINITY, StyleFile.halfToFloat(0x7C00));
        assertBits(Float.NEGATIVE_INFINITY, StyleFile.halfToFloat(0xFC00));
        assertTrue(Float.isNaN(StyleFile.halfToFloat(0x7E00)));
        assertTrue(Float.isNaN(StyleFile.halfToFloat(0x7C01)));
    }

    @Test
    public void halfToFloatMatchesTheDefinitionForAllFiniteValues() {
        for (int bits = 0; bits < 0x10000; bits++) {
            int exponent = (bits >> 10) & 0x1F;
            if (exponent == 0x1F) {
                continue;
            }
            int mantissa = bits & 0x3FF;
            double magnitude = exponent == 0
                    ? mantissa * Math.pow(2, -24)
                    : (1.0 + mantissa / 1024.0) * Math.pow(2, exponent - 15);
            double expected = (bits & 0x8000) != 0 ? -magnitude : magnitude;
            float actual = StyleFile.halfToFloat(bits);
            assertEquals("bits " + Integer.toHexString(bits), expected, (double) actual, 0.0);
            if (expected == 0.0) {
                assertEquals((bits & 0x8000) != 0, Float.floatToRawIntBits(actual) < 0);
            }
        }
    }

    @Test
    public void decodesLittleEndianBytes() {
        byte[] bytes = {0x00, 0x3C, 0x00, (byte) 0xC0, 0x55, 0x35, 0x01, 0x00, (byte) 0xFF, 0x7B};
        assertArrayEquals(new float[] {1.0f, -2.0f, 0.333251953125f, 5.9604645e-8f, 65504.0f},
                StyleFile.decodeFloat16LittleEndian(bytes), 0.0f);
    }

    @Test
    public void base64MatchesTheJdkDecoder() {
        Random random = new Random(42);
        for (int len = 0; len < 64; len++) {
            byte[] data = new byte[len];
            random.nextBytes(data);
            String encoded = Base64.getEncoder().encodeToString(data);
            assertArrayEquals(data, StyleFile.Base64.decode(encoded));
            assertArrayEquals(data, StyleFile.Base64.decode(encoded.replace("=", "")));
            assertArrayEquals(data, StyleFile.Base64.decode(Base64.getMimeEncoder().encodeToString(data)));
        }
    }

    @Test
    public void base64RejectsGarbage() {
        String[] bad = {"A", "AB=C", "A===", "AB$D", "ABC=D", "ABCDE"};
        for (String s : bad) {
            try {
                StyleFile.Base64.decode(s);
                fail("accepted " + s);
            } catch (IllegalArgumentException expected) {
                // ok
            }
        }
    }

    @Test
    public void parsesAStyleFile() {
        String json = TestData.styleFile("my_style", 5, "float16",
                TestData.base64OfHalves(0x3C00, 0xC000, 0x3555, 0x0001, 0x7BFF));
        Style s = StyleFile.parse(json, TestData.network(5));
        assertEquals("my_style", s.name());
        assertEquals("x.jpg", s.source());
        assertNull(s.thumbnail());
        assertArrayEquals(new float[] {1.0f, -2.0f, 0.333251953125f, 5.9604645e-8f, 65504.0f}, s.embedding(), 0.0f);
    }

    @Test
    public void parsesFromAStream() throws Exception {
        String json = TestData.styleFile("s", 1, "float16", TestData.base64OfHalves(0x3800));
        Style s = StyleFile.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), TestData.network(1));
        assertArrayEquals(new float[] {0.5f}, s.embedding(), 0.0f);
    }

    @Test
    public void embeddingSizeMismatchWithTheModelNamesBothSizes() {
        String json = TestData.styleFile("foreign", 3, "float16", TestData.base64OfHalves(1, 2, 3));
        StyleFileException e = expectFailure(json, 3206);
        assertContains(e.getMessage(), "'foreign'", "embedding size 3", "the model's is 3206");
    }

    @Test
    public void decodedCountMustMatchEmbeddingSize() {
        String json = TestData.styleFile("lying", 4, "float16", TestData.base64OfHalves(1, 2, 3));
        assertContains(expectFailure(json, 4).getMessage(), "'lying'", "3 float16 values", "embedding_size is 4");
    }

    @Test
    public void oddByteCountIsRejected() {
        String json = TestData.styleFile("odd", 1, "float16", Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}));
        assertContains(expectFailure(json, 1).getMessage(), "3 bytes");
    }

    @Test
    public void wrongDtypeIsRejected() {
        String json = TestData.styleFile("s", 1, "float32", TestData.base64OfHalves(0x3C00));
        assertContains(expectFailure(json, 1).getMessage(), "dtype", "float16", "float32");
    }

    @Test
    public void wrongFormatOrVersionIsRejected() {
        String good = TestData.styleFile("s", 1, "float16", TestData.base64OfHalves(0x3C00));
        assertContains(expectFailure(good.replace("magenta_style.style", "magenta_style.manifest"), 1).getMessage(),
                "format", "magenta_style.style", "magenta_style.manifest");
        assertContains(expectFailure(good.replace("\"format_version\": 1", "\"format_version\": 7"), 1).getMessage(),
                "format_version 7", "expected 1");
    }

    @Test
    public void bigEndianIsRejected() {
        String json = TestData.styleFile("s", 1, "float16", TestData.base64OfHalves(0x3C00)).replace("little", "big");
        assertContains(expectFailure(json, 1).getMessage(), "byte_order", "big");
    }

    @Test
    public void invalidBase64IsRejected() {
        String json = TestData.styleFile("s", 1, "float16", "!!!!");
        assertContains(expectFailure(json, 1).getMessage(), "base64");
    }

    @Test
    public void nonFiniteValuesAreRejected() {
        String json = TestData.styleFile("s", 2, "float16", TestData.base64OfHalves(0x3C00, 0x7C00));
        assertContains(expectFailure(json, 2).getMessage(), "embedding[1]", "Infinity");
    }

    @Test
    public void malformedJsonIsAStyleFileException() {
        StyleFileException e = expectFailure("{\"format\": ", 1);
        assertContains(e.getMessage(), "malformed JSON");
    }

    @Test
    public void missingKeyIsNamed() {
        String json = "{\"format\": \"magenta_style.style\", \"format_version\": 1, \"name\": \"s\", \"dtype\": \"float16\"}";
        assertContains(expectFailure(json, 1).getMessage(), "embedding_size");
    }

    @Test
    public void metadataIsOptional() {
        String json = TestData.styleFile("s", 1, "float16", TestData.base64OfHalves(0x3C00))
                .replace("\"metadata\": {\"source\": \"x.jpg\", \"steps\": 500, \"trained_by\": \"finetune\"}", "\"metadata\": null");
        assertNull(StyleFile.parse(json, TestData.network(1)).source());
    }

    @Test
    public void metadataMustBeAnObject() {
        String json = TestData.styleFile("s", 1, "float16", TestData.base64OfHalves(0x3C00))
                .replace("\"metadata\": {\"source\": \"x.jpg\", \"steps\": 500, \"trained_by\": \"finetune\"}", "\"metadata\": [1]");
        assertContains(expectFailure(json, 1).getMessage(), "\"metadata\" must be an object, found array");
    }
}
