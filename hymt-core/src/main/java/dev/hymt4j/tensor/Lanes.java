package dev.hymt4j.tensor;

import jdk.incubator.vector.FloatVector;

/**
 * Horizontal sums in one fixed order. {@code reduceLanes(ADD)} leaves the order of float additions to the
 * implementation, and it does differ: the JIT-compiled intrinsic adds as a tree, the Java fallback that runs
 * until the kernel is compiled adds left to right. Results then depend on when the JIT got to a kernel, so two
 * identical training runs (or a run and its resumption from a checkpoint) drift apart in the last bits.
 * Summing lane by lane, left to right, gives the same bits compiled or not; it costs a few extracts per dot
 * product, not per element.
 */
public final class Lanes {
    private Lanes() {}

    public static float sum(FloatVector v) {
        float s = v.lane(0);
        for (int i = 1; i < v.length(); i++) s += v.lane(i);
        return s;
    }
}
