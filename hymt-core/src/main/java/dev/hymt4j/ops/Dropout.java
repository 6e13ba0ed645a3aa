package dev.hymt4j.ops;

import dev.hymt4j.tensor.Parallel;
import dev.hymt4j.tensor.VectorWidth;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Inverted dropout on the LoRA branch input (PEFT: {@code nn.Dropout(p)} before {@code lora_A}). The mask is a
 * pure function of a seed and the element's index — counter-based, like Philox in PyTorch's CUDA dropout — so the
 * backward pass (and a gradient-checkpointing recompute) regenerates the very same mask instead of storing it,
 * and any split of the elements across threads or vector lanes draws the same mask.
 *
 * <p>Element {@code i} is dropped when the top 24 bits of {@link #bits}{@code (seed, i)} fall below
 * {@code p · 2²⁴} (the resolution of a float uniform in [0, 1)). The vector body and the scalar tail compute the
 * same integer hash, so the mask does not depend on the array length either.
 */
public final class Dropout {
    private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    private static final VectorSpecies<Integer> I = VectorWidth.INT;

    private Dropout() {}

    /** {@code out = x ⊙ keep / (1 − p)}, keep drawn with probability {@code 1 − p}. */
    public static void forward(float[] x, int n, float p, long seed, float[] out) {
        int k0 = (int) seed, k1 = (int) (seed >>> 32), threshold = threshold(p);
        float keepScale = 1f / (1f - p);
        Parallel.forRange(n, Vec.ELEMENTWISE_CHUNK, (i0, i1) -> {
            int i = i0;
            for (int upper = i0 + F.loopBound(i1 - i0); i < upper; i += F.length()) {
                VectorMask<Float> drop = dropped(i, k0, k1, threshold);
                FloatVector.fromArray(F, x, i).mul(keepScale).blend(0f, drop).intoArray(out, i);
            }
            for (; i < i1; i++) out[i] = (bits(k0, k1, i) >>> 8) < threshold ? 0f : x[i] * keepScale;
        });
    }

    /** {@code dx += dout ⊙ keep / (1 − p)} with the mask of {@link #forward} for the same seed. */
    public static void backward(float[] dout, int n, float p, long seed, float[] dx) {
        int k0 = (int) seed, k1 = (int) (seed >>> 32), threshold = threshold(p);
        float keepScale = 1f / (1f - p);
        Parallel.forRange(n, Vec.ELEMENTWISE_CHUNK, (i0, i1) -> {
            int i = i0;
            for (int upper = i0 + F.loopBound(i1 - i0); i < upper; i += F.length()) {
                VectorMask<Float> drop = dropped(i, k0, k1, threshold);
                FloatVector kept = FloatVector.fromArray(F, dout, i).mul(keepScale);
                FloatVector.fromArray(F, dx, i).add(kept, drop.not()).intoArray(dx, i);
            }
            for (; i < i1; i++) if ((bits(k0, k1, i) >>> 8) >= threshold) dx[i] += dout[i] * keepScale;
        });
    }

    /** {@code ceil(p · 2²⁴)}: an element is dropped when its 24-bit uniform is below it ({@code u < p} exactly). */
    static int threshold(float p) {
        return (int) Math.ceil(p * 16777216.0);
    }

    /**
     * The 32 random bits of element {@code i}: murmur3's 32-bit finalizer applied twice, keyed by the two halves
     * of the seed (already a SplitMix64 output, {@link #seedOf}).
     */
    static int bits(int k0, int k1, int i) {
        int h = fmix32(i + k0);
        return fmix32(h ^ k1);
    }

    private static int fmix32(int h) {
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        h *= 0xC2B2AE35;
        return h ^ (h >>> 16);
    }

    /** The lanes of {@code [i, i + F.length())} that {@link #bits} drops (the same function, in int lanes). */
    private static VectorMask<Float> dropped(int i, int k0, int k1, int threshold) {
        IntVector h = IntVector.broadcast(I, i + k0).addIndex(1);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16)).mul(0x85EBCA6B);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 13)).mul(0xC2B2AE35);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16)).lanewise(VectorOperators.XOR, k1);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16)).mul(0x85EBCA6B);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 13)).mul(0xC2B2AE35);
        h = h.lanewise(VectorOperators.XOR, h.lanewise(VectorOperators.LSHR, 16));
        return h.lanewise(VectorOperators.LSHR, 8).lt(threshold).cast(F);
    }

    /** A seed derived from {@code seed} for stream {@code stream} (SplitMix64's finalizer over a mixed pair). */
    public static long seedOf(long seed, long stream) {
        long z = seed * 0x9E3779B97F4A7C15L + stream;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
