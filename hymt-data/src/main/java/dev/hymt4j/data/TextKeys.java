package dev.hymt4j.data;

import java.text.Normalizer;
import java.util.Locale;

/** Normalised comparison keys and their 64-bit hashes, for duplicate detection and split assignment. */
public final class TextKeys {
    private TextKeys() {}

    /**
     * NFKC, case-folded, punctuation removed, whitespace collapsed: two segments with the same key differ only in
     * width, case, punctuation or spacing. Case folding goes through upper case so that e.g. {@code ß} and
     * {@code SS} meet at {@code ss}, which plain lower-casing misses.
     */
    public static String normalized(String text) {
        String s = Normalizer.normalize(text, Normalizer.Form.NFKC).toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder(s.length());
        boolean pendingSpace = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                pendingSpace = sb.length() > 0;
            } else if (!isPunctuation(cp)) {
                if (pendingSpace) sb.append(' ');
                pendingSpace = false;
                sb.appendCodePoint(cp);
            }
        }
        return sb.toString();
    }

    private static boolean isPunctuation(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** 64-bit hash of {@code text}: FNV-1a over UTF-16 units, then a SplitMix64 finaliser to spread the bits. */
    public static long hash64(CharSequence text) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < text.length(); i++) {
            h ^= text.charAt(i);
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /** Hash of a pair, with a separator that cannot occur in text so ("ab","c") and ("a","bc") differ. */
    public static long hash64(CharSequence first, CharSequence second) {
        return hash64(first + "\u0000" + second);
    }

    /** SplitMix64's finaliser: a bijection on 64-bit values with full avalanche. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
