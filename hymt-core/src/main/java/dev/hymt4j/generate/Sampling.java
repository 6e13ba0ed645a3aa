package dev.hymt4j.generate;

import java.util.Arrays;
import java.util.BitSet;
import java.util.random.RandomGenerator;

/**
 * The logits processors of transformers' {@code generate}, one method per step, each in place on a float32
 * logits vector (spec §5.4). Removed tokens are set to −∞, as transformers' filter value. The vocabulary-sized
 * work arrays come from a {@link Scratch} the caller keeps (an engine has one), so sampling a token allocates
 * nothing.
 */
public final class Sampling {
    private Sampling() {}

    /** Reusable work arrays for the steps that need them (grown to the vocabulary once). */
    public static final class Scratch {
        private float[] floats = new float[0];
        private long[] keys = new long[0];
        private double[] probs = new double[0];

        float[] floats(int n) {
            if (floats.length < n) floats = new float[n];
            return floats;
        }

        long[] keys(int n) {
            if (keys.length < n) keys = new long[n];
            return keys;
        }

        double[] probs(int n) {
            if (probs.length < n) probs = new double[n];
            return probs;
        }
    }

    /**
     * Repetition penalty over the <em>set</em> of ids already in the sequence: a logit below 0 is multiplied by
     * the penalty, any other divided by it (transformers' {@code RepetitionPenaltyLogitsProcessor}).
     */
    public static void repetitionPenalty(float[] logits, BitSet seenIds, float penalty) {
        if (penalty == 1f) return;
        for (int id = seenIds.nextSetBit(0); id >= 0 && id < logits.length; id = seenIds.nextSetBit(id + 1)) {
            float l = logits[id];
            logits[id] = l < 0 ? l * penalty : l / penalty;
        }
    }

    public static void temperature(float[] logits, float temperature) {
        if (temperature == 1f) return;
        for (int i = 0; i < logits.length; i++) logits[i] /= temperature;
    }

    /** Keeps every logit ≥ the k-th largest (so ties with it survive); 0 or k ≥ vocab keeps all. */
    public static void topK(float[] logits, int k, Scratch scratch) {
        if (k <= 0 || k >= logits.length) return;
        float[] sorted = scratch.floats(logits.length);
        System.arraycopy(logits, 0, sorted, 0, logits.length);
        Arrays.sort(sorted, 0, logits.length);
        float kth = sorted[logits.length - k];
        for (int i = 0; i < logits.length; i++) if (logits[i] < kth) logits[i] = Float.NEGATIVE_INFINITY;
    }

    /**
     * Nucleus filter: sorts ascending, takes the softmax's cumulative sum and removes every token whose
     * cumulative probability is ≤ 1 − p, always keeping the most probable token. Equal logits are ordered by
     * id, so which of two tied tokens goes first is deterministic.
     */
    public static void topP(float[] logits, float p, Scratch scratch) {
        if (p >= 1f) return;
        // Tokens already at −∞ have probability 0: they would be removed anyway, so only finite ones are sorted.
        long[] keys = scratch.keys(logits.length);
        int count = 0;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) {
            if (logits[i] == Float.NEGATIVE_INFINITY) continue;
            keys[count++] = (long) sortableBits(logits[i]) << 32 | i;
            max = Math.max(max, logits[i]);
        }
        Arrays.sort(keys, 0, count);
        double sum = 0;
        for (int r = 0; r < count; r++) sum += Math.exp(logits[(int) keys[r]] - max);
        double cumulative = 0, threshold = 1.0 - p;
        for (int r = 0; r < count - 1; r++) {
            int id = (int) keys[r];
            cumulative += Math.exp(logits[id] - max) / sum;
            if (cumulative <= threshold) logits[id] = Float.NEGATIVE_INFINITY;
        }
    }

    /** An int whose signed order is the float's numeric order. */
    private static int sortableBits(float f) {
        int bits = Float.floatToIntBits(f);
        return bits ^ ((bits >> 31) & 0x7FFFFFFF);
    }

    /** Probabilities {@code exp(l − max) / Σ} into the scratch's array (valid up to {@code logits.length}); −∞ logits get 0. */
    public static double[] softmax(float[] logits, Scratch scratch) {
        float max = Float.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double[] p = scratch.probs(logits.length);
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < logits.length; i++) p[i] /= sum;
        return p;
    }

    /** Index of the largest logit, the first one on ties (as torch.argmax). */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }

    /** Draws an index {@code < n} with probability {@code probs[i]} (inverse CDF of one uniform draw). */
    public static int multinomial(double[] probs, int n, RandomGenerator random) {
        double u = random.nextDouble(), cumulative = 0;
        int lastPossible = -1;
        for (int i = 0; i < n; i++) {
            if (probs[i] <= 0) continue;
            cumulative += probs[i];
            lastPossible = i;
            if (u < cumulative) return i;
        }
        return lastPossible; // rounding left the total a hair below u
    }
}
