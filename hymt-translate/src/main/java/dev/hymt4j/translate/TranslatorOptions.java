package dev.hymt4j.translate;

import dev.hymt4j.engine.EngineOptions;

/**
 * How a {@link Translator} runs its engine: compute threads, token budget per step, KV cache memory, prefix
 * caching, sequences at once and the admission queue — the {@link EngineOptions} of the engine it creates.
 */
public record TranslatorOptions(EngineOptions engine) {
    public static final TranslatorOptions DEFAULTS = new TranslatorOptions(EngineOptions.DEFAULTS);

    public TranslatorOptions withThreads(int threads) {
        return new TranslatorOptions(engine.toBuilder().threads(threads).build());
    }

    /** At most {@code sequences} translations decode at once. */
    public TranslatorOptions withMaxSequences(int sequences) {
        return new TranslatorOptions(engine.toBuilder().maxSequences(sequences).build());
    }

    public TranslatorOptions withMaxBatchTokens(int tokens) {
        return new TranslatorOptions(engine.toBuilder().maxBatchTokens(tokens).build());
    }

    public TranslatorOptions withKvCacheBytes(long bytes) {
        return new TranslatorOptions(engine.toBuilder().kvCacheBytes(bytes).build());
    }

    public TranslatorOptions withPrefixCaching(boolean on) {
        return new TranslatorOptions(engine.toBuilder().prefixCaching(on).build());
    }
}
