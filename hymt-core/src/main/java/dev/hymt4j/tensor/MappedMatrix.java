package dev.hymt4j.tensor;

import dev.hymt4j.safetensors.DType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.hymt4j.safetensors.SafetensorsFile.F32_LE;
import static dev.hymt4j.safetensors.SafetensorsFile.I16_LE;

/**
 * A matrix whose elements stay in a {@link MemorySegment} (usually a mapping of the checkpoint) as F32, BF16
 * or F16. Rows are widened to float into a per-thread buffer, then dotted with every token, so each weight
 * row is decoded once per call however many tokens there are.
 */
public final class MappedMatrix implements Matrix {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.length() * 16));
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);

    private final MemorySegment data;
    private final DType dtype;
    private final int rows, cols;

    public MappedMatrix(MemorySegment data, DType dtype, int rows, int cols) {
        if (dtype != DType.F32 && dtype != DType.BF16 && dtype != DType.F16) {
            throw new IllegalArgumentException("unsupported weight dtype " + dtype + " (expected F32, BF16 or F16)");
        }
        if (data.byteSize() != (long) rows * cols * dtype.bytes()) {
            throw new IllegalArgumentException(data.byteSize() + " bytes for " + dtype + " [" + rows + ", " + cols + "]");
        }
        this.data = data;
        this.dtype = dtype;
        this.rows = rows;
        this.cols = cols;
    }

    /** Wraps a heap float array (row-major) as an F32 matrix. */
    public static MappedMatrix ofFloats(float[] values, int rows, int cols) {
        return new MappedMatrix(MemorySegment.ofArray(values), DType.F32, rows, cols);
    }

    /** Rows {@code [r0, r1)} as a matrix of their own (e.g. gate and up halves of a fused projection). */
    public MappedMatrix rowSlice(int r0, int r1) {
        long rowBytes = (long) cols * dtype.bytes();
        return new MappedMatrix(data.asSlice(r0 * rowBytes, (r1 - r0) * rowBytes), dtype, r1 - r0, cols);
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
        return dtype.name();
    }

    public DType dtype() {
        return dtype;
    }

    public MemorySegment segment() {
        return data;
    }

    @Override
    public void matmulRows(float[] x, int n, float[] out, int r0, int r1) {
        if (n == 1 && dtype == DType.BF16) {
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
     * without the row buffer — decode is memory-bound, so the weights should be touched exactly once. One
     * accumulator, in the column order of {@link #dot}: a (row, token) sums the same way whether its token
     * runs alone or in a batch (batch invariance).
     */
    private void matvecBf16(float[] x, float[] out, int r0, int r1) {
        int step = F.length(), upper = F.loopBound(cols);
        for (int r = r0; r < r1; r++) {
            long base = (long) r * cols;
            FloatVector acc = FloatVector.zero(F);
            int c = 0;
            for (; c < upper; c += step) {
                ShortVector s0 = ShortVector.fromMemorySegment(S, data, (base + c) * 2, ByteOrder.LITTLE_ENDIAN);
                FloatVector w0 = ((IntVector) s0.convertShape(VectorOperators.S2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                acc = w0.fma(FloatVector.fromArray(F, x, c), acc);
            }
            float sum = Lanes.sum(acc);
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
                for (; c < width; c++) out[oo + c] = Math.fma(gv, w[c], out[oo + c]);   // as the vector body: no split dependence
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
        switch (dtype) {
            case F32 -> MemorySegment.copy(data, F32_LE, base * 4, dst, off, width);
            case BF16 -> {
                // BF16 is the top half of an IEEE float: widen to int, shift left 16, reinterpret.
                int c = 0, upper = S.loopBound(width);
                for (; c < upper; c += S.length()) {
                    ShortVector s = ShortVector.fromMemorySegment(S, data, (base + c) * 2, ByteOrder.LITTLE_ENDIAN);
                    ((IntVector) s.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16)
                            .reinterpretAsFloats().intoArray(dst, off + c);
                }
                for (; c < width; c++) dst[off + c] = Float.intBitsToFloat((data.getAtIndex(I16_LE, base + c) & 0xFFFF) << 16);
            }
            case F16 -> { for (int c = 0; c < width; c++) dst[off + c] = Float.float16ToFloat(data.getAtIndex(I16_LE, base + c)); }
            default -> throw new IllegalStateException(dtype.name());
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
