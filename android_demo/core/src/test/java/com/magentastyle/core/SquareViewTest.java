package com.magentastyle.core;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Arrays;
import java.util.function.BiPredicate;
import org.junit.Test;

public class SquareViewTest {
    private static int grey(int v) {
        return 0xFF000000 | (v << 16) | (v << 8) | v;
    }

    /** A width x height picture: white where {@code inside(x, y)}, else black. */
    private static int[] mask(int width, int height, BiPredicate<Integer, Integer> inside) {
        int[] argb = new int[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                argb[y * width + x] = grey(inside.test(x, y) ? 255 : 0);
            }
        }
        return argb;
    }

    private static void assertAll(float expected, float[] view, float tolerance) {
        for (int i = 0; i < view.length; i++) {
            assertEquals("value " + i, expected, view[i], tolerance);
        }
    }

    @Test
    public void hasExactlySideBySideRgbValues() {
        assertEquals(256 * 256 * 3, SquareView.tensor(new int[300 * 200], 300, 200, 256).length);
        assertEquals(3, SquareView.tensor(new int[7 * 5], 7, 5, 1).length);
        assertEquals(17 * 17 * 3, SquareView.tensor(new int[1], 1, 1, 17).length);
    }

    @Test
    public void aConstantPictureStaysConstant() {
        int[] argb = new int[301 * 203];
        Arrays.fill(argb, 0xFF336699);
        float[] shrunk = SquareView.tensor(argb, 301, 203, 64);
        float[] enlarged = SquareView.tensor(argb, 301, 203, 512);
        for (float[] view : new float[][] {shrunk, enlarged}) {
            for (int i = 0; i < view.length; i += 3) {
                assertEquals(0x33 / 255f, view[i], 1e-6f);
                assertEquals(0x66 / 255f, view[i + 1], 1e-6f);
                assertEquals(0x99 / 255f, view[i + 2], 1e-6f);
            }
        }
    }

    @Test
    public void atTheCropsSizeItIsTheCropExactly() {
        int[] argb = ContractMain.testPixels();  // 7 x 5: the crop is columns 1 to 5
        float[] view = SquareView.tensor(argb, 7, 5, 5);
        float[] all = Pixels.toTensor(argb, 7, 5);
        for (int y = 0; y < 5; y++) {
            float[] row = Arrays.copyOfRange(all, (y * 7 + 1) * 3, (y * 7 + 6) * 3);
            assertArrayEquals(row, Arrays.copyOfRange(view, y * 5 * 3, (y + 1) * 5 * 3), 0f);
        }
    }

    @Test
    public void onlyTheCentralSquareIsSeen() {
        // Wide: columns 2 to 6 white, margins of 2 and 2 (9 x 5), or 2 and 3: an odd margin's extra
        // column is on the right.
        assertAll(1f, SquareView.tensor(mask(9, 5, (x, y) -> x >= 2 && x <= 6), 9, 5, 3), 1e-6f);
        assertAll(1f, SquareView.tensor(mask(10, 5, (x, y) -> x >= 2 && x <= 6), 10, 5, 16), 1e-6f);
        // Tall: 6 x 21, rows 7 to 12 white, at two scales.
        int[] tall = mask(6, 21, (x, y) -> y >= 7 && y <= 12);
        assertAll(1f, SquareView.tensor(tall, 6, 21, 2), 1e-6f);
        assertAll(1f, SquareView.tensor(tall, 6, 21, 40), 1e-6f);
        // And one pixel more of margin shows black at the edge.
        float[] shifted = SquareView.tensor(mask(9, 5, (x, y) -> x >= 3 && x <= 7), 9, 5, 5);
        assertEquals(0f, shifted[0], 0f);
    }

    @Test
    public void enlargingIsHalfPixelBilinear() {
        // A 2 x 2 picture, black left column, white right: 0, 1/4, 3/4, 1 across 4 columns.
        float[] view = SquareView.tensor(mask(2, 2, (x, y) -> x == 1), 2, 2, 4);
        float[] expected = {0f, 0.25f, 0.75f, 1f};
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                for (int c = 0; c < 3; c++) {
                    assertEquals(expected[x], view[(y * 4 + x) * 3 + c], 1e-6f);
                }
            }
        }
    }

    @Test
    public void shrinkingAveragesInsteadOfSampling() {
        // One-pixel stripes, 64 -> 16: every value near mid-grey, none black or white.
        float[] view = SquareView.tensor(mask(64, 64, (x, y) -> x % 2 == 0), 64, 64, 16);
        for (float v : view) {
            assertTrue("value " + v, v > 0.4f && v < 0.6f);
        }
        // 4 -> 2: output column 0 reads input columns 0, 1, 2 with weights 3, 3, 1 (triangle, width 2).
        float[] two = SquareView.tensor(mask(4, 4, (x, y) -> x == 2), 4, 4, 2);
        assertEquals(1f / 7f, two[0], 1e-6f);
    }

    @Test(expected = IllegalArgumentException.class)
    public void wrongArrayLengthIsRejected() {
        SquareView.tensor(new int[5], 2, 2, 4);
    }

    @Test(expected = IllegalArgumentException.class)
    public void nonPositiveSideIsRejected() {
        SquareView.tensor(new int[4], 2, 2, 0);
    }
}
