package com.magentastyle.core;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import org.junit.Test;

public class PredictorTest {
    /** The three-style manifest (embedding size 4) with {@code section} as its predictor. */
    private static String manifest(String section) {
        return TestData.withPredictor(TestData.threeStyleManifest(), section);
    }

    private static String good() {
        return TestData.predictor(256, 4);
    }

    private static void assertRefused(String section, String... parts) {
        try {
            Manifest.parse(manifest(section));
        } catch (ManifestException e) {
            for (String p : parts) {
                assertTrue("'" + e.getMessage() + "' should contain '" + p + "'", e.getMessage().contains(p));
            }
            return;
        }
        fail("predictor accepted: " + section);
    }

    @Test
    public void parsesTheExportersSection() {
        Predictor p = Manifest.parse(manifest(good())).predictor();
        assertEquals("predictor.tflite", p.modelFile());
        assertEquals("serving_default", p.signature());
        assertEquals("style_image", p.input());
        assertEquals(256, p.inputSide());
        assertArrayEquals(new int[] {1, 256, 256, 3}, p.inputShape());
        assertEquals("style_embedding", p.output());
        assertEquals(4, p.embeddingSize());
    }

    @Test
    public void namesAndFileComeFromTheManifest() {
        Predictor p = Manifest.parse(manifest(good()
                .replace("\"predictor.tflite\"", "\"p.tflite\"")
                .replace("\"name\": \"style_image\"", "\"name\": \"picture\"")
                .replace("\"name\": \"style_embedding\"", "\"name\": \"out\"")
                .replace("[1, 256, 256, 3]", "[1, 128, 128, 3]"))).predictor();
        assertEquals("p.tflite", p.modelFile());
        assertEquals("picture", p.input());
        assertEquals("out", p.output());
        assertEquals(128, p.inputSide());
    }

    @Test
    public void optionalKeysHaveDefaults() {
        Predictor p = Manifest.parse(manifest("{\"inputs\": {\"style_image\": {\"shape\": [1, 64, 64, 3]}}, "
                + "\"outputs\": {\"style_embedding\": {\"shape\": [1, 4]}}}")).predictor();
        assertEquals(Predictor.DEFAULT_MODEL_FILE, p.modelFile());
        assertEquals(Manifest.DEFAULT_SIGNATURE, p.signature());
        assertEquals(Predictor.INPUT, p.input());
        assertEquals(Predictor.OUTPUT, p.output());
        assertEquals(64, p.inputSide());
    }

    @Test
    public void absentOrNullMeansNoPredictor() {
        assertNull(Manifest.parse(TestData.threeStyleManifest()).predictor());
        assertNull(Manifest.parse(manifest("null")).predictor());
    }

    @Test
    public void embeddingSizeMustBeTheManifests() {
        assertRefused(TestData.predictor(256, 5), "styles.json.predictor.outputs.style_embedding",
                "shape must be [1, 4] (embedding_size 4)", "found [1,5]");
        assertRefused(good().replace("[1, 4]", "[4]"), "outputs.style_embedding", "found [4]");
        assertRefused(good().replace("[1, 4]", "[2, 4]"), "outputs.style_embedding", "found [2,4]");
    }

    @Test
    public void inputMustBeOneSquareRgbImage() {
        String where = "styles.json.predictor.inputs.style_image: shape must be [1, S, S, 3] with S > 0";
        assertRefused(good().replace("[1, 256, 256, 3]", "[1, 256, 128, 3]"), where, "found [1,256,128,3]");
        assertRefused(good().replace("[1, 256, 256, 3]", "[1, 256, 256, 4]"), where, "[1,256,256,4]");
        assertRefused(good().replace("[1, 256, 256, 3]", "[256, 256, 3]"), where, "[256,256,3]");
        assertRefused(good().replace("[1, 256, 256, 3]", "[2, 256, 256, 3]"), where, "[2,256,256,3]");
        assertRefused(good().replace("[1, 256, 256, 3]", "[1, 0, 0, 3]"), where, "[1,0,0,3]");
        assertRefused(good().replace("[1, 256, 256, 3]", "[1, -1, -1, 3]"), where, "[1,-1,-1,3]");
        assertRefused(good().replace("[1, 256, 256, 3]", "[1, 2.5, 2.5, 3]"), "inputs.style_image",
                "shape must hold integers");
    }

    @Test
    public void tensorsMustBeFloat32() {
        assertRefused(good().replaceFirst("\"float32\"", "\"uint8\""), "predictor.inputs.style_image",
                "dtype must be \"float32\", found \"uint8\"");
        assertRefused(good().replace("\"float32\", \"shape\": [1, 4]", "\"float16\", \"shape\": [1, 4]"),
                "predictor.outputs.style_embedding", "dtype", "float16");
    }

    @Test
    public void otherViewsAreRefused() {
        assertRefused(good().replace("central square, resized", "whole picture, padded"),
                "inputs.style_image: view must be \"central square, resized\"", "whole picture, padded");
    }

    @Test
    public void missingPartsAreNamed() {
        assertRefused("{\"outputs\": {}}", "styles.json.predictor", "missing required key \"inputs\"");
        assertRefused(good().replace("\"style_image\": {", "\"image\": {"), "styles.json.predictor.inputs",
                "missing required key \"style_image\"");
        assertRefused(good().replace("\"shape\": [1, 4]", "\"size\": 4"), "outputs.style_embedding",
                "missing required key \"shape\"");
        assertRefused(good().replace("\"predictor.tflite\"", "\"\""), "styles.json.predictor: model_file must not be empty");
        assertRefused("[1]", "\"predictor\" must be an object, found array");
    }
}
