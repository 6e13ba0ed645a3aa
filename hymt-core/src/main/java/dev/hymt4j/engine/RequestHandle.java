package dev.hymt4j.engine;

import dev.hymt4j.generate.GenerationResult;

import java.util.concurrent.CompletableFuture;

/** A submitted request: its result, and a way to stop it. */
public interface RequestHandle {
    /** The engine's number for the request (submission order). */
    long id();

    /**
     * Completes with the prompt, the generated ids and why generation ended (a cancelled request completes
     * normally with {@code CANCELLED} and the tokens chosen so far), or exceptionally with a
     * {@link dev.hymt4j.generate.GenerationException} (e.g. the model produced non-finite logits).
     */
    CompletableFuture<GenerationResult> result();

    /** Stops the request at the next step boundary (at once when it is waiting) and frees its KV cache blocks. */
    void cancel();

    /** Waits for the result; see {@link #result()}. */
    default GenerationResult join() {
        return result().join();
    }
}
