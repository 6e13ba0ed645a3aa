package dev.hymt4j.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns ids into text one at a time while generating. A character whose UTF-8 bytes are spread over several
 * tokens (common for CJK and emoji in byte-level BPE) is held back until its last byte arrives, so the
 * concatenation of everything {@link #push} and {@link #finish} return equals {@link Tokenizer#decode} of all
 * ids without space clean-up. Not thread-safe; use one per generated sequence.
 */
public final class StreamDecoder {
    private final Tokenizer tokenizer;
    private final boolean skipSpecial;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    StreamDecoder(Tokenizer tokenizer, boolean skipSpecial) {
        this.tokenizer = tokenizer;
        this.skipSpecial = skipSpecial;
    }

    /** Adds one id; returns the text completed by it (possibly empty). */
    public String push(int id) {
        if (skipSpecial && tokenizer.isSpecial(id)) return "";
        pending.writeBytes(tokenizer.tokenBytes(id));
        byte[] bytes = pending.toByteArray();
        int complete = completePrefixLength(bytes);
        pending.reset();
        pending.write(bytes, complete, bytes.length - complete);
        return new String(bytes, 0, complete, StandardCharsets.UTF_8);
    }

    /** Returns the held-back bytes, an unfinished character becoming U+FFFD, and resets the decoder. */
    public String finish() {
        String rest = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        return rest;
    }

    /**
     * Length of the prefix that can be decoded now: everything except a trailing lead byte plus continuation
     * bytes that could still become a valid character. Invalid bytes are released (they decode to U+FFFD).
     */
    static int completePrefixLength(byte[] b) {
        int n = b.length;
        // A character is at most 4 bytes: look for its lead byte among the last 3.
        for (int back = 1; back <= Math.min(3, n); back++) {
            int v = b[n - back] & 0xFF;
            if ((v & 0xC0) == 0x80) continue; // continuation byte: keep looking for the lead
            int needed = v >= 0xF0 && v <= 0xF4 ? 4 : v >= 0xE0 ? 3 : v >= 0xC2 && v < 0xE0 ? 2 : 1;
            return needed > back ? n - back : n;
        }
        return n;
    }
}
