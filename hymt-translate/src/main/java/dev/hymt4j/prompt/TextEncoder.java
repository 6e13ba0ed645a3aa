package dev.hymt4j.prompt;

/**
 * Encodes plain text (a message's content, never the template's markers) to token ids. The tokenizer module
 * provides the real one; the chat template depends only on this.
 */
@FunctionalInterface
public interface TextEncoder {
    int[] encode(String text);
}
