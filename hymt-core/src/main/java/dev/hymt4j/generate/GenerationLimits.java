package dev.hymt4j.generate;

import dev.hymt4j.model.KvCache;
import dev.hymt4j.model.ModelConfig;

/**
 * What a generation may ask for, checked before the first forward pass: positions within the model's
 * {@code max_position_embeddings}, and a KV cache for the worst case (every sequence running to
 * {@code maxNewTokens}) that fits the heap. Without it a large {@code --max-new-tokens} runs for hours and then
 * dies with an {@link OutOfMemoryError}.
 */
public final class GenerationLimits {
    private GenerationLimits() {}

    public static void check(ModelConfig c, int sequences, int longestPrompt, int maxNewTokens) {
        long positions = (long) longestPrompt + maxNewTokens;
        if (positions > c.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("max new tokens " + maxNewTokens + " after a prompt of " + longestPrompt
                    + " tokens exceed the model's max_position_embeddings (" + c.maxPositionEmbeddings() + ")");
        }
        long cache = sequences * positions * KvCache.bytesPerToken(c.numLayers(), c.kvDim());
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (cache > free) {
            double gib = 1L << 30;
            throw new IllegalArgumentException(String.format("%d sequences × (%d prompt + %d new) tokens may need %.1f GiB of"
                    + " KV cache, but only %.1f GiB of the JVM's %.1f GiB heap is free; lower the max new tokens or the batch"
                    + " size, or raise the heap, e.g. HYMT_JAVA_OPTS=-Xmx%dg", sequences, longestPrompt, maxNewTokens,
                    cache / gib, free / gib, rt.maxMemory() / gib, (long) Math.ceil((cache + rt.totalMemory()) * 1.25 / gib)));
        }
    }
}
