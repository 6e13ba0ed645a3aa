package dev.hymt4j.eval.tokenize;

import dev.hymt4j.eval.PyText;

/**
 * sacreBLEU's {@code zh} tokenizer: every "Chinese" code point becomes its own token, the rest goes
 * through the 13a regular expressions (without 13a's entity handling and padding).
 */
public final class TokenizerZh implements BleuTokenizer {

    /**
     * Inclusive code-point ranges that count as Chinese, as sacreBLEU <em>effectively</em> tests them.
     * Its source writes Extension B as the escapes "u20000".."u2a6d6" and the Compatibility Supplement
     * as "u2f800".."u2fa1d" (each after a backslash); Python's four-digit escape reads "u20000" as
     * U+2000 followed by '0', and comparing one character against such two-character bounds yields U+2001..U+2A6D and
     * U+2F81..U+2FA1. So general punctuation (— “ ” ’ …), currency (€), letterlike symbols (℃),
     * arrows and math operators are split like ideographs, while real Extension B/C ideographs
     * (U+20000 and up) are not. We reproduce that, because the scores depend on it.
     */
    private static final int[][] RANGES = {
            {0x3400, 0x4DB5}, {0x4E00, 0x9FA5}, {0x9FA6, 0x9FBB}, {0xF900, 0xFA2D},
            {0xFA30, 0xFA6A}, {0xFA70, 0xFAD9},
            {0x2001, 0x2A6D}, // source bounds "u20000".."u2a6d6" (see above)
            {0x2F81, 0x2FA1}, // source bounds "u2f800".."u2fa1d" (see above)
            {0xFF00, 0xFFEF}, {0x2E80, 0x2EFF}, {0x3000, 0x303F}, {0x31C0, 0x31EF},
            {0x2F00, 0x2FDF}, {0x2FF0, 0x2FFF}, {0x3100, 0x312F}, {0x31A0, 0x31BF},
            {0xFE10, 0xFE1F}, {0xFE30, 0xFE4F}, {0x2600, 0x26FF}, {0x2700, 0x27BF},
            {0x3200, 0x32FF}, {0x3300, 0x33FF},
    };

    /** Whether sacreBLEU's {@code zh} tokenizer isolates this code point. */
    public static boolean isChineseChar(int cp) {
        for (int[] r : RANGES) {
            if (cp >= r[0] && cp <= r[1]) return true;
        }
        return false;
    }

    @Override
    public String name() {
        return "zh";
    }

    @Override
    public String tokenize(String line) {
        StringBuilder sb = new StringBuilder(line.length() * 2);
        PyText.strip(line).codePoints().forEach(cp -> {
            if (isChineseChar(cp)) {
                sb.append(' ').appendCodePoint(cp).append(' ');
            } else {
                sb.appendCodePoint(cp);
            }
        });
        return MtevalRegexp.apply(sb.toString());
    }
}
