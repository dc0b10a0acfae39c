package com.magentastyle.core;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.Arrays;
import org.junit.Test;

public class BlenderTest {

    private static void assertBits(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals("index " + i + ": expected " + expected[i] + " got " + actual[i],
                    Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]));
        }
    }

    private static void expectError(float[][] e, double[] w, String messagePart) {
        try {
            Blender.blend(e, w);
            fail("accepted weights " + Arrays.toString(w));
        } catch (IllegalArgumentException ex) {
            assertTrue("'" + ex.getMessage() + "' should contain '" + messagePart + "'",
                    ex.getMessage().contains(messagePart));
        }
    }

    @Test
    public void exactValuesOfASmallBlend() {
        // Reference values from numpy: float64 accumulation of (w_i / total) * float64(e_i), cast to float32.
        float[] e0 = {0.1f, 1.0f, -2.0f};
        float[] e1 = {0.2f, 0.0f, 4.0f};
        float[] out = Blender.blend(new float[][] {e0, e1}, new double[] {0.3, 0.7});
        assertBits(new float[] {
            Float.intBitsToFloat(0x3e2e147b), // 0.17000000178813934
            Float.intBitsToFloat(0x3e99999a), // 0.30000001192092896
            Float.intBitsToFloat(0x400ccccd), // 2.200000047683716
        }, out);
    }

    @Test
    public void threeWayBlendMatchesTheReferenceValue() {
        float[] out = Blender.blend(new float[][] {{0.1f}, {-0.7f}, {3.25f}}, new double[] {1, 2, 1});
        assertBits(new float[] {Float.intBitsToFloat(0x3ef9999a)}, out); // 0.48750001192092896
    }

    @Test
    public void followsTheSpecifiedDoubleArithmetic() {
        float[][] e = {
            {0.1f, 1e-7f, 3.3333333f, -123.456f},
            {0.7f, -1e-7f, 1.1f, 987.125f},
            {-0.33f, 5e-8f, 2.2f, 0.001f},
        };
        double[] w = {0.2, 0.5, 0.3};
        double total = 0.0;
        for (double x : w) {
            total += x;
        }
        float[] expected = new float[4];
        for (int j = 0; j < 4; j++) {
            double acc = 0.0;
            for (int i = 0; i < 3; i++) {
                acc += (w[i] / total) * (double) e[i][j];
            }
            expected[j] = (float) acc;
        }
        assertBits(expected, Blender.blend(Arrays.asList(e), w));
    }

    @Test
    public void weightsAreNormalised() {
        float[][] e = {{1f, 2f}, {3f, -4f}};
        assertBits(Blender.blend(e, new double[] {0.5, 0.5}), Blender.blend(e, new double[] {7, 7}));
        assertArrayEquals(new float[] {2f, -1f}, Blender.blend(e, new double[] {2, 2}), 0f);
        assertArrayEquals(new double[] {0.25, 0.75}, Blender.normalize(new double[] {1, 3}), 0.0);
    }

    @Test
    public void singleStyleIsReturnedUnchanged() {
        float[] e = {0.1f, -3.4028235e38f, 1.4e-45f, 65504f};
        assertBits(e, Blender.blend(new float[][] {e}, new double[] {5.0}));
    }

    @Test
    public void zeroWeightDropsAStyle() {
        float[] a = {1f, 2f};
        assertBits(a, Blender.blend(new float[][] {a, {9f, 9f}}, new double[] {1, 0}));
    }

    @Test
    public void doesNotModifyInputs() {
        float[] a = {1f, 2f};
        float[] b = {3f, 4f};
        Blender.blend(new float[][] {a, b}, new double[] {1, 1});
        assertArrayEquals(new float[] {1f, 2f}, a, 0f);
        assertArrayEquals(new float[] {3f, 4f}, b, 0f);
    }

    @Test
    public void negativeWeightIsRejected() {
        expectError(new float[][] {{1f}, {2f}}, new double[] {1, -0.5}, "weight 1 is negative");
    }

    @Test
    public void nonFiniteWeightIsRejected() {
        expectError(new float[][] {{1f}}, new double[] {Double.NaN}, "not finite");
        expectError(new float[][] {{1f}}, new double[] {Double.POSITIVE_INFINITY}, "not finite");
    }

    @Test
    public void allZeroWeightsAreRejected() {
        expectError(new float[][] {{1f}, {2f}}, new double[] {0, 0}, "weights are all zero");
        try {
            Blender.normalize(new double[] {0.0});
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().contains("weights are all zero"));
        }
    }

    @Test
    public void emptyIsRejected() {
        expectError(new float[0][], new double[0], "no styles");
    }

    @Test
    public void countAndSizeMismatchesAreRejected() {
        expectError(new float[][] {{1f}, {2f}}, new double[] {1}, "2 embeddings but 1 weights");
        expectError(new float[][] {{1f, 2f}, {2f}}, new double[] {1, 1}, "embedding 1 has size 1");
    }

    @Test
    public void overflowingSumIsRejected() {
        expectError(new float[][] {{1f}, {2f}}, new double[] {Double.MAX_VALUE, Double.MAX_VALUE}, "overflows");
    }
}
