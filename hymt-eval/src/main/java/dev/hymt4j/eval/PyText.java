package dev.hymt4j.eval;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The few Python {@code str} operations sacreBLEU relies on, with Python's exact semantics.
 *
 * <p>Java's own notions differ in ways that change scores: {@code String.trim()} and {@code \s} do not
 * treat NBSP (U+00A0) or U+3000 as whitespace, {@code String.split} works on UTF-16 chars, and
 * {@code String.format} rounds half-up where Python rounds the exact binary value half-even.
 */
public final class PyText {
    private PyText() {}

    /** Python's {@code str.isspace()} for one code point (spec §7.5). */
    public static boolean isSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0
                || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029
                || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }

    /** Python's {@code s.split()}: runs of whitespace separate words; no empty words. */
    public static List<String> split(String s) {
        List<String> words = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (isSpace(cp)) {
                if (start >= 0) {
                    words.add(s.substring(start, i));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
            i += Character.charCount(cp);
        }
        if (start >= 0) words.add(s.substring(start));
        return words;
    }

    /** Python's {@code " ".join(s.split())}: collapses whitespace runs, no leading or trailing space. */
    public static String collapseSpaces(String s) {
        return String.join(" ", split(s));
    }

    /** Python's {@code "".join(s.split())}: deletes every whitespace code point. */
    public static String removeSpaces(String s) {
        return String.join("", split(s));
    }

    /** Python's {@code s.rstrip()}. */
    public static String rstrip(String s) {
        int end = s.length();
        while (end > 0) {
            int cp = s.codePointBefore(end);
            if (!isSpace(cp)) break;
            end -= Character.charCount(cp);
        }
        return s.substring(0, end);
    }

    /** Python's {@code s.strip()}. */
    public static String strip(String s) {
        String r = rstrip(s);
        int start = 0;
        while (start < r.length()) {
            int cp = r.codePointAt(start);
            if (!isSpace(cp)) break;
            start += Character.charCount(cp);
        }
        return r.substring(start);
    }

    /** Python's {@code s.lower()}: full Unicode case mapping, independent of the default locale. */
    public static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    /** Python's {@code f"{x:.{digits}f}"}: the exact binary value rounded half-even. */
    public static String fixed(double x, int digits) {
        if (Double.isNaN(x) || Double.isInfinite(x)) return Double.toString(x);
        return new BigDecimal(x).setScale(digits, RoundingMode.HALF_EVEN).toPlainString();
    }
}
