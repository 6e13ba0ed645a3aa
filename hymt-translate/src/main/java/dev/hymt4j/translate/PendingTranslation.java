package dev.hymt4j.translate;

import dev.hymt4j.engine.RequestHandle;

import java.util.concurrent.CompletableFuture;

/** A translation submitted to the engine: its result when done, and a way to stop it. */
public record PendingTranslation(RequestHandle request, CompletableFuture<Translation> result) {
    /** Stops generating and frees its cache; the result completes with finish reason {@code CANCELLED}. */
    public void cancel() {
        request.cancel();
    }
}
