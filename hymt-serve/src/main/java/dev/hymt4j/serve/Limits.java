package dev.hymt4j.serve;

/**
 * Per-request limits.
 *
 * @param maxInputChars characters of text one request may ask to translate or complete (all its texts,
 *                      messages, context and glossary together)
 * @param maxTokensCap  the largest max_tokens a request may ask for
 */
public record Limits(int maxInputChars, int maxTokensCap) {

    /** Checks a request's total input size; the 400 names the limit and its option. */
    void checkInput(long chars) {
        if (chars > maxInputChars) {
            throw ApiException.overLimit(null, "the input is " + chars + " characters, over this server's limit of "
                    + maxInputChars + " characters (--max-input-chars)");
        }
    }

    /** The largest request body read: room for maxInputChars of escaped JSON text, plus the other fields. */
    long maxBodyBytes() {
        return 6L * maxInputChars + (1 << 20);
    }
}
