package dev.hymt4j.eval.tokenize;

import dev.hymt4j.eval.PyText;

import java.util.regex.Pattern;

/**
 * The regular-expression stage shared by the {@code 13a} and {@code zh} tokenizers (sacreBLEU's
 * {@code TokenizerRegexp}, from mteval-v13a.pl). Each step is a left-to-right, non-overlapping global
 * substitution, which is what both Python's {@code re.sub} and Java's {@code replaceAll} do.
 */
final class MtevalRegexp {
    private MtevalRegexp() {}

    /** ASCII punctuation and symbols except {@code ' - . ,}: {@code {-~ [-` space-& (-+ :-@ /}. */
    private static final Pattern SYMBOLS = Pattern.compile("([\\{-\\~\\[-\\` -\\&\\(-\\+\\:-\\@\\/])");
    /** Period and comma split unless preceded by a digit. */
    private static final Pattern PERIOD_COMMA_AFTER_NON_DIGIT = Pattern.compile("([^0-9])([\\.,])");
    /** Period and comma split unless followed by a digit. */
    private static final Pattern PERIOD_COMMA_BEFORE_NON_DIGIT = Pattern.compile("([\\.,])([^0-9])");
    /** A dash after a digit is split off (ranges such as 1990-2000). */
    private static final Pattern DASH_AFTER_DIGIT = Pattern.compile("([0-9])(-)");

    static String apply(String line) {
        line = SYMBOLS.matcher(line).replaceAll(" $1 ");
        line = PERIOD_COMMA_AFTER_NON_DIGIT.matcher(line).replaceAll("$1 $2 ");
        line = PERIOD_COMMA_BEFORE_NON_DIGIT.matcher(line).replaceAll(" $1 $2");
        line = DASH_AFTER_DIGIT.matcher(line).replaceAll("$1 $2 ");
        return PyText.collapseSpaces(line);
    }
}
