package com.magentastyle.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reading bounded UTF-8 text (java.io only, so it runs on every Android API level). */
public final class Text {
    /** styles.json holds every embedding as JSON numbers: allow plenty. */
    public static final int MAX_MANIFEST_BYTES = 256 * 1024 * 1024;
    /** A .style.json file is a few KB; anything huge is not a style file. */
    public static final int MAX_STYLE_FILE_BYTES = 4 * 1024 * 1024;

    private Text() {
    }

    /**
     * Reads all of {@code in} (not closed) as UTF-8.
     *
     * @throws IOException if reading fails or the stream is longer than {@code maxBytes}
     */
    public static String readUtf8(InputStream in, int maxBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) != -1) {
            total += n;
            if (total > maxBytes) {
                throw new IOException("input is larger than " + maxBytes + " bytes");
            }
            out.write(buffer, 0, n);
        }
        return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }
}
