package dev.hymt4j.bench;

import dev.hymt4j.tensor.Lanes;
import dev.hymt4j.tensor.Matrix;
import dev.hymt4j.tensor.VectorWidth;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.hymt4j.safetensors.SafetensorsFile.I16_LE;

/**
 * The baseline of {@link KernelBench}: {@code MappedMatrix}'s BF16 kernels as they were before the kernels work
 * (main at b4e5146 — fused two-accumulator GEMV, 2-row × 4-token GEMM over a decoded row buffer, one-token
 * {@code g·W}), kept verbatim so that old and new run in the same JVM. Not used outside the benchmark.
 */
final class LegacyBf16Matrix implements Matrix {
    static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.length() * 16));
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);

    private final MemorySegment data;
    private final int rows, cols;

    LegacyBf16Matrix(MemorySegment data, int rows, int cols) {
        this.data = data;
        this.rows = rows;
        this.cols = cols;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public String format() {
        return "BF16-legacy";
    }

    @Override
    public void matmulRows(float[] x, int n, float[] out, int r0, int r1) {
        if (n == 1) {
            matvecBf16(x, out, r0, r1);
            return;
        }
        float[] w = rowBuffer(2 * cols);
        int upper = F.loopBound(cols);
        int r = r0;
        // Two rows × four tokens per pass: six vector loads feed eight FMAs (one row × one token: two per FMA).
        for (; r + 2 <= r1 && n >= 4; r += 2) {
            readRow(r, w, 0);
            readRow(r + 1, w, cols);
            int t = 0;
            for (; t + 4 <= n; t += 4) {
                int x0 = t * cols, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
                int c = 0;
                for (; c < upper; c += F.length()) {
                    FloatVector wa = FloatVector.fromArray(F, w, c), wb = FloatVector.fromArray(F, w, cols + c);
                    FloatVector v0 = FloatVector.fromArray(F, x, x0 + c), v1 = FloatVector.fromArray(F, x, x1 + c);
                    FloatVector v2 = FloatVector.fromArray(F, x, x2 + c), v3 = FloatVector.fromArray(F, x, x3 + c);
                    a0 = wa.fma(v0, a0);
                    a1 = wa.fma(v1, a1);
                    a2 = wa.fma(v2, a2);
                    a3 = wa.fma(v3, a3);
                    b0 = wb.fma(v0, b0);
                    b1 = wb.fma(v1, b1);
                    b2 = wb.fma(v2, b2);
                    b3 = wb.fma(v3, b3);
                }
                float s0 = Lanes.sum(a0), s1 = Lanes.sum(a1);
                float s2 = Lanes.sum(a2), s3 = Lanes.sum(a3);
                float u0 = Lanes.sum(b0), u1 = Lanes.sum(b1);
                float u2 = Lanes.sum(b2), u3 = Lanes.sum(b3);
                for (; c < cols; c++) {
                    float wa = w[c], wb = w[cols + c];
                    s0 += wa * x[x0 + c];
                    s1 += wa * x[x1 + c];
                    s2 += wa * x[x2 + c];
                    s3 += wa * x[x3 + c];
                    u0 += wb * x[x0 + c];
                    u1 += wb * x[x1 + c];
                    u2 += wb * x[x2 + c];
                    u3 += wb * x[x3 + c];
                }
                out[t * rows + r] = s0;
                out[(t + 1) * rows + r] = s1;
                out[(t + 2) * rows + r] = s2;
                out[(t + 3) * rows + r] = s3;
                out[t * rows + r + 1] = u0;
                out[(t + 1) * rows + r + 1] = u1;
                out[(t + 2) * rows + r + 1] = u2;
                out[(t + 3) * rows + r + 1] = u3;
            }
            for (; t < n; t++) {
                out[t * rows + r] = dot(w, 0, x, t * cols, upper);
                out[t * rows + r + 1] = dot(w, cols, x, t * cols, upper);
            }
        }
        for (; r < r1; r++) {
            readRow(r, w, 0);
            for (int t = 0; t < n; t++) out[t * rows + r] = dot(w, 0, x, t * cols, upper);
        }
    }

    /**
     * One row · one token, with the same summation order per (row, token) as the blocked loop above. Only
     * the leftovers of the blocking go through here, so the call overhead does not matter.
     */
    private float dot(float[] w, int wo, float[] x, int xo, int upper) {
        FloatVector acc = FloatVector.zero(F);
        int c = 0;
        for (; c < upper; c += F.length()) {
            acc = FloatVector.fromArray(F, w, wo + c).fma(FloatVector.fromArray(F, x, xo + c), acc);
        }
        float sum = Lanes.sum(acc);
        for (; c < cols; c++) sum += w[wo + c] * x[xo + c];
        return sum;
    }

    /**
     * One token against BF16 weights (decode): widens each weight vector in registers and dots it at once,
     * without the row buffer — decode is memory-bound, so the weights should be touched exactly once. Two
     * accumulators, because with one the FMA latency chain, not memory, limits the loop.
     */
    private void matvecBf16(float[] x, float[] out, int r0, int r1) {
        int step = F.length(), upper = F.loopBound(cols), pairs = upper - upper % (2 * step);
        for (int r = r0; r < r1; r++) {
            long base = (long) r * cols;
            FloatVector acc0 = FloatVector.zero(F), acc1 = acc0;
            int c = 0;
            for (; c < pairs; c += 2 * step) {
                ShortVector s0 = ShortVector.fromMemorySegment(S, data, (base + c) * 2, ByteOrder.LITTLE_ENDIAN);
                ShortVector s1 = ShortVector.fromMemorySegment(S, data, (base + c + step) * 2, ByteOrder.LITTLE_ENDIAN);
                FloatVector w0 = ((IntVector) s0.convertShape(VectorOperators.S2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                FloatVector w1 = ((IntVector) s1.convertShape(VectorOperators.S2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                acc0 = w0.fma(FloatVector.fromArray(F, x, c), acc0);
                acc1 = w1.fma(FloatVector.fromArray(F, x, c + step), acc1);
            }
            for (; c < upper; c += step) {
                ShortVector s0 = ShortVector.fromMemorySegment(S, data, (base + c) * 2, ByteOrder.LITTLE_ENDIAN);
                FloatVector w0 = ((IntVector) s0.convertShape(VectorOperators.S2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                acc0 = w0.fma(FloatVector.fromArray(F, x, c), acc0);
            }
            float sum = Lanes.sum(acc0.add(acc1));
            for (; c < cols; c++) sum += Float.intBitsToFloat((data.getAtIndex(I16_LE, base + c) & 0xFFFF) << 16) * x[c];
            out[r] = sum;
        }
    }

    @Override
    public void accumulateTransposed(float[] g, int n, float[] out, int c0, int c1) {
        int width = c1 - c0;
        // Only this chunk's columns are decoded: callers split the columns across threads, and decoding whole
        // rows would read the matrix once per chunk (8× the weight traffic on 2 threads).
        float[] w = rowBuffer(width);
        int upper = F.loopBound(width);
        for (int r = 0; r < rows; r++) {
            decode(r, c0, width, w, 0);
            for (int t = 0; t < n; t++) {
                float gv = g[t * rows + r];
                if (gv == 0f) continue;
                FloatVector gb = FloatVector.broadcast(F, gv);
                int oo = t * cols + c0;
                int c = 0;
                for (; c < upper; c += F.length()) {
                    FloatVector.fromArray(F, w, c).fma(gb, FloatVector.fromArray(F, out, oo + c)).intoArray(out, oo + c);
                }
                for (; c < width; c++) out[oo + c] += gv * w[c];
            }
        }
    }

    @Override
    public void readRow(int r, float[] dst, int off) {
        decode(r, 0, cols, dst, off);
    }

    /** Widens columns {@code [c0, c0 + width)} of row {@code r} to float into {@code dst[off, off + width)}. */
    private void decode(int r, int c0, int width, float[] dst, int off) {
        long base = (long) r * cols + c0;
        {
            {
                // BF16 is the top half of an IEEE float: widen to int, shift left 16, reinterpret.
                int c = 0, upper = S.loopBound(width);
                for (; c < upper; c += S.length()) {
                    ShortVector s = ShortVector.fromMemorySegment(S, data, (base + c) * 2, ByteOrder.LITTLE_ENDIAN);
                    ((IntVector) s.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16)
                            .reinterpretAsFloats().intoArray(dst, off + c);
                }
                for (; c < width; c++) dst[off + c] = Float.intBitsToFloat((data.getAtIndex(I16_LE, base + c) & 0xFFFF) << 16);
            }
        }
    }

    private float[] rowBuffer(int length) {
        float[] w = ROW.get();
        if (w.length < length) {
            w = new float[length];
            ROW.set(w);
        }
        return w;
    }
}
