package com.magentastyle.core;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ContractMainTest {
    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static float[] floats(JSONArray list) throws Exception {
        float[] out = new float[list.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) list.getDouble(i);
        }
        return out;
    }

    private static long[] longs(JSONArray list) throws Exception {
        long[] out = new long[list.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = list.getLong(i);
        }
        return out;
    }

    private static void assertBits(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]));
        }
    }

    @Test
    public void testImageIsTheSpecifiedPattern() {
        int[] argb = ContractMain.testPixels();
        assertEquals(35, argb.length);
        assertEquals(0xFF000000, argb[0]);
        // x = 1, y = 0
        assertEquals(0xFF000000 | (37 << 16) | (5 << 8) | 91, argb[1]);
        // x = 6, y = 4: r = (222 + 44) % 256 = 10, g = (30 + 212) % 256 = 242, b = (546 + 28) % 256 = 62
        assertEquals(0xFF000000 | (10 << 16) | (242 << 8) | 62, argb[34]);
    }

    @Test
    public void writesTheContractFile() throws Exception {
        File manifestFile = tmp.newFile("styles.json");
        Files.write(manifestFile.toPath(), TestData.threeStyleManifest().getBytes(StandardCharsets.UTF_8));
        File fits = tmp.newFile("fits.style.json");
        Files.write(fits.toPath(), TestData.styleFile("fits", 4, "float16",
                TestData.base64OfHalves(0x3C00, 0xC000, 0x3800, 0x0000)).getBytes(StandardCharsets.UTF_8));
        File tooShort = tmp.newFile("short.style.json");
        Files.write(tooShort.toPath(), TestData.styleFile("short", 1, "float16",
                TestData.base64OfHalves(0x3C00)).getBytes(StandardCharsets.UTF_8));
        File out = new File(tmp.getRoot(), "contract.json");
        PrintStream originalOut = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, "UTF-8"));
        try {
            ContractMain.main(new String[] {manifestFile.getPath(), out.getPath(), fits.getPath(), tooShort.getPath()});
        } finally {
            System.setOut(originalOut);
        }
        assertTrue(captured.toString("UTF-8").contains("3 styles, embedding_size 4, no predictor"));

        JSONObject json = new JSONObject(new String(Files.readAllBytes(out.toPath()), StandardCharsets.UTF_8));
        Manifest m = Manifest.parse(TestData.threeStyleManifest());

        assertBits(Blender.blend(new float[][] {m.style(0).embedding(), m.style(1).embedding()}, new double[] {0.3, 0.7}),
                floats(json.getJSONArray("blend_2")));
        assertBits(Blender.blend(new float[][] {m.style(0).embedding(), m.style(1).embedding(), m.style(2).embedding()},
                new double[] {1, 2, 1}), floats(json.getJSONArray("blend_3")));

        JSONObject pixels = json.getJSONObject("pixels");
        assertEquals(7, pixels.getInt("width"));
        assertEquals(5, pixels.getInt("height"));
        long[] argb = longs(pixels.getJSONArray("argb"));
        int[] expectedArgb = ContractMain.testPixels();
        assertEquals(35, argb.length);
        for (int i = 0; i < argb.length; i++) {
            assertEquals(Integer.toUnsignedLong(expectedArgb[i]), argb[i]);
            assertTrue(argb[i] > 0);
        }
        assertBits(Pixels.toTensor(expectedArgb, 7, 5), floats(pixels.getJSONArray("tensor")));

        JSONObject toArgb = json.getJSONObject("to_argb");
        float[] t = floats(toArgb.getJSONArray("tensor"));
        // org.json writes -0.0 as -0, which reads back as 0: equal values, not equal bits.
        assertArrayEquals(ContractMain.TO_ARGB_TENSOR, t, 0f);
        long[] back = longs(toArgb.getJSONArray("argb"));
        int[] expectedBack = Pixels.fromTensor(t, t.length / 3, 1);
        for (int i = 0; i < back.length; i++) {
            assertEquals(Integer.toUnsignedLong(expectedBack[i]), back[i]);
        }

        JSONArray sizes = json.getJSONArray("fit_sizes");
        assertEquals(ContractMain.FIT_CASES.length, sizes.length());
        for (int i = 0; i < sizes.length(); i++) {
            long[] row = longs(sizes.getJSONArray(i));
            int[] c = ContractMain.FIT_CASES[i];
            InputSize s = InputSize.fit(c[0], c[1], c[2]);
            assertArrayEquals(new long[] {c[0], c[1], c[2], s.width(), s.height()}, row);
        }

        assertTrue(json.isNull("predictor"));

        JSONObject styleFiles = json.getJSONObject("style_files");
        JSONObject imported = styleFiles.getJSONObject(fits.getPath());
        assertEquals("fits", imported.getString("name"));
        assertBits(new float[] {1f, -2f, 0.5f, 0f}, floats(imported.getJSONArray("embedding")));
        assertEquals("style 'short' has embedding size 1 but the model's is 4: a style only fits the network it was "
                + "trained for", styleFiles.getJSONObject(tooShort.getPath()).getString("refused"));
    }

    @Test
    public void describesThePredictorAndWhatItIsGiven() throws Exception {
        Manifest m = Manifest.parse(TestData.withPredictor(TestData.threeStyleManifest(), TestData.predictor(16, 4)));
        JSONObject predictor = ContractMain.build(m).getJSONObject("predictor");
        assertEquals("predictor.tflite", predictor.getString("model_file"));
        assertEquals("serving_default", predictor.getString("signature"));
        assertEquals("style_image", predictor.getString("input"));
        assertEquals(16, predictor.getInt("input_side"));
        assertEquals("style_embedding", predictor.getString("output"));
        assertEquals(4, predictor.getInt("embedding_size"));
        JSONArray views = predictor.getJSONArray("views");
        assertEquals(ContractMain.VIEW_PICTURES.length, views.length());
        for (int i = 0; i < views.length(); i++) {
            JSONObject view = views.getJSONObject(i);
            int width = ContractMain.VIEW_PICTURES[i][0];
            int height = ContractMain.VIEW_PICTURES[i][1];
            assertEquals(width, view.getInt("width"));
            assertEquals(height, view.getInt("height"));
            int[] argb = ContractMain.testPicture(width, height);
            long[] written = longs(view.getJSONArray("argb"));
            assertEquals(argb.length, written.length);
            for (int j = 0; j < argb.length; j++) {
                assertEquals(Integer.toUnsignedLong(argb[j]), written[j]);
            }
            assertBits(SquareView.tensor(argb, width, height, 16), floats(view.getJSONArray("tensor")));
        }
    }

    @Test
    public void testPictureIsTheSpecifiedPattern() {
        int[] argb = ContractMain.testPicture(181, 334);
        assertEquals(181 * 334, argb.length);
        // x = 0, y = 0: red 0, green 0, blue 0; x = 180, y = 1: red 255, blue (60 + 1) % 2 = 1.
        assertEquals(0xFF000000, argb[0]);
        int p = argb[181 + 180];
        assertEquals(255, (p >> 16) & 0xFF);
        assertEquals(((180 * 73856093) ^ 19349663) >>> 13 & 0xFF, (p >> 8) & 0xFF);
        assertEquals(255, p & 0xFF);
    }

    @Test
    public void twoStylesGiveNoThreeWayBlend() throws Exception {
        Manifest m = Manifest.parse(TestData.manifest(2, TestData.style("a", 1f, 2f), TestData.style("b", 3f, 4f)));
        JSONObject json = ContractMain.build(m);
        assertTrue(json.has("blend_2"));
        assertFalse(json.has("blend_3"));
        assertArrayEquals(new float[] {(float) (0.3 * 1 + 0.7 * 3), (float) (0.3 * 2 + 0.7 * 4)},
                floats(json.getJSONArray("blend_2")), 0f);
    }

    @Test
    public void oneStyleIsAnError() throws Exception {
        Manifest m = Manifest.parse(TestData.manifest(1, TestData.style("a", 1f)));
        try {
            ContractMain.build(m);
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().contains("at least 2 styles"));
        }
    }
}
