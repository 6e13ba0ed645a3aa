package dev.hymt4j.data;

/**
 * Counts the tokens a text costs. The length rule uses it so the limit means what the model sees; the default
 * is {@link ApproximateTokenCounter}, and a model tokenizer can be plugged in to count exactly.
 */
@FunctionalInterface
public interface TokenCounter {
    int count(String text);
}
