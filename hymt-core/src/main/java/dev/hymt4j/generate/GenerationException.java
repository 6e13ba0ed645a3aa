package dev.hymt4j.generate;

/**
 * A request that could not be completed: the model produced non-finite logits (broken weights or an overflow),
 * a listener failed, or the KV cache budget cannot hold the sequence. The message says which request and why.
 */
public class GenerationException extends RuntimeException {
    public GenerationException(String message) {
        super(message);
    }

    public GenerationException(String message, Throwable cause) {
        super(message, cause);
    }
}
