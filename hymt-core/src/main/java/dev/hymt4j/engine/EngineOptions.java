package dev.hymt4j.engine;

/**
 * How an {@link Engine} schedules and what it may use.
 *
 * @param maxBatchTokens tokens one step may run (decode tokens plus prefill chunks): the step's compute budget;
 *                       long prompts are prefilled in chunks of what is left
 * @param maxSequences   sequences running at once (each decodes one token per step)
 * @param kvCacheBytes   memory budget of the paged KV cache; 0: a quarter of the maximum heap
 * @param blockSize      tokens per KV cache block (also the unit of prefix sharing)
 * @param prefixCaching  reuse the cached blocks of prompts that share a prefix
 * @param threads        compute threads of this engine on the shared pool; 0: the process default
 * @param maxQueue       requests that may wait for admission before {@link Engine#submit} refuses more; 0: no limit
 */
public record EngineOptions(int maxBatchTokens, int maxSequences, long kvCacheBytes, int blockSize, boolean prefixCaching,
                            int threads, int maxQueue) {
    public EngineOptions {
        if (maxBatchTokens < 1) throw new IllegalArgumentException("maxBatchTokens must be ≥ 1, got " + maxBatchTokens);
        if (maxSequences < 1) throw new IllegalArgumentException("maxSequences must be ≥ 1, got " + maxSequences);
        if (kvCacheBytes < 0) throw new IllegalArgumentException("kvCacheBytes must be ≥ 0 (0 = automatic), got " + kvCacheBytes);
        if (blockSize < 1) throw new IllegalArgumentException("blockSize must be ≥ 1, got " + blockSize);
        if (threads < 0) throw new IllegalArgumentException("threads must be ≥ 0 (0 = the process default), got " + threads);
        if (maxQueue < 0) throw new IllegalArgumentException("maxQueue must be ≥ 0 (0 = no limit), got " + maxQueue);
    }

    public static final EngineOptions DEFAULTS = builder().build();

    public static Builder builder() {
        return new Builder();
    }

    /** The KV budget in bytes, with 0 resolved to a quarter of the maximum heap. */
    public long resolvedKvCacheBytes() {
        return kvCacheBytes > 0 ? kvCacheBytes : Runtime.getRuntime().maxMemory() / 4;
    }

    public Builder toBuilder() {
        return new Builder().maxBatchTokens(maxBatchTokens).maxSequences(maxSequences).kvCacheBytes(kvCacheBytes)
                .blockSize(blockSize).prefixCaching(prefixCaching).threads(threads).maxQueue(maxQueue);
    }

    public static final class Builder {
        private int maxBatchTokens = 512, maxSequences = 64, blockSize = 16, threads, maxQueue;
        private long kvCacheBytes;
        private boolean prefixCaching = true;

        public Builder maxBatchTokens(int n) { maxBatchTokens = n; return this; }
        public Builder maxSequences(int n) { maxSequences = n; return this; }
        public Builder kvCacheBytes(long bytes) { kvCacheBytes = bytes; return this; }
        public Builder blockSize(int tokens) { blockSize = tokens; return this; }
        public Builder prefixCaching(boolean on) { prefixCaching = on; return this; }
        public Builder threads(int n) { threads = n; return this; }
        public Builder maxQueue(int n) { maxQueue = n; return this; }

        public EngineOptions build() {
            return new EngineOptions(maxBatchTokens, maxSequences, kvCacheBytes, blockSize, prefixCaching, threads, maxQueue);
        }
    }
}
