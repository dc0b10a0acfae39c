package com.magentastyle.core;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.Arrays;
import java.util.List;
import org.junit.Test;

public class ControlsTest {
    private static final Controls CONTROLS = new Controls(0.5, 2.0, 2.0);

    private static Style controlled(String name, float own, float small, float large, float intense) {
        return new Style(name, new float[] {own, -own}, null, null,
                new float[][] {{small, -small}, {large, -large}, {intense, -intense}});
    }

    @Test
    public void coefficientsSumToOneAndReachEachPoint() {
        assertArrayEquals(new double[] {1, 0, 0, 0}, CONTROLS.coefficients(1.0, 1.0), 0.0);
        assertArrayEquals(new double[] {0, 1, 0, 0}, CONTROLS.coefficients(0.5, 1.0), 0.0);
        assertArrayEquals(new double[] {0, 0, 1, 0}, CONTROLS.coefficients(2.0, 0.3), 0.0);
        assertArrayEquals(new double[] {0, 0, 0, 1}, CONTROLS.coefficients(1.0, 2.0), 0.0);
        double[] c = CONTROLS.coefficients(0.8, 1.6);
        assertEquals(1.0, c[0] + c[1] + c[2] + c[3], 1e-15);
        assertEquals(0.4, c[1], 1e-15);
        assertEquals(0.6, c[3], 1e-15);
    }

    @Test
    public void refusesSettingsOutsideTheTrainedRange() {
        for (double[] bad : new double[][] {{0.49, 1}, {2.01, 1}, {1, 2.1}, {1, -0.1}, {Double.NaN, 1}}) {
            try {
                CONTROLS.coefficients(bad[0], bad[1]);
                fail("accepted " + Arrays.toString(bad));
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage().contains(bad[0] == 1 ? "strength" : "stroke"));
            }
        }
    }

    @Test
    public void blendAtAPointIsThatPointAndNeutralSettingsIgnorePoints() {
        List<Style> styles = Arrays.asList(controlled("a", 1, 2, 3, 4), controlled("b", 10, 20, 30, 40));
        assertArrayEquals(new float[] {3.0f * 0.5f + 30.0f * 0.5f, -16.5f},
                Blender.blend(styles, new double[] {1, 1}, CONTROLS, 2.0, 1.0), 0f);
        assertArrayEquals(Blender.blend(new float[][] {{1, -1}, {10, -10}}, new double[] {1, 3}),
                Blender.blend(styles, new double[] {1, 3}, null, 1.0, 0.7), 0f);
        float[] both = Blender.blend(styles.subList(0, 1), new double[] {1}, CONTROLS, 0.75, 1.5);
        assertEquals(0.5 * 1 + 0.5 * 2 - 0.5 * 1 + 0.5 * 4, both[0], 1e-6);
    }

    @Test
    public void aSettingThatNeedsPointsRefusesAStyleWithoutThem() {
        List<Style> styles = Arrays.asList(controlled("a", 1, 2, 3, 4), new Style("plain", new float[] {1, 2}, null, null));
        try {
            Blender.blend(styles, new double[] {1, 1}, CONTROLS, 1.5, 1.0);
            fail("blended a style without points");
        } catch (IllegalArgumentException expected) {
            assertTrue(expected.getMessage().contains("'plain' has no stroke"));
        }
    }

    @Test
    public void manifestReadsControlsAndStylePoints() {
        String style = "{\"name\": \"a\", \"embedding\": [1, 2], \"controls\": {\"stroke_small\": [3, 4], "
                + "\"stroke_large\": [5, 6], \"intense\": [7, 8]}}";
        String json = TestData.manifest(2, style, TestData.style("b", 9, 10)).replaceFirst("\"styles\"",
                "\"controls\": {\"points\": [\"stroke_small\", \"stroke_large\", \"intense\"], "
                        + "\"stroke_range\": [0.5, 2.0], \"max_strength\": 2.0},\n  \"styles\"");
        Manifest manifest = Manifest.parse(json);
        assertEquals(2.0, manifest.controls().strokeHigh(), 0.0);
        assertTrue(manifest.style(0).hasControls());
        assertFalse(manifest.style(1).hasControls());
        assertArrayEquals(new float[] {7, 8}, manifest.style(0).pointUnsafe(2), 0f);
        assertNull(Manifest.parse(TestData.manifest(2, TestData.style("b", 9, 10))).controls());
    }

    @Test
    public void manifestRefusesPointsWithoutTheControlsSection() {
        String style = "{\"name\": \"a\", \"embedding\": [1, 2], \"controls\": {\"stroke_small\": [3, 4], "
                + "\"stroke_large\": [5, 6], \"intense\": [7, 8]}}";
        try {
            Manifest.parse(TestData.manifest(2, style));
            fail("accepted points without a controls section");
        } catch (ManifestException expected) {
            assertTrue(expected.getMessage().contains("no \"controls\" section"));
        }
    }

    @Test
    public void styleFileReadsControlPoints() {
        String one = TestData.base64OfHalves(0x3c00, 0x4000); // 1, 2
        String json = TestData.styleFile("s", 2, "float16", one).replaceFirst("\"metadata\"",
                "\"controls\": {\"stroke_small\": \"" + one + "\", \"stroke_large\": \"" + one + "\", \"intense\": \""
                        + TestData.base64OfHalves(0x4200, 0x4400) + "\"},\n  \"metadata\"");
        Style style = StyleFile.parse(json, TestData.network(2));
        assertTrue(style.hasControls());
        assertArrayEquals(new float[] {3, 4}, style.pointUnsafe(2), 0f);
    }
}
