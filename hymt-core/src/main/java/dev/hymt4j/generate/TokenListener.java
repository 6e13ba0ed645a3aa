package dev.hymt4j.generate;

/** Receives each token as soon as it is chosen (streaming). */
@FunctionalInterface
public interface TokenListener {
    TokenListener NONE = (sequence, tokenId) -> {};

    /** @param sequence index of the prompt in the batch (0 for a single prompt) */
    void onToken(int sequence, int tokenId);
}
