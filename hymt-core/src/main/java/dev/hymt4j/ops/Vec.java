package dev.hymt4j.ops;

import dev.hymt4j.tensor.Kernels;
import dev.hymt4j.tensor.Parallel;
import dev.hymt4j.tensor.VectorWidth;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The small dense fp32 loops of the network (dot, axpy, residual add); matmuls go through {@code Matrix}.
 *
 * <p>Each output element is computed the same way whether it falls in the vector body or the scalar tail of
 * a loop (a fused multiply-add in both), so results do not depend on array lengths or on how a range is split
 * across threads — which batch invariance needs.
 */
public final class Vec {
    static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    private static final Kernels KERNELS = Kernels.get();
    /** Element-wise work per thread chunk: below this, forking costs more than it saves. */
    static final int ELEMENTWISE_CHUNK = 1 << 14;

    private Vec() {}

    /** {@code Σ a[ao + i]·b[bo + i]} in the one summation order of {@link Kernels}. */
    public static float dot(float[] a, int ao, float[] b, int bo, int n) {
        return KERNELS.dot(a, ao, b, bo, n);
    }

    /** {@code y[yo + i] += alpha · x[xo + i]}, each element one fused multiply-add. */
    public static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector av = FloatVector.broadcast(F, alpha);
        int i = 0, upper = F.loopBound(n);
        for (; i < upper; i += F.length()) {
            FloatVector.fromArray(F, x, xo + i).fma(av, FloatVector.fromArray(F, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = Math.fma(x[xo + i], alpha, y[yo + i]);
    }

    private static final ThreadLocal<Add> ADD = ThreadLocal.withInitial(Add::new);

    /** {@code y[i] += x[i]} for {@code i < n} (the residual adds), parallel over ranges. */
    public static void add(float[] x, float[] y, int n) {
        Add a = ADD.get();
        a.x = x;
        a.y = y;
        try {
            Parallel.forRange(n, ELEMENTWISE_CHUNK, a);
        } finally {
            a.x = a.y = null;
        }
    }

    /** The body of {@link #add} with its arguments in fields, one per thread (no capturing lambda per call). */
    private static final class Add implements Parallel.RangeBody {
        float[] x, y;

        @Override
        public void run(int i0, int i1) {
            int i = i0, upper = i0 + F.loopBound(i1 - i0);
            for (; i < upper; i += F.length()) {
                FloatVector.fromArray(F, y, i).add(FloatVector.fromArray(F, x, i)).intoArray(y, i);
            }
            for (; i < i1; i++) y[i] += x[i];
        }
    }
}
