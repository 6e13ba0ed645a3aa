package dev.hymt4j.lora;

import java.util.SplittableRandom;

/**
 * Inverted dropout on the LoRA branch input (PEFT: {@code nn.Dropout(p)} before {@code lora_A}). The mask is a
 * pure function of a seed, so the backward pass (and a gradient-checkpointing recompute) regenerates the very
 * same mask instead of storing it.
 */
final class Dropout {
    private Dropout() {}

    /** {@code out = x ⊙ keep / (1 − p)}, keep drawn with probability {@code 1 − p}. */
    static void forward(float[] x, int n, float p, long seed, float[] out) {
        SplittableRandom rng = new SplittableRandom(seed);
        float keepScale = 1f / (1f - p);
        for (int i = 0; i < n; i++) out[i] = rng.nextFloat() < p ? 0f : x[i] * keepScale;
    }

    /** {@code dx += dout ⊙ keep / (1 − p)} with the mask of {@link #forward} for the same seed. */
    static void backward(float[] dout, int n, float p, long seed, float[] dx) {
        SplittableRandom rng = new SplittableRandom(seed);
        float keepScale = 1f / (1f - p);
        for (int i = 0; i < n; i++) if (!(rng.nextFloat() < p)) dx[i] += dout[i] * keepScale;
    }
}
