package dev.hymt4j.eval.tokenize;

import dev.hymt4j.eval.PyText;

import java.util.regex.Pattern;

/**
 * sacreBLEU's {@code intl} tokenizer (mteval-v14.pl international): splits Unicode punctuation unless
 * it sits between digits, and every Unicode symbol. No padding, so "1990." keeps its period, a quirk
 * mteval-v14 has and sacreBLEU keeps.
 */
public final class TokenizerIntl implements BleuTokenizer {
    private static final Pattern PUNCT_AFTER_NON_NUMBER = Pattern.compile("(\\P{N})(\\p{P})");
    private static final Pattern PUNCT_BEFORE_NON_NUMBER = Pattern.compile("(\\p{P})(\\P{N})");
    private static final Pattern SYMBOL = Pattern.compile("(\\p{S})");

    @Override
    public String name() {
        return "intl";
    }

    @Override
    public String tokenize(String line) {
        line = PUNCT_AFTER_NON_NUMBER.matcher(line).replaceAll("$1 $2 ");
        line = PUNCT_BEFORE_NON_NUMBER.matcher(line).replaceAll(" $1 $2");
        line = SYMBOL.matcher(line).replaceAll(" $1 ");
        return PyText.collapseSpaces(line);
    }
}
