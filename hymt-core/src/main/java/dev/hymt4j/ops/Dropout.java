package dev.hymt4j.ops;

import java.util.SplittableRandom;

/**
 * Inverted dropout on the LoRA branch input (PEFT: {@code nn.Dropout(p)} before {@code lora_A}). The mask is a
 * pure function of a seed, so the backward pass (and a gradient-checkpointing recompute) regenerates the very
 * same mask instead of storing it.
 */
public final class Dropout {
    private Dropout() {}

    /** {@code out = x ⊙ keep / (1 − p)}, keep drawn with probability {@code 1 − p}. */
    public static void forward(float[] x, int n, float p, long seed, float[] out) {
        SplittableRandom rng = new SplittableRandom(seed);
        float keepScale = 1f / (1f - p);
        for (int i = 0; i < n; i++) out[i] = rng.nextFloat() < p ? 0f : x[i] * keepScale;
    }

    /** {@code dx += dout ⊙ keep / (1 − p)} with the mask of {@link #forward} for the same seed. */
    public static void backward(float[] dout, int n, float p, long seed, float[] dx) {
        SplittableRandom rng = new SplittableRandom(seed);
        float keepScale = 1f / (1f - p);
        for (int i = 0; i < n; i++) if (!(rng.nextFloat() < p)) dx[i] += dout[i] * keepScale;
    }

    /** A seed derived from {@code seed} for stream {@code stream} (SplitMix64's finalizer over a mixed pair). */
    public static long seedOf(long seed, long stream) {
        long z = seed * 0x9E3779B97F4A7C15L + stream;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
