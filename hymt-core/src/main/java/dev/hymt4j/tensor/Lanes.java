package dev.hymt4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Horizontal sums in one fixed order, for vectors of {@link VectorWidth#FLOAT}. {@code reduceLanes(ADD)} leaves the order of float additions to the
 * implementation, and it does differ: the JIT-compiled intrinsic adds as a tree, the Java fallback that runs
 * until the kernel is compiled adds left to right (measured: the last bit of a 2048-long dot product changes).
 * Results would then depend on when the JIT got to a kernel, so two identical training runs (or a run and its
 * resumption from a checkpoint) would drift apart in the last bits. Folding halves with lane-wise adds is exact
 * IEEE arithmetic in every execution mode, and as cheap as the intrinsic once compiled.
 */
public final class Lanes {
    private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    /** Shuffles that pair lane i with lane i xor step, for step = half the lanes, a quarter, …, 1. */
    private static final VectorShuffle<Float>[] FOLDS = folds();

    private Lanes() {}

    /** The sum of the lanes of {@code v} (a vector of the preferred species), in a fixed pairwise order. */
    public static float sum(FloatVector v) {
        for (VectorShuffle<Float> fold : FOLDS) v = v.add(v.rearrange(fold));
        return v.lane(0);
    }

    /**
     * New copies of the fold shuffles {@link #sum} applies in order, for kernels that write the fold inline
     * (a kernel passing its accumulator to {@link #sum} can get it boxed when compiled on its own).
     */
    @SuppressWarnings("unchecked")
    public static VectorShuffle<Float>[] folds() {
        VectorShuffle<Float>[] folds = new VectorShuffle[Integer.numberOfTrailingZeros(F.length())];
        for (int k = 0, step = F.length() / 2; step >= 1; k++, step /= 2) {
            int s = step;
            folds[k] = VectorShuffle.fromOp(F, i -> i ^ s);
        }
        return folds;
    }
}
