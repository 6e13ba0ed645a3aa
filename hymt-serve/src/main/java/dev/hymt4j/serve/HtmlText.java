package dev.hymt4j.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Translation of HTML ({@code format=html}, LibreTranslate): the markup stays byte for byte, and each text node
 * with letters in it is translated on its own, its surrounding whitespace kept. Text inside {@code script},
 * {@code style}, {@code code} and {@code pre} is left alone; comments, doctype and tags are markup. Entities are
 * decoded before translation and {@code & < >} escaped after, so the model sees plain text.
 *
 * <p>This is what LibreTranslate does (translating text nodes) rather than HY-MT's formatted template, whose
 * official wording only translates into Chinese.
 */
final class HtmlText {
    private static final List<String> RAW_ELEMENTS = List.of("script", "style", "code", "pre", "textarea");

    /** A run of the document: markup (kept) or a text node (translated when {@link #translatable}). */
    record Piece(String raw, boolean translatable) {}

    private HtmlText() {}

    static List<Piece> split(String html) {
        List<Piece> pieces = new ArrayList<>();
        String rawUntil = null; // inside a raw element: the closing tag that ends it
        int i = 0, textStart = 0;
        while (i < html.length()) {
            if (html.charAt(i) != '<' || !startsMarkup(html, i)) {
                i++;
                continue;
            }
            int end = markupEnd(html, i);
            String tag = html.substring(i, end);
            if (rawUntil != null && !tag.toLowerCase(Locale.ROOT).startsWith(rawUntil)) {
                i = end;
                continue;
            }
            if (i > textStart) pieces.add(text(html.substring(textStart, i), rawUntil == null));
            pieces.add(new Piece(tag, false));
            String name = tagName(tag);
            if (rawUntil != null) rawUntil = null;
            else if (name != null && RAW_ELEMENTS.contains(name) && !tag.startsWith("</") && !tag.endsWith("/>")) rawUntil = "</" + name;
            i = textStart = end;
        }
        if (textStart < html.length()) pieces.add(text(html.substring(textStart), rawUntil == null));
        return pieces;
    }

    /** The document with each translatable text node replaced by {@code translate(decoded text)}. */
    static String rebuild(List<Piece> pieces, UnaryOperator<String> translate) {
        StringBuilder out = new StringBuilder();
        for (Piece p : pieces) {
            if (!p.translatable()) {
                out.append(p.raw());
                continue;
            }
            String raw = p.raw();
            int start = 0, end = raw.length();
            while (start < end && Character.isWhitespace(raw.charAt(start))) start++;
            while (end > start && Character.isWhitespace(raw.charAt(end - 1))) end--;
            out.append(raw, 0, start).append(escape(translate.apply(decode(raw.substring(start, end))))).append(raw.substring(end));
        }
        return out.toString();
    }

    /** The texts the model translates, in document order (decoded, trimmed). */
    static List<String> texts(List<Piece> pieces) {
        List<String> out = new ArrayList<>();
        for (Piece p : pieces) if (p.translatable()) out.add(decode(p.raw().strip()));
        return out;
    }

    private static Piece text(String raw, boolean outsideRaw) {
        return new Piece(raw, outsideRaw && raw.codePoints().anyMatch(Character::isLetterOrDigit));
    }

    private static boolean startsMarkup(String s, int i) {
        if (i + 1 >= s.length()) return false;
        char c = s.charAt(i + 1);
        return Character.isLetter(c) || c == '/' || c == '!' || c == '?';
    }

    private static int markupEnd(String s, int i) {
        if (s.startsWith("<!--", i)) {
            int close = s.indexOf("-->", i + 4);
            return close < 0 ? s.length() : close + 3;
        }
        char quote = 0;
        for (int j = i + 1; j < s.length(); j++) {
            char c = s.charAt(j);
            if (quote != 0) {
                if (c == quote) quote = 0;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                return j + 1;
            }
        }
        return s.length();
    }

    private static String tagName(String tag) {
        int i = tag.startsWith("</") ? 2 : 1, j = i;
        while (j < tag.length() && (Character.isLetterOrDigit(tag.charAt(j)) || tag.charAt(j) == '-')) j++;
        return j > i ? tag.substring(i, j).toLowerCase(Locale.ROOT) : null;
    }

    /** Decodes the named entities HTML text commonly holds, and numeric ones. */
    static String decode(String s) {
        if (s.indexOf('&') < 0) return s;
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int semi = c == '&' ? s.indexOf(';', i) : -1;
            if (semi > i + 1 && semi - i <= 10) {
                String name = s.substring(i + 1, semi);
                String decoded = entity(name);
                if (decoded != null) {
                    out.append(decoded);
                    i = semi + 1;
                    continue;
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    private static String entity(String name) {
        try {
            if (name.startsWith("#x") || name.startsWith("#X")) return Character.toString(Integer.parseInt(name.substring(2), 16));
            if (name.startsWith("#")) return Character.toString(Integer.parseInt(name.substring(1)));
        } catch (IllegalArgumentException e) {
            return null;
        }
        return switch (name) {
            case "amp" -> "&";
            case "lt" -> "<";
            case "gt" -> ">";
            case "quot" -> "\"";
            case "apos", "#39" -> "'";
            case "nbsp" -> "\u00a0";
            default -> null;
        };
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
