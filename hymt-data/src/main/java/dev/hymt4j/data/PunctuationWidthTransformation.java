package dev.hymt4j.data;

import dev.hymt4j.prompt.Language;

/**
 * Normalises character width the way each language writes it, so the model does not learn two spellings of
 * the same text:
 * <ul>
 *   <li>full-width Latin letters and digits ({@code ＡＢＣ１２３}) become half-width, in every language;</li>
 *   <li>in a side that is not Chinese or Japanese, full-width ASCII punctuation ({@code ，！？}) becomes ASCII,
 *       with a space after {@code , ; : ! ?} when a letter follows;</li>
 *   <li>in a Chinese side (zh, zh-Hant, yue), ASCII {@code , ; : ? !} right after a Chinese character become
 *       {@code ，；：？！} (dropping the space an English habit put after them), and a {@code .} after a
 *       Chinese character that ends the text or a clause becomes {@code 。}. Punctuation between Latin letters
 *       or digits ({@code 3.14}, {@code a,b}) is left alone.</li>
 * </ul>
 * Japanese and Korean punctuation is left as is: Japanese uses {@code 、} not {@code ，}, Korean uses ASCII.
 */
public final class PunctuationWidthTransformation implements Transformation {
    private static final int FULLWIDTH_OFFSET = 0xFF01 - 0x21;

    @Override public String name() { return "punctuation-width"; }

    @Override public String description() { return "full-width letters/digits → half-width; Chinese punctuation after Chinese text"; }

    @Override
    public ParallelExample apply(ParallelExample ex) {
        String source = normalize(ex.source(), ex.srcLang());
        String target = normalize(ex.target(), ex.tgtLang());
        return source.equals(ex.source()) && target.equals(ex.target()) ? ex : ex.withText(source, target);
    }

    static String normalize(String text, String lang) {
        Language language = Language.findByCode(lang).orElse(null);
        boolean chinese = Scripts.CHINESE.contains(language);
        boolean keepsFullWidthPunctuation = chinese || language == Language.JA;
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp >= 0xFF01 && cp <= 0xFF5E) {
                int ascii = cp - FULLWIDTH_OFFSET;
                if (Character.isLetterOrDigit(ascii) || !keepsFullWidthPunctuation) {
                    out.appendCodePoint(ascii);
                    // The full-width mark had its spacing built in; in Latin text "a，b" reads "a, b".
                    if (",;:!?".indexOf(ascii) >= 0 && i < text.length() && Character.isLetter(text.codePointAt(i))) out.append(' ');
                    continue;
                }
            } else if (chinese && afterChinese(out)) {
                int next = i < text.length() ? text.codePointAt(i) : -1;
                int wide = chinesePunctuation(cp, next);
                if (wide != cp) {
                    out.appendCodePoint(wide);
                    // "你好, 世界" → "你好，世界": the full-width mark already carries its own spacing.
                    while (i < text.length() && text.charAt(i) == ' ' && i + 1 < text.length() && !isAsciiAlnum(text.charAt(i + 1))) i++;
                    continue;
                }
            }
            out.appendCodePoint(cp);
        }
        return out.toString();
    }

    /** The full-width form of {@code cp} when it follows Chinese text, or {@code cp} itself. */
    private static int chinesePunctuation(int cp, int next) {
        return switch (cp) {
            case ',' -> '，';
            case ';' -> '；';
            case ':' -> '：';
            case '?' -> '？';
            case '!' -> '！';
            // Only a sentence-final period: "版本7.4" or "文件.txt" must stay.
            case '.' -> next == -1 || next == ' ' || next == '\n' ? '。' : cp;
            default -> cp;
        };
    }

    private static boolean afterChinese(StringBuilder out) {
        if (out.isEmpty()) return false;
        int prev = out.codePointBefore(out.length());
        return Scripts.isHan(prev) || "」』）》】".indexOf(prev) >= 0;
    }

    private static boolean isAsciiAlnum(char c) {
        return c < 0x80 && Character.isLetterOrDigit(c);
    }
}
