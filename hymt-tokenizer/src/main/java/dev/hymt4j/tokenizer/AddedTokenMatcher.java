package dev.hymt4j.tokenizer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds added tokens in text the way {@code tokenizers}' AddedVocabulary does: leftmost-longest,
 * non-overlapping matches (an Aho-Corasick search in Rust, a trie walk here), then the single_word, lstrip and
 * rstrip rules. A match rejected by those rules, or a special token while specials are not allowed, is skipped
 * together with its text, as in {@code tokenizers}.
 */
final class AddedTokenMatcher {
    /** One piece of the split: either plain text {@code [start, end)} or the added token {@code token}. */
    record Segment(int start, int end, AddedToken token) {}

    private static final class Node {
        final Map<Character, Node> children = new HashMap<>(4);
        AddedToken token;
    }

    private final Node root = new Node();
    private final boolean[] firstChar = new boolean[Character.MAX_VALUE + 1];
    private final boolean empty;

    /** @param keys the text each token is matched by (its content, normalized if the token is normalized) */
    AddedTokenMatcher(List<AddedToken> tokens, List<String> keys) {
        for (int t = 0; t < tokens.size(); t++) {
            String key = keys.get(t);
            if (key.isEmpty()) continue;
            Node node = root;
            for (int i = 0; i < key.length(); i++) node = node.children.computeIfAbsent(key.charAt(i), c -> new Node());
            if (node.token == null) node.token = tokens.get(t);
            firstChar[key.charAt(0)] = true;
        }
        empty = root.children.isEmpty();
    }

    boolean isEmpty() {
        return empty;
    }

    /** Splits {@code text} into plain-text and token segments, in order, with no empty plain-text segments. */
    void split(String text, boolean allowSpecial, List<Segment> out) {
        int textStart = 0; // start of the plain text not yet emitted
        int i = 0;
        while (i < text.length()) {
            if (!firstChar[text.charAt(i)]) {
                i++;
                continue;
            }
            AddedToken found = null;
            int end = -1;
            Node node = root;
            for (int j = i; j < text.length(); j++) {
                node = node.children.get(text.charAt(j));
                if (node == null) break;
                if (node.token != null) {
                    found = node.token;
                    end = j + 1;
                }
            }
            if (found == null) {
                i++;
                continue;
            }
            int start = i;
            i = end; // matching resumes after this match whether or not it is used
            if (found.special() && !allowSpecial) continue;
            if (found.singleWord() && (wordCharBefore(text, start) || wordCharAt(text, end))) continue;
            if (found.lstrip()) {
                int s = start;
                while (s > textStart && isWhitespace(text.codePointBefore(s))) s -= Character.charCount(text.codePointBefore(s));
                start = s;
            }
            if (found.rstrip()) {
                while (end < text.length() && isWhitespace(text.codePointAt(end))) end += Character.charCount(text.codePointAt(end));
                i = end;
            }
            if (start > textStart) out.add(new Segment(textStart, start, null));
            out.add(new Segment(start, end, found));
            textStart = end;
        }
        if (textStart < text.length()) out.add(new Segment(textStart, text.length(), null));
    }

    /** Rust {@code char::is_whitespace}: the Unicode White_Space property. */
    static boolean isWhitespace(int cp) {
        return (cp >= 9 && cp <= 13) || cp == 0x85 || Character.isSpaceChar(cp);
    }

    /** Rust {@code char::is_alphanumeric}: Alphabetic or Numeric (general category N). */
    private static boolean isWordChar(int cp) {
        if (Character.isAlphabetic(cp)) return true;
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
    }

    private static boolean wordCharBefore(String text, int index) {
        return index > 0 && isWordChar(text.codePointBefore(index));
    }

    private static boolean wordCharAt(String text, int index) {
        return index < text.length() && isWordChar(text.codePointAt(index));
    }
}
