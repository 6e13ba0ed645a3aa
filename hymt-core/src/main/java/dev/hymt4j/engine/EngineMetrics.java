package dev.hymt4j.engine;

/**
 * A snapshot of an engine's state and counters.
 *
 * @param waiting            requests submitted and not yet admitted (preempted ones included)
 * @param running            sequences admitted and not finished
 * @param steps              steps run
 * @param tokensPerStep      histogram of tokens per step: entry {@code i} counts steps that ran more than
 *                           {@code 2^(i-1)} and at most {@code 2^i} tokens (entry 0: one token; 1: two; 2: three
 *                           or four…), the upper-inclusive bounds of a Prometheus histogram's {@code le} buckets
 * @param sequencesPerStep   histogram of sequences per step (decodes and prefill chunks), buckets as
 *                           {@code tokensPerStep}: a prefill chunk of one sequence is many tokens but one sequence
 * @param stepSequences      sequences summed over all steps (the histogram's sum; mean batch = stepSequences / steps)
 * @param blocksUsed         KV cache blocks referenced by running sequences
 * @param blocksCached       unused blocks kept for the prefix cache
 * @param blocksAvailable    blocks a sequence could get now (free and evictable)
 * @param blocksCapacity     blocks the memory budget allows
 * @param prefixHits         prompt blocks taken from the prefix cache
 * @param prefixMisses       full prompt blocks that had to be computed
 * @param promptTokens       prompt tokens of admitted requests
 * @param computedTokens     tokens run through the model (prompt tokens not found in the prefix cache, decode inputs)
 * @param generatedTokens    tokens chosen
 * @param preemptions        sequences sent back to wait because the cache was full (recomputed later)
 * @param completed          requests finished with a stop token or at their length limit
 * @param cancelled          requests cancelled
 * @param failed             requests failed (non-finite logits, a listener error, a budget too small)
 */
public record EngineMetrics(int waiting, int running, long steps, long[] tokensPerStep, long[] sequencesPerStep,
                            long stepSequences, int blocksUsed, int blocksCached,
                            int blocksAvailable, int blocksCapacity, long prefixHits, long prefixMisses, long promptTokens,
                            long computedTokens, long generatedTokens, long preemptions, long completed, long cancelled,
                            long failed) {

    /** The histogram entry of a step that ran {@code n ≥ 1} tokens or sequences: the smallest i with n ≤ 2^i. */
    public static int bucket(int n) {
        return 32 - Integer.numberOfLeadingZeros(n - 1);
    }
}
