package dev.hymt4j.generate;

import java.util.BitSet;
import java.util.random.RandomGenerator;

/** Picks the next token of one sequence from its last-position logits, per a {@link GenerationConfig}. */
public final class TokenChooser {
    private final GenerationConfig config;
    private final RandomGenerator random;

    public TokenChooser(GenerationConfig config, RandomGenerator random) {
        this.config = config;
        this.random = random;
    }

    /**
     * @param logits  the last position's logits; modified in place
     * @param seenIds every id of the sequence so far, prompt included (for the repetition penalty)
     */
    public int next(float[] logits, BitSet seenIds) {
        Sampling.repetitionPenalty(logits, seenIds, config.repetitionPenalty());
        if (!config.sample()) return Sampling.argmax(logits);
        Sampling.temperature(logits, config.temperature());
        Sampling.topK(logits, config.topK());
        Sampling.topP(logits, config.topP());
        return Sampling.multinomial(Sampling.softmax(logits), random);
    }
}
