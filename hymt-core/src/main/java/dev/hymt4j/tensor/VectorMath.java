package dev.hymt4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Deterministic horizontal sums. {@code reduceLanes(ADD)} may add lanes in a different order once the JIT has
 * compiled it than in the interpreter (measured: the last bit of a 2048-long dot product changes), so the same
 * training step could give different bits depending on JIT state — and a resumed run, whose JVM starts cold,
 * would drift from an uninterrupted one. Folding halves with lane-wise adds is exact IEEE arithmetic in every
 * execution mode, and as fast once compiled.
 */
public final class VectorMath {
    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Shuffles that swap the halves, then quarters, … of a vector (lane i ↔ lane i xor step). */
    private static final VectorShuffle<Float>[] FOLDS = folds();

    private VectorMath() {}

    /** The sum of the lanes of {@code v}, in a fixed pairwise order. */
    public static float sum(FloatVector v) {
        for (VectorShuffle<Float> fold : FOLDS) v = v.add(v.rearrange(fold));
        return v.lane(0);
    }

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] folds() {
        int steps = Integer.numberOfTrailingZeros(F.length());
        VectorShuffle<Float>[] folds = new VectorShuffle[steps];
        for (int k = 0, step = F.length() / 2; step >= 1; k++, step /= 2) {
            int s = step;
            folds[k] = VectorShuffle.fromOp(F, i -> i ^ s);
        }
        return folds;
    }
}
