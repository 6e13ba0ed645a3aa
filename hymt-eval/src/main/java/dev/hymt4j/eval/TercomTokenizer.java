package dev.hymt4j.eval;

import java.util.regex.Pattern;

/**
 * sacreBLEU's re-implementation of tercom's normalizer ({@code TercomTokenizer}). With the TER
 * defaults it only lowercases; {@code normalized} adds mteval-like punctuation splitting and
 * {@code noPunct} deletes {@code . , ? : ; ! " ( )}. (Asian-script support is not implemented.)
 */
final class TercomTokenizer {
    private static final Pattern SYMBOLS = Pattern.compile("([{-~\\[-` -&(-+:-@/])");
    private static final Pattern PERIOD_COMMA_AFTER_NON_DIGIT = Pattern.compile("([^0-9])([\\.,])");
    private static final Pattern PERIOD_COMMA_BEFORE_NON_DIGIT = Pattern.compile("([\\.,])([^0-9])");
    private static final Pattern DASH_AFTER_DIGIT = Pattern.compile("([0-9])(-)");
    private static final Pattern PUNCTUATION = Pattern.compile("[\\.,\\?:;!\"\\(\\)]");

    private final boolean normalized;
    private final boolean noPunct;
    private final boolean caseSensitive;

    TercomTokenizer(boolean normalized, boolean noPunct, boolean caseSensitive) {
        this.normalized = normalized;
        this.noPunct = noPunct;
        this.caseSensitive = caseSensitive;
    }

    String tokenize(String sent) {
        if (sent.isEmpty()) return "";
        if (!caseSensitive) sent = PyText.lower(sent);
        if (normalized) sent = normalizeGeneralAndWestern(sent);
        if (noPunct) sent = PUNCTUATION.matcher(sent).replaceAll("");
        return PyText.collapseSpaces(sent);
    }

    private static String normalizeGeneralAndWestern(String sent) {
        sent = sent.replace("\n-", "");  // tercom joins "\n-" (not "-\n" as 13a does)
        sent = sent.replace("\n", " ");
        sent = sent.replace("&quot;", "\"");
        sent = sent.replace("&amp;", "&");
        sent = sent.replace("&lt;", "<");
        sent = sent.replace("&gt;", ">");
        sent = " " + sent + " ";
        sent = SYMBOLS.matcher(sent).replaceAll(" $1 ");
        // Possessives. (The source's second rule, "'s" at the very end, cannot fire after the padding.)
        sent = sent.replace("'s ", " 's ");
        sent = PERIOD_COMMA_AFTER_NON_DIGIT.matcher(sent).replaceAll("$1 $2 ");
        sent = PERIOD_COMMA_BEFORE_NON_DIGIT.matcher(sent).replaceAll(" $1 $2");
        sent = DASH_AFTER_DIGIT.matcher(sent).replaceAll("$1 $2 ");
        return sent;
    }
}
