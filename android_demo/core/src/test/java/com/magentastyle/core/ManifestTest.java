package com.magentastyle.core;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.json.JSONException;
import org.junit.Test;

public class ManifestTest {

    private static ManifestException expectFailure(String json) {
        try {
            Manifest.parse(json);
        } catch (ManifestException e) {
            return e;
        }
        fail("manifest accepted: " + json);
        return null;
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue("'" + message + "' should contain '" + p + "'", message.contains(p));
        }
    }

    @Test
    public void parsesAGoodManifest() {
        Manifest m = Manifest.parse(TestData.threeStyleManifest());
        assertEquals("model.tflite", m.modelFile());
        assertEquals("serving_default", m.signature());
        assertEquals("content", m.contentInput());
        assertEquals("style_embedding", m.styleInput());
        assertEquals("stylized", m.output());
        assertEquals(4, m.embeddingSize());
        assertEquals(4, m.sizeMultiple());
        assertEquals(384, m.defaultHeight());
        assertEquals(512, m.defaultWidth());
        assertEquals(3, m.styles().size());
        Style s = m.style(0);
        assertEquals("starry_night", s.name());
        assertEquals("thumbnails/starry_night.jpg", s.thumbnail());
        assertEquals("starry_night.jpg", s.source());
        assertArrayEquals(new float[] {1.0f, 0.98f, -0.5f, 0.1f}, s.embedding(), 0.0f);
        assertEquals("wave", m.style(2).name());
    }

    @Test
    public void embeddingValuesAreExactFloat32() {
        Manifest m = Manifest.parse(TestData.manifest(3,
                "{\"name\": \"a\", \"embedding\": [0.1, 0.98, 1e-45]}"));
        float[] e = m.style(0).embedding();
        assertEquals(Float.floatToIntBits(0.1f), Float.floatToIntBits(e[0]));
        assertEquals(Float.floatToIntBits(0.98f), Float.floatToIntBits(e[1]));
        assertEquals(Float.floatToIntBits(Float.MIN_VALUE), Float.floatToIntBits(e[2]));
    }

    @Test
    public void thumbnailMayBeAbsentOrNullAndUnknownKeysAreIgnored() {
        Manifest m = Manifest.parse(TestData.manifest(2,
                "{\"name\": \"a\", \"embedding\": [1, 2], \"thumbnail\": null, \"extra\": {\"x\": [1]}}",
                "{\"name\": \"b\", \"embedding\": [3, 4], \"future_field\": true}")
                .replace("\"size_multiple\"", "\"something_new\": [1, 2, 3], \"size_multiple\""));
        assertNull(m.style(0).thumbnail());
        assertNull(m.style(0).source());
        assertNull(m.style(1).thumbnail());
        assertEquals(2, m.styles().size());
    }

    @Test
    public void optionalFieldsHaveDefaults() {
        Manifest m = Manifest.parse("{\"format\": \"magenta_style.manifest\", \"format_version\": 1, "
                + "\"embedding_size\": 1, \"styles\": [{\"name\": \"a\", \"embedding\": [0.5]}]}");
        assertEquals("model.tflite", m.modelFile());
        assertEquals("serving_default", m.signature());
        assertEquals("content", m.contentInput());
        assertEquals("style_embedding", m.styleInput());
        assertEquals("stylized", m.output());
        assertEquals(4, m.sizeMultiple());
        assertEquals(384, m.defaultHeight());
        assertEquals(384, m.defaultWidth());
    }

    @Test
    public void cameraFilmsWithItsOwnNetworkOrElseTheModel() {
        String plain = TestData.manifest(1, TestData.style("a", 1f));
        assertEquals("model.tflite", Manifest.parse(plain).cameraModelFile());
        String withCamera = plain.replace("\"size_multiple\"",
                "\"camera_model_file\": \"camera_model.tflite\", \"size_multiple\"");
        Manifest m = Manifest.parse(withCamera);
        assertEquals("camera_model.tflite", m.cameraModelFile());
        assertEquals("model.tflite", m.modelFile());
    }

    @Test
    public void cameraModelFileMustBeANonEmptyString() {
        String plain = TestData.manifest(1, TestData.style("a", 1f));
        assertContains(expectFailure(plain.replace("\"size_multiple\"",
                "\"camera_model_file\": \"\", \"size_multiple\"")).getMessage(), "camera_model_file");
        assertContains(expectFailure(plain.replace("\"size_multiple\"",
                "\"camera_model_file\": 3, \"size_multiple\"")).getMessage(), "camera_model_file");
    }

    @Test
    public void tensorNamesComeFromTheManifest() {
        Manifest m = Manifest.parse(TestData.manifest(1, TestData.style("a", 1f))
                .replace("{\"name\": \"content\"", "{\"name\": \"image\"")
                .replace("{\"name\": \"stylized\"", "{\"name\": \"out\""));
        assertEquals("image", m.contentInput());
        assertEquals("out", m.output());
    }

    @Test
    public void wrongVersionNamesExpectedAndActual() {
        ManifestException e = expectFailure(TestData.manifest("\"magenta_style.manifest\"", "2", 1, TestData.style("a", 1f)));
        assertContains(e.getMessage(), "format_version 2", "expected 1");
    }

    @Test
    public void wrongFormatNamesExpectedAndActual() {
        ManifestException e = expectFailure(TestData.manifest("\"magenta_style.style\"", "1", 1, TestData.style("a", 1f)));
        assertContains(e.getMessage(), "magenta_style.manifest", "magenta_style.style");
    }

    @Test
    public void versionMustBeAnInteger() {
        ManifestException e = expectFailure(TestData.manifest("\"magenta_style.manifest\"", "\"1\"", 1, TestData.style("a", 1f)));
        assertContains(e.getMessage(), "format_version", "integer", "string");
    }

    @Test
    public void wrongEmbeddingSizeNamesStyleAndBothSizes() {
        ManifestException e = expectFailure(TestData.manifest(4,
                TestData.style("ok", 1f, 2f, 3f, 4f),
                TestData.style("short_one", 1f, 2f, 3f)));
        assertContains(e.getMessage(), "short_one", "index 1", "length 3", "embedding_size 4");
    }

    @Test
    public void embeddingSizeMustBePositive() {
        ManifestException e = expectFailure(TestData.manifest(0, "{\"name\": \"a\", \"embedding\": []}"));
        assertContains(e.getMessage(), "embedding_size must be > 0", "0");
    }

    @Test
    public void emptyStyleListIsRejected() {
        ManifestException e = expectFailure(TestData.manifest(4));
        assertContains(e.getMessage(), "style list is empty");
    }

    @Test
    public void missingStylesIsRejected() {
        ManifestException e = expectFailure("{\"format\": \"magenta_style.manifest\", \"format_version\": 1, \"embedding_size\": 1}");
        assertContains(e.getMessage(), "missing required key \"styles\"");
    }

    @Test
    public void malformedJsonIsAManifestException() {
        String good = TestData.threeStyleManifest();
        ManifestException e = expectFailure(good.substring(0, good.length() - 5));
        assertContains(e.getMessage(), "styles.json", "malformed JSON");
        assertTrue(e.getCause() instanceof JSONException);
        assertContains(expectFailure("[1, 2]").getMessage(), "expected a JSON object");
        assertContains(expectFailure("").getMessage(), "malformed JSON");
    }

    @Test
    public void nonNumericEmbeddingValueIsRejected() {
        ManifestException e = expectFailure(TestData.manifest(2, "{\"name\": \"bad\", \"embedding\": [1, \"x\"]}"));
        assertContains(e.getMessage(), "'bad'", "embedding[1]", "number", "string");
    }

    @Test
    public void parserMessagesStayShort() {
        String good = TestData.threeStyleManifest();
        ManifestException e = expectFailure(good.replace("\"format_version\": 1", "\"format_version\": }"));
        assertTrue(e.getMessage(), e.getMessage().length() < 250);
    }

    @Test
    public void nonFiniteFloat32IsRejected() {
        ManifestException e = expectFailure(TestData.manifest(1, "{\"name\": \"big\", \"embedding\": [1e39]}"));
        assertContains(e.getMessage(), "'big'", "1.0E39 is not a finite float32");
        e = expectFailure(TestData.manifest(1, "{\"name\": \"nan\", \"embedding\": [NaN]}"));
        assertContains(e.getMessage(), "'nan'", "NaN is not a finite float32");
    }

    @Test
    public void integersMustBeWhole() {
        ManifestException e = expectFailure(TestData.manifest("\"magenta_style.manifest\"", "1.5", 1, TestData.style("a", 1f)));
        assertContains(e.getMessage(), "format_version", "integer", "number 1.5");
    }

    @Test
    public void styleWithoutNameIsRejected() {
        assertContains(expectFailure(TestData.manifest(1, "{\"embedding\": [1]}")).getMessage(),
                "styles[0]", "\"name\"");
        assertContains(expectFailure(TestData.manifest(1, "{\"name\": \"\", \"embedding\": [1]}")).getMessage(),
                "empty name");
        assertContains(expectFailure(TestData.manifest(1, "3")).getMessage(), "styles[0]", "object");
    }

    @Test
    public void styleEmbeddingShapeMustMatch() {
        String json = TestData.manifest(2, TestData.style("a", 1f, 2f)).replace("\"shape\": [1, 2]", "\"shape\": [1, 3]");
        assertContains(expectFailure(json).getMessage(), "shape", "3", "embedding_size is 2");
    }

    @Test
    public void badDefaultSizeIsRejected() {
        String json = TestData.manifest(1, TestData.style("a", 1f)).replace("[384, 512]", "[384]");
        assertContains(expectFailure(json).getMessage(), "default_size");
    }

    @Test
    public void parsesFromAStream() throws Exception {
        Manifest m = Manifest.parse(new ByteArrayInputStream(
                TestData.threeStyleManifest().getBytes(StandardCharsets.UTF_8)));
        assertEquals(3, m.styles().size());
    }

    @Test
    public void exceptionIsAnIllegalArgumentException() {
        assertTrue(IllegalArgumentException.class.isAssignableFrom(ManifestException.class));
    }

    @Test(expected = IndexOutOfBoundsException.class)
    public void styleIndexOutOfRange() {
        Manifest.parse(TestData.threeStyleManifest()).style(3);
    }

    @Test(expected = UnsupportedOperationException.class)
    public void styleListIsReadOnly() {
        Manifest.parse(TestData.threeStyleManifest()).styles().clear();
    }
}
