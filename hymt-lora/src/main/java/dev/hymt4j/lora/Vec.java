package dev.hymt4j.lora;

import dev.hymt4j.tensor.Lanes;
import dev.hymt4j.tensor.VectorWidth;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The small dense fp32 loops of the training path (dot, axpy), vectorized; matmuls go through {@code Matrix}. */
final class Vec {
    static final VectorSpecies<Float> F = VectorWidth.FLOAT;

    private Vec() {}

    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0, upper = F.loopBound(n);
        for (; i < upper; i += F.length()) {
            acc = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc);
        }
        float sum = Lanes.sum(acc);
        for (; i < n; i++) sum += a[ao + i] * b[bo + i];
        return sum;
    }

    /** {@code y[yo + i] += alpha · x[xo + i]}. */
    static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector av = FloatVector.broadcast(F, alpha);
        int i = 0, upper = F.loopBound(n);
        for (; i < upper; i += F.length()) {
            FloatVector.fromArray(F, x, xo + i).fma(av, FloatVector.fromArray(F, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += alpha * x[xo + i];
    }

    /** {@code y[i] += x[i]}. */
    static void add(float[] x, float[] y, int n) {
        int i = 0, upper = F.loopBound(n);
        for (; i < upper; i += F.length()) {
            FloatVector.fromArray(F, y, i).add(FloatVector.fromArray(F, x, i)).intoArray(y, i);
        }
        for (; i < n; i++) y[i] += x[i];
    }
}
