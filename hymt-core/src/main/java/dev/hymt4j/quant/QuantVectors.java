package dev.hymt4j.quant;

import dev.hymt4j.tensor.Lanes;
import dev.hymt4j.tensor.VectorWidth;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes of the quantized kernels: {@link VectorWidth}'s, chosen once per JVM
 * ({@code -Dhymt.vector.bits}, kernel conventions rule 1). The kernels need at least 8 float lanes, so that one
 * byte load of {@code F.length()} quants widens to one float vector; at 128 bits (SSE/NEON) or with
 * {@code scalar} the scalar reference kernels run.
 */
final class QuantVectors {
    private QuantVectors() {}

    /** Whether the vector kernels run (else the scalar references). */
    static final boolean ENABLED = VectorWidth.BITS >= 256;
    static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    /** As many int lanes as {@link #F} has float lanes. */
    static final VectorSpecies<Integer> I = VectorWidth.INT;
    /** As many byte lanes as {@link #F} has float lanes (64 or 128 bits; unused by the scalar kernels). */
    static final VectorSpecies<Byte> B = ENABLED ? VectorSpecies.of(byte.class, VectorShape.forBitSize(F.vectorBitSize() / 4))
            : ByteVector.SPECIES_64;

    /**
     * {@link Lanes}' fold shuffles for {@link #F}: {@code for (fold : FOLDS) v = v.add(v.rearrange(fold))}
     * leaves in lane 0 the lanes' sum in {@code Lanes.sum}'s fixed pairwise order. Kernels write this loop
     * inline: behind a helper method taking the vector (as {@code Lanes.sum} does), C2 boxed the accumulators
     * of the calling kernel whenever the kernel was compiled on its own — measured on Q4_0, 1024×2048, n = 1:
     * 0.87 ms and 7 MB allocated per call instead of 0.21 ms and nothing, in every run.
     */
    static final VectorShuffle<Float>[] FOLDS = Lanes.folds();

    /**
     * {@code (float) b} for each unsigned byte value {@code b}, read as {@code UNSIGNED[b & 0xFF]}: a 6-bit scale
     * or min becomes a float with one load (which the multiply takes as its memory operand) instead of
     * {@code cvtsi2ss}, two micro-ops on the ports the 512-bit work needs. The value is the same exact float.
     */
    static final float[] UNSIGNED = new float[256];
    /** {@code (float) (byte) b} for each byte value, read as {@code SIGNED[b & 0xFF]} (Q6_K's signed scales). */
    static final float[] SIGNED = new float[256];

    static {
        for (int b = 0; b < 256; b++) {
            UNSIGNED[b] = b;
            SIGNED[b] = (byte) b;
        }
    }

    /** "512-bit", "256-bit" or "scalar", for benchmarks and test names. */
    static String describe() {
        return ENABLED ? F.vectorBitSize() + "-bit" : "scalar";
    }
}
