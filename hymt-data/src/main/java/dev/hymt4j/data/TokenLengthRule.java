package dev.hymt4j.data;

import java.util.Optional;

/**
 * Drops pairs where either side is longer than {@code maxTokens} (too long for the training sequence length
 * after the prompt is added) or shorter than {@code minTokens}.
 */
public final class TokenLengthRule implements CleaningRule {
    private final TokenCounter counter;
    private final int minTokens;
    private final int maxTokens;

    public TokenLengthRule(TokenCounter counter, int minTokens, int maxTokens) {
        if (minTokens < 0 || maxTokens < minTokens) throw new IllegalArgumentException("need 0 <= min-tokens <= max-tokens");
        this.counter = counter;
        this.minTokens = minTokens;
        this.maxTokens = maxTokens;
    }

    @Override public String name() { return "length"; }

    @Override public String description() { return "either side outside " + minTokens + ".." + maxTokens + " tokens"; }

    @Override
    public Optional<String> problem(ParallelExample ex) {
        return check(ex.source(), "source").or(() -> check(ex.target(), "target"));
    }

    private Optional<String> check(String text, String side) {
        int n = counter.count(text);
        if (n > maxTokens) return Optional.of(side + " has " + n + " tokens > " + maxTokens);
        if (n < minTokens) return Optional.of(side + " has " + n + " tokens < " + minTokens);
        return Optional.empty();
    }
}
