package dev.hymt4j.quant;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes of the quantized kernels, fixed at start-up (the Vector API compiles well only for
 * constant species). The kernels need at least 8 float lanes, so that one byte load of {@code F.length()}
 * quants widens to one float vector; with fewer (128-bit SSE/NEON) or with {@code -Dhymt.vector.bits=0}
 * the scalar reference kernels run. {@code -Dhymt.vector.bits=512|256|128|scalar} caps the width (the property
 * of the kernel conventions; tests use it to run every width the machine has).
 */
final class QuantVectors {
    private QuantVectors() {}

    static final VectorSpecies<Float> F;
    /** As many byte lanes as {@link #F} has float lanes (64 or 128 bits). */
    static final VectorSpecies<Byte> B;
    /** As many int lanes as {@link #F} has float lanes. */
    static final VectorSpecies<Integer> I;
    /** Whether the vector kernels run (else the scalar references). */
    static final boolean ENABLED;

    static {
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        String asked = System.getProperty("hymt.vector.bits", "");
        int bits = asked.isEmpty() ? preferred : asked.equals("scalar") ? 0 : Integer.parseInt(asked);
        bits = Math.min(Math.min(512, bits), preferred);
        ENABLED = bits >= 256;
        int used = ENABLED ? bits : 256;
        F = VectorSpecies.of(float.class, VectorShape.forBitSize(used));
        B = VectorSpecies.of(byte.class, VectorShape.forBitSize(used / 4));
        I = VectorSpecies.of(int.class, VectorShape.forBitSize(used));
        if (B.length() != F.length()) throw new AssertionError(B + " vs " + F);
    }

    /**
     * Shuffles pairing lane i with lane i xor step, for step = half the lanes of {@link #F}, a quarter, …, 1:
     * {@code for (fold : FOLDS) v = v.add(v.rearrange(fold))} leaves in lane 0 the lanes' sum in one fixed
     * pairwise order, in every execution mode (why {@link dev.hymt4j.tensor.Lanes} exists). Kernels write this
     * loop inline: behind a helper method taking the vector (as {@code Lanes.sum} does), C2 boxed the
     * accumulators of the calling kernel whenever the kernel was compiled on its own — measured on Q4_0,
     * 1024×2048, n = 1: 0.87 ms and 7 MB allocated per call instead of 0.21 ms and nothing, in every run.
     */
    static final VectorShuffle<Float>[] FOLDS = folds();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] folds() {
        VectorShuffle<Float>[] folds = new VectorShuffle[Integer.numberOfTrailingZeros(F.length())];
        for (int k = 0, step = F.length() / 2; step >= 1; k++, step /= 2) {
            int s = step;
            folds[k] = VectorShuffle.fromOp(F, i -> i ^ s);
        }
        return folds;
    }

    /** "512-bit", "256-bit" or "scalar", for benchmarks and test names. */
    static String describe() {
        return ENABLED ? F.vectorBitSize() + "-bit" : "scalar";
    }
}
