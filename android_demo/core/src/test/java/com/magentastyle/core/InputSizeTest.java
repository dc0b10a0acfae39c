package com.magentastyle.core;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.Random;
import org.junit.Test;

public class InputSizeTest {

    private static void assertFit(int w, int h, int longSide, int expectedW, int expectedH) {
        assertEquals(new InputSize(expectedW, expectedH), InputSize.fit(w, h, longSide));
    }

    private static void expectError(int w, int h, int longSide) {
        try {
            InputSize.fit(w, h, longSide);
            fail("accepted " + w + "x" + h + " -> " + longSide);
        } catch (IllegalArgumentException expected) {
            // ok
        }
    }

    @Test
    public void knownSizes() {
        assertFit(640, 480, 384, 384, 288);
        assertFit(480, 640, 384, 288, 384);
        assertFit(4032, 3024, 512, 512, 384);
        assertFit(1920, 1080, 1024, 1024, 576);
        assertFit(333, 333, 1024, 1024, 1024);
        assertFit(100, 37, 256, 256, 96);    // 94.72 / 4 = 23.68 -> 24 * 4
        assertFit(1000, 1, 256, 256, 4);     // never below 4
        assertFit(1, 1000, 1024, 4, 1024);
        assertFit(7, 5, 256, 256, 184);      // 182.857 / 4 = 45.71 -> 46 * 4
        assertFit(2, 3, 4, 4, 4);
    }

    @Test
    public void roundsHalfUp() {
        // 300 * (256 / 1000.0) = 76.8, / 4 = 19.2 -> 19 * 4 = 76.
        assertFit(1000, 300, 256, 256, 76);
        // 2 * 384 / 256 = 3.0, / 4 = 0.75 -> floor(1.25) = 1 -> 4
        assertFit(256, 2, 384, 384, 4);
        // exactly x.5: 10 * (8 / 16.0) = 5, / 4 = 1.25 -> 1; 12 * 0.5 = 6 / 4 = 1.5 -> 2 -> 8.
        assertFit(16, 12, 8, 8, 8);
    }

    @Test
    public void multiplesOfFourAndAspectKept() {
        Random random = new Random(7);
        int[] longSides = {256, 384, 512, 768, 1024};
        for (int k = 0; k < 2000; k++) {
            int w = 1 + random.nextInt(5000);
            int h = 1 + random.nextInt(5000);
            int longSide = longSides[random.nextInt(longSides.length)];
            InputSize s = InputSize.fit(w, h, longSide);
            assertEquals(0, s.width() % 4);
            assertEquals(0, s.height() % 4);
            assertTrue(s.width() >= 4 && s.height() >= 4);
            assertEquals(longSide, Math.max(s.width(), s.height()));
            double sc = longSide / (double) Math.max(w, h);
            assertTrue(Math.abs(s.width() - w * sc) <= 4);
            assertTrue(Math.abs(s.height() - h * sc) <= 4);
        }
    }

    @Test
    public void errors() {
        expectError(640, 480, 0);
        expectError(640, 480, -4);
        expectError(640, 480, 385);
        expectError(640, 480, 2);
        expectError(0, 480, 384);
        expectError(640, 0, 384);
        expectError(-1, 10, 384);
    }

    @Test
    public void otherMultiple() {
        assertEquals(new InputSize(384, 288), InputSize.fit(640, 480, 384, 4));
        assertEquals(new InputSize(384, 288), InputSize.fit(640, 480, 384, 8));
        try {
            InputSize.fit(640, 480, 380, 8);
            fail();
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().contains("multiple of 8"));
        }
    }

    @Test
    public void accessors() {
        InputSize s = InputSize.fit(640, 480, 384);
        assertArrayEquals(new int[] {384, 288}, s.toArray());
        assertArrayEquals(new int[] {1, 288, 384, 3}, s.tensorShape());
        assertEquals("384x288", s.toString());
    }
}
