package dev.hymt4j.model;

import dev.hymt4j.kv.PagedKvCache;

/**
 * A causal language model the engine can run: one step over a ragged batch of sequences, their keys and values
 * kept in a paged cache. {@code Generator}, {@code Translator} and the engine depend on this, not on the
 * concrete network, so that other weight formats and backends plug in behind it.
 */
public interface CausalLm extends AutoCloseable {
    ModelConfig config();

    /**
     * Runs the new tokens of every sequence in {@code batch} (prefill chunks and decode tokens alike, no
     * padding), writing their keys and values into {@code cache} at the slots of their block tables, and
     * returns the logits the batch asks for. The output is owned by {@code batch} and valid until its next use.
     * Thread-safe for concurrent calls with distinct batches and caches.
     */
    StepOutput forward(StepBatch batch, PagedKvCache cache);

    /** Releases what the model holds (e.g. unmaps its checkpoint); the model must not be used afterwards. */
    @Override
    void close();
}
