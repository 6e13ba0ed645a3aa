package dev.hymt4j.generate;

/**
 * Receives a request's tokens as soon as they are chosen (streaming). Called on the engine's thread between
 * steps: keep it short, never block (hand work to another thread), and do not call back into the engine's
 * step from here.
 */
@FunctionalInterface
public interface TokenListener {
    TokenListener NONE = tokenId -> {};

    void onToken(int tokenId);

    /**
     * The raw logits the next token is about to be chosen from (before the repetition penalty and sampling),
     * valid only during the call: copy what must be kept. For debugging and tests; the default ignores them.
     */
    default void onLogits(float[] logits) {}
}
