package dev.hymt4j.generate;

import java.util.Set;

/**
 * How to pick new tokens. Greedy takes the argmax after the repetition penalty; sampling applies, in
 * transformers' order (spec §5.4): repetition penalty, temperature, top-k, top-p, then samples from the
 * softmax. A penalty of 1, temperature 1, top-k 0 and top-p 1 each disable their step.
 *
 * @param maxNewTokens       generation stops after this many new tokens (≥ 0)
 * @param sample             false: greedy
 * @param seed               seeds the sampler; equal seeds give equal outputs
 * @param stopTokenIds       generation of a sequence ends with (and includes) the first of these
 */
public record GenerationConfig(int maxNewTokens, boolean sample, float temperature, int topK, float topP,
                               float repetitionPenalty, long seed, Set<Integer> stopTokenIds) {

    public GenerationConfig {
        if (maxNewTokens < 0) throw new IllegalArgumentException("maxNewTokens must be ≥ 0, got " + maxNewTokens);
        if (!(temperature > 0)) throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        if (topK < 0) throw new IllegalArgumentException("topK must be ≥ 0 (0 disables), got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        if (!(repetitionPenalty > 0)) throw new IllegalArgumentException("repetitionPenalty must be > 0, got " + repetitionPenalty);
        stopTokenIds = Set.copyOf(stopTokenIds);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Tencent's recommended HY-MT1.5 sampling settings (README): top-k 20, top-p 0.6, penalty 1.05, temperature 0.7. */
    public static Builder hyMtRecommended() {
        return builder().sample(true).temperature(0.7f).topK(20).topP(0.6f).repetitionPenalty(1.05f);
    }

    public static final class Builder {
        private int maxNewTokens = 256;
        private boolean sample;
        private float temperature = 1f, topP = 1f, repetitionPenalty = 1f;
        private int topK;
        private long seed;
        private Set<Integer> stopTokenIds = Set.of();

        public Builder maxNewTokens(int n) { maxNewTokens = n; return this; }
        public Builder greedy() { sample = false; return this; }
        public Builder sample(boolean on) { sample = on; return this; }
        public Builder temperature(float t) { temperature = t; return this; }
        public Builder topK(int k) { topK = k; return this; }
        public Builder topP(float p) { topP = p; return this; }
        public Builder repetitionPenalty(float p) { repetitionPenalty = p; return this; }
        public Builder seed(long s) { seed = s; return this; }
        public Builder stopTokenIds(Set<Integer> ids) { stopTokenIds = ids; return this; }

        public GenerationConfig build() {
            return new GenerationConfig(maxNewTokens, sample, temperature, topK, topP, repetitionPenalty, seed, stopTokenIds);
        }
    }
}
