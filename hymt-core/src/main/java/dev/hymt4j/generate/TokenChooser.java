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
     * @param scratch work arrays (shared by the choosers of one engine: tokens are chosen one at a time)
     */
    public int next(float[] logits, BitSet seenIds, Sampling.Scratch scratch) {
        Sampling.repetitionPenalty(logits, seenIds, config.repetitionPenalty());
        if (!config.sample()) return Sampling.argmax(logits);
        Sampling.temperature(logits, config.temperature());
        Sampling.topK(logits, config.topK(), scratch);
        Sampling.topP(logits, config.topP(), scratch);
        return Sampling.multinomial(Sampling.softmax(logits, scratch), logits.length, random);
    }
}
