package com.magentastyle.core;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.Arrays;
import org.junit.Test;

public class SelectionTest {

    @Test
    public void addRemoveAndWeights() {
        Selection s = Selection.empty().with("a", 1.0).with("b", 3.0);
        assertEquals(Arrays.asList("a", "b"), s.ids());
        assertArrayEquals(new double[] {1.0, 3.0}, s.weights(), 0.0);
        assertArrayEquals(new double[] {0.25, 0.75}, s.normalizedWeights(), 0.0);
        s = s.withWeight("a", 0.0);
        assertArrayEquals(new double[] {0.0, 1.0}, s.normalizedWeights(), 0.0);
        assertEquals(3.0, s.weight("b"), 0.0);
        s = s.without("a");
        assertEquals(Arrays.asList("b"), s.ids());
        assertSame(s, s.without("zzz"));
    }

    @Test
    public void isImmutable() {
        Selection empty = Selection.empty();
        Selection one = empty.with("a", 1.0);
        assertTrue(empty.isEmpty());
        assertEquals(1, one.size());
        one.withWeight("a", 5.0);
        assertEquals(1.0, one.weight("a"), 0.0);
    }

    @Test
    public void atMostFourStyles() {
        Selection s = Selection.empty().with("a", 1).with("b", 1).with("c", 1).with("d", 1);
        assertTrue(s.isFull());
        try {
            s.with("e", 1);
            fail();
        } catch (IllegalStateException e) {
            assertTrue(e.getMessage().contains("at most 4"));
        }
        assertFalse(s.without("a").isFull());
    }

    @Test
    public void allZeroNormalisesToZeros() {
        Selection s = Selection.empty().with("a", 0).with("b", 0);
        assertArrayEquals(new double[] {0, 0}, s.normalizedWeights(), 0.0);
    }

    @Test
    public void retainDropsUnknownIds() {
        Selection s = Selection.empty().with("a", 1).with("b", 2).with("c", 3);
        assertEquals(Arrays.asList("a", "c"), s.retain(id -> !id.equals("b")).ids());
    }

    @Test(expected = IllegalArgumentException.class)
    public void negativeWeightIsRejected() {
        Selection.empty().with("a", -1);
    }

    @Test(expected = IllegalArgumentException.class)
    public void duplicateIsRejected() {
        Selection.empty().with("a", 1).with("a", 2);
    }

    @Test(expected = IllegalArgumentException.class)
    public void unknownIdWeightIsRejected() {
        Selection.empty().withWeight("a", 1);
    }
}
