package dev.hymt4j.data;

/**
 * Counts the tokens a text costs. The length rule uses it so the limit means what the model sees; the default
 * is {@link ApproximateTokenCounter}; {@link TokenizerTokenCounter} counts exactly with a model's tokenizer.
 */
@FunctionalInterface
public interface TokenCounter {
    int count(String text);
}
