package dev.hymt4j.generate;

import org.junit.jupiter.api.Test;

import java.util.BitSet;
import java.util.random.RandomGenerator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every expectation here is worked out by hand in the comments, never taken from our own output. */
class SamplingTest {
    static final float NEG_INF = Float.NEGATIVE_INFINITY;

    /** A "random" source that always draws {@code u}, so the multinomial step is predictable. */
    static RandomGenerator fixed(double u) {
        return new RandomGenerator() {
            @Override public long nextLong() { throw new UnsupportedOperationException(); }
            @Override public double nextDouble() { return u; }
        };
    }

    /** Logits whose softmax is exactly {0.4, 0.3, 0.15, 0.1, 0.05} (they sum to 1). */
    static float[] fromProbabilities() {
        return new float[]{(float) Math.log(0.4), (float) Math.log(0.3), (float) Math.log(0.15),
                (float) Math.log(0.1), (float) Math.log(0.05)};
    }

    static BitSet ids(int... ids) {
        BitSet s = new BitSet();
        for (int id : ids) s.set(id);
        return s;
    }

    @Test
    void repetitionPenaltyDividesPositivesMultipliesNegativesOverTheSetOfSeenIds() {
        float[] l = {2.0f, -1.5f, 0.0f, 3.0f, -0.5f};
        // seen {0, 1, 2}: 2.0/1.5 = 1.3333334, −1.5·1.5 = −2.25, 0/1.5 = 0; ids 3 and 4 untouched.
        Sampling.repetitionPenalty(l, ids(0, 1, 2, 1, 0), 1.5f);
        assertArrayEquals(new float[]{2.0f / 1.5f, -2.25f, 0.0f, 3.0f, -0.5f}, l);
    }

    @Test
    void temperatureDividesEveryLogit() {
        float[] l = {2.0f, 1.0f, -1.0f};
        Sampling.temperature(l, 0.5f);
        assertArrayEquals(new float[]{4.0f, 2.0f, -2.0f}, l);
    }

    @Test
    void topKKeepsTiesWithTheKthValue() {
        float[] l = {2.0f, 1.0f, 0.5f, -1.0f, 1.0f};
        // k = 2: the 2nd largest is 1.0; both 1.0s (ids 1 and 4) survive with the 2.0.
        Sampling.topK(l, 2, new Sampling.Scratch());
        assertArrayEquals(new float[]{2.0f, 1.0f, NEG_INF, NEG_INF, 1.0f}, l);
    }

    @Test
    void topPRemovesTheAscendingCumulativeMassAtOrBelowOneMinusP() {
        float[] l = fromProbabilities();
        // Ascending 0.05, 0.1, 0.15, 0.3, 0.4 → cumulative 0.05, 0.15, 0.30, 0.60, 1.0; p = 0.6 removes
        // cumulative ≤ 0.4: ids 4, 3, 2. Ids 0 and 1 survive.
        Sampling.topP(l, 0.6f, new Sampling.Scratch());
        float[] expected = fromProbabilities();
        expected[2] = expected[3] = expected[4] = NEG_INF;
        assertArrayEquals(expected, l);
    }

    @Test
    void topPAlwaysKeepsTheMostProbableToken() {
        float[] l = fromProbabilities();
        // p = 0.1 removes cumulative ≤ 0.9, i.e. everything up to 0.60 — only id 0 (cumulative 1.0) is left.
        Sampling.topP(l, 0.1f, new Sampling.Scratch());
        assertArrayEquals(new float[]{l[0], NEG_INF, NEG_INF, NEG_INF, NEG_INF}, l);
        assertEquals((float) Math.log(0.4), l[0]);
    }

    @Test
    void softmaxAndMultinomialFollowTheCumulativeDistribution() {
        double[] p = Sampling.softmax(new float[]{(float) Math.log(0.25), NEG_INF, (float) Math.log(0.75)}, new Sampling.Scratch());
        assertEquals(0.25, p[0], 1e-7);
        assertEquals(0.0, p[1]);
        assertEquals(0.75, p[2], 1e-7);
        // CDF: [0, 0.25) → 0, [0.25, 1) → 2; id 1 has probability 0 and is never drawn.
        assertEquals(0, Sampling.multinomial(p, 3, fixed(0.2)));
        assertEquals(2, Sampling.multinomial(p, 3, fixed(0.25)));
        assertEquals(2, Sampling.multinomial(p, 3, fixed(0.999)));
    }

    @Test
    void topKRunsBeforeTopP() {
        GenerationConfig c = GenerationConfig.builder().sample(true).topK(3).topP(0.75f).build();
        // top-k 3 leaves 0.4, 0.3, 0.15 → renormalized 0.4706, 0.3529, 0.1765; top-p 0.75 removes cumulative
        // ≤ 0.25: the 0.1765 (id 2). Survivors ids 0, 1 → 4/7, 3/7, so u = 0.99 draws id 1.
        // (top-p first would remove only cumulative 0.05, 0.15 and leave id 2: u = 0.99 would draw id 2.)
        assertEquals(1, new TokenChooser(c, fixed(0.99)).next(fromProbabilities(), new BitSet(), new Sampling.Scratch()));
    }

    @Test
    void temperatureRunsBeforeTopP() {
        GenerationConfig c = GenerationConfig.builder().sample(true).temperature(0.5f).topP(0.9f).build();
        // T = 0.5 squares the probabilities: 0.16, 0.09, 0.0225, 0.01, 0.0025 (sum 0.285) → 0.5614, 0.3158,
        // 0.0789, 0.0351, 0.0088. top-p 0.9 removes cumulative ≤ 0.1: 0.0088 and 0.0439 (ids 4, 3), keeps id 2
        // (0.1228). Survivors ∝ 0.16, 0.09, 0.0225 → CDF 0.587, 0.917, 1.0, so u = 0.97 draws id 2.
        // (Temperature after top-p would keep id 3 too: CDF 0.566, 0.885, 0.965, 1.0 → id 3.)
        assertEquals(2, new TokenChooser(c, fixed(0.97)).next(fromProbabilities(), new BitSet(), new Sampling.Scratch()));
    }

    @Test
    void greedyAppliesTheRepetitionPenaltyButNotTheWarpers() {
        GenerationConfig c = GenerationConfig.builder().greedy().repetitionPenalty(2f).temperature(0.1f).topK(1).build();
        // [3, 2, 1] with id 0 seen: 3/2 = 1.5 < 2, so the argmax moves to id 1.
        assertEquals(1, new TokenChooser(c, fixed(0.5)).next(new float[]{3f, 2f, 1f}, ids(0), new Sampling.Scratch()));
        // Without the penalty the first of two equal maxima wins, as torch.argmax.
        assertEquals(0, Sampling.argmax(new float[]{5f, 5f, 1f}));
    }

    @Test
    void configRejectsMeaninglessValues() {
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.builder().temperature(0).build());
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.builder().topP(0).build());
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.builder().topK(-1).build());
        assertThrows(IllegalArgumentException.class, () -> GenerationConfig.builder().maxNewTokens(-1).build());
    }
}
