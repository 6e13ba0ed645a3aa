package dev.hymt4j.eval.tokenize;

/** No tokenization: tokens are the whitespace-separated words of the segment as given. */
public final class TokenizerNone implements BleuTokenizer {

    @Override
    public String name() {
        return "none";
    }

    @Override
    public String tokenize(String line) {
        return line;
    }
}
