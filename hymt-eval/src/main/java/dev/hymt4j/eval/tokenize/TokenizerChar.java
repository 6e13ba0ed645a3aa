package dev.hymt4j.eval.tokenize;

/**
 * sacreBLEU's {@code char} tokenizer ({@code " ".join(line)}): every code point is a token; whitespace
 * code points become empty tokens that vanish when the result is split.
 */
public final class TokenizerChar implements BleuTokenizer {

    @Override
    public String name() {
        return "char";
    }

    @Override
    public String tokenize(String line) {
        StringBuilder sb = new StringBuilder(line.length() * 2);
        line.codePoints().forEach(cp -> {
            if (!sb.isEmpty()) sb.append(' ');
            sb.appendCodePoint(cp);
        });
        return sb.toString();
    }
}
