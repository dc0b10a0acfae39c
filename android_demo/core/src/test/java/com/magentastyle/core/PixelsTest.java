package com.magentastyle.core;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class PixelsTest {

    @Test
    public void argbToTensorIsNhwcRgbOver255() {
        int[] argb = {0x80FF0000, 0xFF00FF00, 0x000000FF, 0xFF102030};
        float[] t = Pixels.toTensor(argb, 2, 2);
        assertArrayEquals(new float[] {
            1f, 0f, 0f,
            0f, 1f, 0f,
            0f, 0f, 1f,
            16 / 255f, 32 / 255f, 48 / 255f,
        }, t, 0f);
        assertEquals(Float.floatToIntBits(16 / 255f), Float.floatToIntBits(t[9]));
    }

    @Test
    public void tensorToArgbClampsAndRounds() {
        assertEquals(0, Pixels.toByte(-0.5f));
        assertEquals(0, Pixels.toByte(-0.0f));
        assertEquals(255, Pixels.toByte(1.5f));
        assertEquals(255, Pixels.toByte(1.0f));
        assertEquals(0, Pixels.toByte(Float.NaN));
        assertEquals(0, Pixels.toByte(Float.NEGATIVE_INFINITY));
        assertEquals(255, Pixels.toByte(Float.POSITIVE_INFINITY));
        assertEquals(128, Pixels.toByte(0.5f));  // 127.5 + 0.5 = 128
        assertEquals(64, Pixels.toByte(0.25f));  // 63.75 + 0.5
        // 0.5f/255f is a hair above 0.5/255, so it rounds up; 254.5f/255f a hair below.
        assertEquals(1, Pixels.toByte(0.5f / 255f));
        assertEquals(254, Pixels.toByte(254.5f / 255f));
        int[] argb = Pixels.fromTensor(new float[] {1f, 0.5f, -1f, 0f, 0f, 2f}, 2, 1);
        assertArrayEquals(new int[] {0xFFFF8000, 0xFF0000FF}, argb);
    }

    @Test
    public void roundTripIsExactForEveryByte() {
        int[] argb = new int[256];
        for (int v = 0; v < 256; v++) {
            argb[v] = (v << 24) | (v << 16) | ((255 - v) << 8) | ((v * 7) & 0xFF);
        }
        int[] back = Pixels.fromTensor(Pixels.toTensor(argb, 16, 16), 16, 16);
        for (int v = 0; v < 256; v++) {
            assertEquals(0xFF000000 | (argb[v] & 0x00FFFFFF), back[v]);
        }
    }

    @Test
    public void intoExistingArrays() {
        int[] argb = {0xFFFFFFFF, 0xFF000000};
        float[] t = new float[6];
        Pixels.toTensor(argb, t);
        int[] back = new int[2];
        Pixels.fromTensor(t, back);
        assertArrayEquals(argb, back);
    }

    @Test(expected = IllegalArgumentException.class)
    public void wrongArgbLengthIsRejected() {
        Pixels.toTensor(new int[5], 2, 2);
    }

    @Test(expected = IllegalArgumentException.class)
    public void wrongTensorLengthIsRejected() {
        Pixels.fromTensor(new float[11], 2, 2);
    }

    @Test(expected = IllegalArgumentException.class)
    public void nonPositiveSizeIsRejected() {
        Pixels.toTensor(new int[0], 0, 0);
    }

    @Test(expected = IllegalArgumentException.class)
    public void mismatchedOutputIsRejected() {
        Pixels.toTensor(new int[2], new float[5]);
    }
}
