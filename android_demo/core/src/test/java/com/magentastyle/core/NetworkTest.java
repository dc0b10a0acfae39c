package com.magentastyle.core;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import org.junit.Test;

/** The fit rule of style files against the model's manifest, with Python's messages. */
public class NetworkTest {
    private static final String PAPER_1 = "\"architecture\": \"paper\", \"alpha\": 1.0, ";
    private static final String ONE_VALUE = TestData.base64OfHalves(0x3C00);
    private static final String RULE = ": a style only fits the network it was trained for";

    private static String refusal(String styleNetwork, int size, Network model) {
        int[] halves = new int[size];
        String json = TestData.styleFile("s", size, "float16", TestData.base64OfHalves(halves), styleNetwork);
        try {
            StyleFile.parse(json, model);
        } catch (StyleFileException e) {
            return e.getMessage();
        }
        fail("style file accepted: " + json);
        return null;
    }

    @Test
    public void aStyleForTheSameNetworkFits() {
        String json = TestData.styleFile("s", 1, "float16", ONE_VALUE, PAPER_1);
        assertEquals(1, StyleFile.parse(json, TestData.network(1, PAPER_1)).embeddingSize());
    }

    @Test
    public void anotherArchitectureIsRefused() {
        assertEquals("style 's' was made for architecture mobile but the model has architecture paper" + RULE,
                refusal("\"architecture\": \"mobile\", \"alpha\": 1.0, ", 1, TestData.network(1, PAPER_1)));
    }

    @Test
    public void anotherAlphaIsRefused() {
        assertEquals("style 's' was made for alpha 0.25 but the model has alpha 1.0" + RULE,
                refusal("\"architecture\": \"paper\", \"alpha\": 0.25, ", 1, TestData.network(1, PAPER_1)));
    }

    @Test
    public void anotherSizeNamesBothNetworks() {
        assertEquals("style 's' has embedding size 2 (made for architecture mobile, alpha 0.25) but the model's is 3 "
                + "(architecture paper, alpha 1)" + RULE,
                refusal("\"architecture\": \"mobile\", \"alpha\": 0.25, ", 2, TestData.network(3, PAPER_1)));
        assertEquals("style 's' has embedding size 2 but the model's is 3" + RULE,
                refusal("", 2, TestData.network(3)));
    }

    @Test
    public void decimalsAreNamedWithSixSignificantDigits() {
        assertEquals("style 's' has embedding size 2 (made for alpha 0.333333) but the model's is 3 (alpha 1e-05)" + RULE,
                refusal("\"alpha\": 0.3333333333, ", 2, TestData.network(3, "\"alpha\": 0.00001, ")));
    }

    @Test
    public void whatIsNotRecordedIsNotCompared() {
        String withNetwork = TestData.styleFile("s", 1, "float16", ONE_VALUE, "\"architecture\": \"mobile\", ");
        StyleFile.parse(withNetwork, TestData.network(1));
        String without = TestData.styleFile("s", 1, "float16", ONE_VALUE);
        StyleFile.parse(without, TestData.network(1, PAPER_1));
        String nullAlpha = TestData.styleFile("s", 1, "float16", ONE_VALUE, "\"alpha\": null, ");
        StyleFile.parse(nullAlpha, TestData.network(1, PAPER_1));
    }

    @Test
    public void numbersCompareByValue() {
        String json = TestData.styleFile("s", 1, "float16", ONE_VALUE, "\"alpha\": 1, ");
        StyleFile.parse(json, TestData.network(1, PAPER_1));
    }
}
