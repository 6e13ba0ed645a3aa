package dev.hymt4j.data;

/**
 * A tokenizer-free estimate of BPE token counts: each Han/kana/Hangul character ≈ 1 token, each other word
 * (run of letters/digits) ≈ 1.3 tokens (the usual ratio for English under ~100k-entry BPE vocabularies), each
 * other visible symbol 1 token. Good to ±25% for the languages HY-MT covers, which is enough for a length cap.
 */
public final class ApproximateTokenCounter implements TokenCounter {
    private static final double TOKENS_PER_WORD = 1.3;

    @Override
    public int count(String text) {
        double tokens = 0;
        boolean inWord = false;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Scripts.isCjk(cp)) {
                tokens += 1;
                inWord = false;
            } else if (Character.isLetterOrDigit(cp) || Character.getType(cp) == Character.NON_SPACING_MARK) {
                if (!inWord) tokens += TOKENS_PER_WORD;
                inWord = true;
            } else {
                if (!Character.isWhitespace(cp) && !Character.isSpaceChar(cp)) tokens += 1;
                inWord = false;
            }
        }
        return (int) Math.ceil(tokens);
    }
}
