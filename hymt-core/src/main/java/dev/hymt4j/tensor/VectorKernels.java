package dev.hymt4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.hymt4j.safetensors.SafetensorsFile.F32_LE;
import static dev.hymt4j.safetensors.SafetensorsFile.I16_LE;

/**
 * The Vector API kernels at {@link VectorWidth}'s width (species in {@code static final} fields). BF16 widens
 * as {@code (int) bits << 16} reinterpreted as float: exact, two instructions per vector. The widening is written
 * out in every loop rather than in a helper: C2 declined to inline such a helper where a call site looked cold
 * (a loop often entered with length 0), and the vectors then went through the Vector API's boxed Java fallback
 * (measured: widenBf16 became the hottest method of a training step).
 */
final class VectorKernels implements Kernels {
    private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    private static final VectorSpecies<Integer> I = VectorWidth.INT;
    private static final VectorSpecies<Short> S = VectorWidth.HALF_SHORT;
    private static final int L = F.length();
    private static final long VECTOR_BYTES = F.vectorByteSize();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /**
     * {@link Lanes#sum}'s fold, written inline at every horizontal sum: a tile kernel with up to 24 accumulators
     * calling {@code Lanes.sum} got some calls left un-inlined by C2 (NodeCountInliningCutoff), and each such call
     * boxed its vector and ran the Vector API's Java fallback (~290 MB allocated per decoded token at batch 4).
     * Same shuffles in the same order: the same bits.
     */
    private static final VectorShuffle<Float>[] FOLDS = Lanes.folds();

    @Override
    public int lanes() {
        return L;
    }

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int len) {
        int upper = len - len % L;
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < upper; c += L) {
            acc = FloatVector.fromArray(F, a, ao + c).fma(FloatVector.fromArray(F, b, bo + c), acc);
        }
        for (VectorShuffle<Float> fold : FOLDS) acc = acc.add(acc.rearrange(fold));
        float sum = acc.lane(0);
        for (int c = upper; c < len; c++) sum = Math.fma(a[ao + c], b[bo + c], sum);
        return sum;
    }

    @Override
    public void addChains(float[] acc, int len, int stride) {
        int i = 0;
        for (int upper = len - len % L; i < upper; i += L) {
            FloatVector c0 = FloatVector.fromArray(F, acc, i), c1 = FloatVector.fromArray(F, acc, i + stride);
            FloatVector c2 = FloatVector.fromArray(F, acc, i + 2 * stride), c3 = FloatVector.fromArray(F, acc, i + 3 * stride);
            c0.add(c1).add(c2.add(c3)).intoArray(acc, i);
        }
        for (; i < len; i++) acc[i] = (acc[i] + acc[i + stride]) + (acc[i + 2 * stride] + acc[i + 3 * stride]);
    }

    @Override
    public float dotBf16(MemorySegment w, long index, float[] x, int xo, int len) {
        int upper = len - len % L;
        long base = index * 2;
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < upper; c += L) {
            FloatVector wv = ((IntVector) ShortVector.fromMemorySegment(S, w, base + 2L * c, LE)
                    .convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            acc = wv.fma(FloatVector.fromArray(F, x, xo + c), acc);
        }
        for (VectorShuffle<Float> fold : FOLDS) acc = acc.add(acc.rearrange(fold));
        float sum = acc.lane(0);
        for (int c = upper; c < len; c++) sum = Math.fma(bf16(w, index + c), x[xo + c], sum);
        return sum;
    }

    @Override
    public float dotF32(MemorySegment w, long index, float[] x, int xo, int len) {
        int upper = len - len % L;
        long base = index * 4;
        FloatVector acc = FloatVector.zero(F);
        for (int c = 0; c < upper; c += L) {
            acc = FloatVector.fromMemorySegment(F, w, base + 4L * c, LE).fma(FloatVector.fromArray(F, x, xo + c), acc);
        }
        for (VectorShuffle<Float> fold : FOLDS) acc = acc.add(acc.rearrange(fold));
        float sum = acc.lane(0);
        for (int c = upper; c < len; c++) sum = Math.fma(w.getAtIndex(F32_LE, index + c), x[xo + c], sum);
        return sum;
    }

    /**
     * Four rows at a time share each activation load and give four independent FMA chains (one chain alone is
     * latency-bound); rows past the last multiple of four go through {@link #dotBf16}, whose order is the same.
     */
    @Override
    public void gemvBf16(MemorySegment w, int cols, int r0, int r1, float[] x, int xo, float[] out, int oo) {
        int upper = cols - cols % L;
        long rowBytes = 2L * cols;
        int r = r0;
        for (; r + 4 <= r1; r += 4) {
            long b0 = r * rowBytes, b1 = b0 + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int c = 0; c < upper; c += L) {
                FloatVector xv = FloatVector.fromArray(F, x, xo + c);
                long off = 2L * c;
                a0 = ((IntVector) ShortVector.fromMemorySegment(S, w, b0 + off, LE).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xv, a0);
                a1 = ((IntVector) ShortVector.fromMemorySegment(S, w, b1 + off, LE).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xv, a1);
                a2 = ((IntVector) ShortVector.fromMemorySegment(S, w, b2 + off, LE).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xv, a2);
                a3 = ((IntVector) ShortVector.fromMemorySegment(S, w, b3 + off, LE).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xv, a3);
            }
            for (VectorShuffle<Float> fold : FOLDS) {
                a0 = a0.add(a0.rearrange(fold));
                a1 = a1.add(a1.rearrange(fold));
                a2 = a2.add(a2.rearrange(fold));
                a3 = a3.add(a3.rearrange(fold));
            }
            float s0 = a0.lane(0), s1 = a1.lane(0), s2 = a2.lane(0), s3 = a3.lane(0);
            long e = (long) r * cols;
            for (int c = upper; c < cols; c++) {
                float xc = x[xo + c];
                s0 = Math.fma(bf16(w, e + c), xc, s0);
                s1 = Math.fma(bf16(w, e + cols + c), xc, s1);
                s2 = Math.fma(bf16(w, e + 2L * cols + c), xc, s2);
                s3 = Math.fma(bf16(w, e + 3L * cols + c), xc, s3);
            }
            out[oo + r] = s0;
            out[oo + r + 1] = s1;
            out[oo + r + 2] = s2;
            out[oo + r + 3] = s3;
        }
        for (; r < r1; r++) out[oo + r] = dotBf16(w, (long) r * cols, x, xo, cols);
    }

    @Override
    public void gemvF32(MemorySegment w, int cols, int r0, int r1, float[] x, int xo, float[] out, int oo) {
        int upper = cols - cols % L;
        long rowBytes = 4L * cols;
        int r = r0;
        for (; r + 4 <= r1; r += 4) {
            long b0 = r * rowBytes, b1 = b0 + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int c = 0; c < upper; c += L) {
                FloatVector xv = FloatVector.fromArray(F, x, xo + c);
                long off = 4L * c;
                a0 = FloatVector.fromMemorySegment(F, w, b0 + off, LE).fma(xv, a0);
                a1 = FloatVector.fromMemorySegment(F, w, b1 + off, LE).fma(xv, a1);
                a2 = FloatVector.fromMemorySegment(F, w, b2 + off, LE).fma(xv, a2);
                a3 = FloatVector.fromMemorySegment(F, w, b3 + off, LE).fma(xv, a3);
            }
            for (VectorShuffle<Float> fold : FOLDS) {
                a0 = a0.add(a0.rearrange(fold));
                a1 = a1.add(a1.rearrange(fold));
                a2 = a2.add(a2.rearrange(fold));
                a3 = a3.add(a3.rearrange(fold));
            }
            float s0 = a0.lane(0), s1 = a1.lane(0), s2 = a2.lane(0), s3 = a3.lane(0);
            long e = (long) r * cols;
            for (int c = upper; c < cols; c++) {
                float xc = x[xo + c];
                s0 = Math.fma(w.getAtIndex(F32_LE, e + c), xc, s0);
                s1 = Math.fma(w.getAtIndex(F32_LE, e + cols + c), xc, s1);
                s2 = Math.fma(w.getAtIndex(F32_LE, e + 2L * cols + c), xc, s2);
                s3 = Math.fma(w.getAtIndex(F32_LE, e + 3L * cols + c), xc, s3);
            }
            out[oo + r] = s0;
            out[oo + r + 1] = s1;
            out[oo + r + 2] = s2;
            out[oo + r + 3] = s3;
        }
        for (; r < r1; r++) out[oo + r] = dotF32(w, (long) r * cols, x, xo, cols);
    }

    /**
     * L rows at a time: their columns transposed into {@code panel} (column c of the block is one vector), then per
     * token {@code acc = fma(panel[c], broadcast x[c], acc)} over c — for four tokens at once, four independent
     * chains; rows past the last multiple of L in scalar, the same chain.
     */
    /**
     * Tiles of 8 tokens × one vector of columns: per weight row one vector load and 8 FMAs with broadcast
     * gradients, the accumulators in registers across all rows. Columns past the last multiple of L and the
     * last tokens run the same chains in scalar.
     */
    @Override
    public void accumulateNarrowF32(MemorySegment w, int rows, int cols, float[] g, int t0, int t1, float[] out) {
        int vectorCols = F.loopBound(cols);
        long rowBytes = 4L * cols;
        int t = t0;
        for (; t + 8 <= t1; t += 8) {
            int g0 = t * rows, g1 = g0 + rows, g2 = g1 + rows, g3 = g2 + rows, g4 = g3 + rows, g5 = g4 + rows, g6 = g5 + rows, g7 = g6 + rows;
            for (int c = 0; c < vectorCols; c += L) {
                int o0 = t * cols + c;
                FloatVector a0 = FloatVector.fromArray(F, out, o0), a1 = FloatVector.fromArray(F, out, o0 + cols);
                FloatVector a2 = FloatVector.fromArray(F, out, o0 + 2 * cols), a3 = FloatVector.fromArray(F, out, o0 + 3 * cols);
                FloatVector a4 = FloatVector.fromArray(F, out, o0 + 4 * cols), a5 = FloatVector.fromArray(F, out, o0 + 5 * cols);
                FloatVector a6 = FloatVector.fromArray(F, out, o0 + 6 * cols), a7 = FloatVector.fromArray(F, out, o0 + 7 * cols);
                for (int r = 0; r < rows; r++) {
                    FloatVector wv = FloatVector.fromMemorySegment(F, w, r * rowBytes + 4L * c, LE);
                    a0 = wv.fma(FloatVector.broadcast(F, g[g0 + r]), a0);
                    a1 = wv.fma(FloatVector.broadcast(F, g[g1 + r]), a1);
                    a2 = wv.fma(FloatVector.broadcast(F, g[g2 + r]), a2);
                    a3 = wv.fma(FloatVector.broadcast(F, g[g3 + r]), a3);
                    a4 = wv.fma(FloatVector.broadcast(F, g[g4 + r]), a4);
                    a5 = wv.fma(FloatVector.broadcast(F, g[g5 + r]), a5);
                    a6 = wv.fma(FloatVector.broadcast(F, g[g6 + r]), a6);
                    a7 = wv.fma(FloatVector.broadcast(F, g[g7 + r]), a7);
                }
                a0.intoArray(out, o0);
                a1.intoArray(out, o0 + cols);
                a2.intoArray(out, o0 + 2 * cols);
                a3.intoArray(out, o0 + 3 * cols);
                a4.intoArray(out, o0 + 4 * cols);
                a5.intoArray(out, o0 + 5 * cols);
                a6.intoArray(out, o0 + 6 * cols);
                a7.intoArray(out, o0 + 7 * cols);
            }
        }
        for (; t < t1; t++) {
            int go = t * rows;
            for (int c = 0; c < vectorCols; c += L) {
                int o = t * cols + c;
                FloatVector a = FloatVector.fromArray(F, out, o);
                for (int r = 0; r < rows; r++) a = FloatVector.fromMemorySegment(F, w, r * rowBytes + 4L * c, LE).fma(FloatVector.broadcast(F, g[go + r]), a);
                a.intoArray(out, o);
            }
        }
        for (int u = t0; u < t1; u++) {
            for (int c = vectorCols; c < cols; c++) {
                float sum = out[u * cols + c];
                for (int r = 0; r < rows; r++) sum = Math.fma(w.getAtIndex(F32_LE, (long) r * cols + c), g[u * rows + r], sum);
                out[u * cols + c] = sum;
            }
        }
    }

    @Override
    public void gemmNarrowF32(MemorySegment w, int rows, int cols, int r0, int r1, float[] x, int n, float[] out, float[] panel) {
        int r = r0;
        for (; r + L <= r1; r += L) {
            for (int i = 0; i < L; i++) {
                long e = (long) (r + i) * cols;
                for (int c = 0; c < cols; c++) panel[c * L + i] = w.getAtIndex(F32_LE, e + c);
            }
            int t = 0;
            for (; t + 4 <= n; t += 4) {
                int x0 = t * cols, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
                for (int c = 0; c < cols; c++) {
                    FloatVector p = FloatVector.fromArray(F, panel, c * L);
                    a0 = p.fma(FloatVector.broadcast(F, x[x0 + c]), a0);
                    a1 = p.fma(FloatVector.broadcast(F, x[x1 + c]), a1);
                    a2 = p.fma(FloatVector.broadcast(F, x[x2 + c]), a2);
                    a3 = p.fma(FloatVector.broadcast(F, x[x3 + c]), a3);
                }
                a0.intoArray(out, t * rows + r);
                a1.intoArray(out, (t + 1) * rows + r);
                a2.intoArray(out, (t + 2) * rows + r);
                a3.intoArray(out, (t + 3) * rows + r);
            }
            for (; t < n; t++) {
                int xo = t * cols;
                FloatVector a = FloatVector.zero(F);
                for (int c = 0; c < cols; c++) a = FloatVector.fromArray(F, panel, c * L).fma(FloatVector.broadcast(F, x[xo + c]), a);
                a.intoArray(out, t * rows + r);
            }
        }
        for (; r < r1; r++) {
            long e = (long) r * cols;
            for (int t = 0; t < n; t++) {
                float sum = 0f;
                for (int c = 0; c < cols; c++) sum = Math.fma(w.getAtIndex(F32_LE, e + c), x[t * cols + c], sum);
                out[t * rows + r] = sum;
            }
        }
    }

    @Override
    public void gemm4x2Bf16(MemorySegment w, int cols, int r, float[] x, int xo, float[] sums) {
        int upper = cols - cols % L;
        long rowBytes = 2L * cols, b0 = r * rowBytes, b1 = b0 + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
        int x1 = xo + cols;
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int c = 0; c < upper; c += L) {
            FloatVector v0 = FloatVector.fromArray(F, x, xo + c);
            FloatVector v1 = FloatVector.fromArray(F, x, x1 + c);
            long off = 2L * c;
            FloatVector u0 = ((IntVector) ShortVector.fromMemorySegment(S, w, b0 + off, LE).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector u1 = ((IntVector) ShortVector.fromMemorySegment(S, w, b1 + off, LE).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector u2 = ((IntVector) ShortVector.fromMemorySegment(S, w, b2 + off, LE).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector u3 = ((IntVector) ShortVector.fromMemorySegment(S, w, b3 + off, LE).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            c00 = u0.fma(v0, c00);
            c01 = u0.fma(v1, c01);
            c10 = u1.fma(v0, c10);
            c11 = u1.fma(v1, c11);
            c20 = u2.fma(v0, c20);
            c21 = u2.fma(v1, c21);
            c30 = u3.fma(v0, c30);
            c31 = u3.fma(v1, c31);
        }
        for (VectorShuffle<Float> fold : FOLDS) {
            c00 = c00.add(c00.rearrange(fold));
            c01 = c01.add(c01.rearrange(fold));
            c10 = c10.add(c10.rearrange(fold));
            c11 = c11.add(c11.rearrange(fold));
            c20 = c20.add(c20.rearrange(fold));
            c21 = c21.add(c21.rearrange(fold));
            c30 = c30.add(c30.rearrange(fold));
            c31 = c31.add(c31.rearrange(fold));
        }
        sums[0] = c00.lane(0);
        sums[1] = c01.lane(0);
        sums[2] = c10.lane(0);
        sums[3] = c11.lane(0);
        sums[4] = c20.lane(0);
        sums[5] = c21.lane(0);
        sums[6] = c30.lane(0);
        sums[7] = c31.lane(0);
        for (int k = 0; k < 8; k++) {
            long e = (long) (r + k / 2) * cols;
            int xt = xo + (k % 2) * cols;
            for (int c = upper; c < cols; c++) sums[k] = Math.fma(bf16(w, e + c), x[xt + c], sums[k]);
        }
    }

    @Override
    public void gemm4x3Bf16(MemorySegment w, int cols, int r, float[] x, int xo, float[] sums) {
        int upper = cols - cols % L;
        long rowBytes = 2L * cols, b0 = r * rowBytes, b1 = b0 + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
        int x1 = xo + cols, x2 = x1 + cols;
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c10 = c00, c11 = c00, c12 = c00, c20 = c00, c21 = c00, c22 = c00, c30 = c00, c31 = c00, c32 = c00;
        for (int c = 0; c < upper; c += L) {
            FloatVector v0 = FloatVector.fromArray(F, x, xo + c);
            FloatVector v1 = FloatVector.fromArray(F, x, x1 + c);
            FloatVector v2 = FloatVector.fromArray(F, x, x2 + c);
            long off = 2L * c;
            FloatVector u0 = ((IntVector) ShortVector.fromMemorySegment(S, w, b0 + off, LE).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector u1 = ((IntVector) ShortVector.fromMemorySegment(S, w, b1 + off, LE).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector u2 = ((IntVector) ShortVector.fromMemorySegment(S, w, b2 + off, LE).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector u3 = ((IntVector) ShortVector.fromMemorySegment(S, w, b3 + off, LE).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            c00 = u0.fma(v0, c00);
            c01 = u0.fma(v1, c01);
            c02 = u0.fma(v2, c02);
            c10 = u1.fma(v0, c10);
            c11 = u1.fma(v1, c11);
            c12 = u1.fma(v2, c12);
            c20 = u2.fma(v0, c20);
            c21 = u2.fma(v1, c21);
            c22 = u2.fma(v2, c22);
            c30 = u3.fma(v0, c30);
            c31 = u3.fma(v1, c31);
            c32 = u3.fma(v2, c32);
        }
        for (VectorShuffle<Float> fold : FOLDS) {
            c00 = c00.add(c00.rearrange(fold));
            c01 = c01.add(c01.rearrange(fold));
            c02 = c02.add(c02.rearrange(fold));
            c10 = c10.add(c10.rearrange(fold));
            c11 = c11.add(c11.rearrange(fold));
            c12 = c12.add(c12.rearrange(fold));
            c20 = c20.add(c20.rearrange(fold));
            c21 = c21.add(c21.rearrange(fold));
            c22 = c22.add(c22.rearrange(fold));
            c30 = c30.add(c30.rearrange(fold));
            c31 = c31.add(c31.rearrange(fold));
            c32 = c32.add(c32.rearrange(fold));
        }
        sums[0] = c00.lane(0);
        sums[1] = c01.lane(0);
        sums[2] = c02.lane(0);
        sums[3] = c10.lane(0);
        sums[4] = c11.lane(0);
        sums[5] = c12.lane(0);
        sums[6] = c20.lane(0);
        sums[7] = c21.lane(0);
        sums[8] = c22.lane(0);
        sums[9] = c30.lane(0);
        sums[10] = c31.lane(0);
        sums[11] = c32.lane(0);
        for (int k = 0; k < 12; k++) {
            long e = (long) (r + k / 3) * cols;
            int xt = xo + (k % 3) * cols;
            for (int c = upper; c < cols; c++) sums[k] = Math.fma(bf16(w, e + c), x[xt + c], sums[k]);
        }
    }

    @Override
    public void gemm4x4Bf16(MemorySegment w, int cols, int r, float[] x, int xo, float[] sums) {
        int upper = cols - cols % L;
        long rowBytes = 2L * cols, b0 = r * rowBytes, b1 = b0 + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
        int x1 = xo + cols, x2 = x1 + cols, x3 = x2 + cols;
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00, c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        for (int c = 0; c < upper; c += L) {
            FloatVector v0 = FloatVector.fromArray(F, x, xo + c);
            FloatVector v1 = FloatVector.fromArray(F, x, x1 + c);
            FloatVector v2 = FloatVector.fromArray(F, x, x2 + c);
            FloatVector v3 = FloatVector.fromArray(F, x, x3 + c);
            long off = 2L * c;
            FloatVector u0 = ((IntVector) ShortVector.fromMemorySegment(S, w, b0 + off, LE).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector u1 = ((IntVector) ShortVector.fromMemorySegment(S, w, b1 + off, LE).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector u2 = ((IntVector) ShortVector.fromMemorySegment(S, w, b2 + off, LE).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            FloatVector u3 = ((IntVector) ShortVector.fromMemorySegment(S, w, b3 + off, LE).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            c00 = u0.fma(v0, c00);
            c01 = u0.fma(v1, c01);
            c02 = u0.fma(v2, c02);
            c03 = u0.fma(v3, c03);
            c10 = u1.fma(v0, c10);
            c11 = u1.fma(v1, c11);
            c12 = u1.fma(v2, c12);
            c13 = u1.fma(v3, c13);
            c20 = u2.fma(v0, c20);
            c21 = u2.fma(v1, c21);
            c22 = u2.fma(v2, c22);
            c23 = u2.fma(v3, c23);
            c30 = u3.fma(v0, c30);
            c31 = u3.fma(v1, c31);
            c32 = u3.fma(v2, c32);
            c33 = u3.fma(v3, c33);
        }
        for (VectorShuffle<Float> fold : FOLDS) {
            c00 = c00.add(c00.rearrange(fold));
            c01 = c01.add(c01.rearrange(fold));
            c02 = c02.add(c02.rearrange(fold));
            c03 = c03.add(c03.rearrange(fold));
            c10 = c10.add(c10.rearrange(fold));
            c11 = c11.add(c11.rearrange(fold));
            c12 = c12.add(c12.rearrange(fold));
            c13 = c13.add(c13.rearrange(fold));
            c20 = c20.add(c20.rearrange(fold));
            c21 = c21.add(c21.rearrange(fold));
            c22 = c22.add(c22.rearrange(fold));
            c23 = c23.add(c23.rearrange(fold));
            c30 = c30.add(c30.rearrange(fold));
            c31 = c31.add(c31.rearrange(fold));
            c32 = c32.add(c32.rearrange(fold));
            c33 = c33.add(c33.rearrange(fold));
        }
        sums[0] = c00.lane(0);
        sums[1] = c01.lane(0);
        sums[2] = c02.lane(0);
        sums[3] = c03.lane(0);
        sums[4] = c10.lane(0);
        sums[5] = c11.lane(0);
        sums[6] = c12.lane(0);
        sums[7] = c13.lane(0);
        sums[8] = c20.lane(0);
        sums[9] = c21.lane(0);
        sums[10] = c22.lane(0);
        sums[11] = c23.lane(0);
        sums[12] = c30.lane(0);
        sums[13] = c31.lane(0);
        sums[14] = c32.lane(0);
        sums[15] = c33.lane(0);
        for (int k = 0; k < 16; k++) {
            long e = (long) (r + k / 4) * cols;
            int xt = xo + (k % 4) * cols;
            for (int c = upper; c < cols; c++) sums[k] = Math.fma(bf16(w, e + c), x[xt + c], sums[k]);
        }
    }

    @Override
    public void widenBf16(MemorySegment src, long index, float[] dst, int off, int len) {
        int upper = len - len % L;
        long base = index * 2;
        for (int c = 0; c < upper; c += L) {
            ((IntVector) ShortVector.fromMemorySegment(S, src, base + 2L * c, LE).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, off + c);
        }
        for (int c = upper; c < len; c++) dst[off + c] = bf16(src, index + c);
    }

    @Override
    public void packBf16(MemorySegment src, long index, int chunks, MemorySegment dst, long dstOffset, long dstStride) {
        long base = index * 2;
        for (int s = 0; s < chunks; s++) {
            ((IntVector) ShortVector.fromMemorySegment(S, src, base + 2L * L * s, LE).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoMemorySegment(dst, dstOffset + s * dstStride, LE);
        }
    }

    @Override
    public void packFloats(float[] src, int so, int chunks, MemorySegment dst, long dstOffset, long dstStride) {
        for (int s = 0; s < chunks; s++) FloatVector.fromArray(F, src, so + s * L).intoMemorySegment(dst, dstOffset + s * dstStride, LE);
    }

    /**
     * 24 accumulators, 4 row vectors and one token vector live at a time: 10 aligned loads per 24 FMAs. The
     * column index drives both panels (the form C2 schedules best, measured).
     */
    @Override
    public void dot4x6(MemorySegment w, long wo, MemorySegment x, long xo, int steps, float[] acc, int ao) {
        FloatVector c00 = FloatVector.fromArray(F, acc, ao + 0 * L);
        FloatVector c01 = FloatVector.fromArray(F, acc, ao + 1 * L);
        FloatVector c02 = FloatVector.fromArray(F, acc, ao + 2 * L);
        FloatVector c03 = FloatVector.fromArray(F, acc, ao + 3 * L);
        FloatVector c04 = FloatVector.fromArray(F, acc, ao + 4 * L);
        FloatVector c05 = FloatVector.fromArray(F, acc, ao + 5 * L);
        FloatVector c10 = FloatVector.fromArray(F, acc, ao + 6 * L);
        FloatVector c11 = FloatVector.fromArray(F, acc, ao + 7 * L);
        FloatVector c12 = FloatVector.fromArray(F, acc, ao + 8 * L);
        FloatVector c13 = FloatVector.fromArray(F, acc, ao + 9 * L);
        FloatVector c14 = FloatVector.fromArray(F, acc, ao + 10 * L);
        FloatVector c15 = FloatVector.fromArray(F, acc, ao + 11 * L);
        FloatVector c20 = FloatVector.fromArray(F, acc, ao + 12 * L);
        FloatVector c21 = FloatVector.fromArray(F, acc, ao + 13 * L);
        FloatVector c22 = FloatVector.fromArray(F, acc, ao + 14 * L);
        FloatVector c23 = FloatVector.fromArray(F, acc, ao + 15 * L);
        FloatVector c24 = FloatVector.fromArray(F, acc, ao + 16 * L);
        FloatVector c25 = FloatVector.fromArray(F, acc, ao + 17 * L);
        FloatVector c30 = FloatVector.fromArray(F, acc, ao + 18 * L);
        FloatVector c31 = FloatVector.fromArray(F, acc, ao + 19 * L);
        FloatVector c32 = FloatVector.fromArray(F, acc, ao + 20 * L);
        FloatVector c33 = FloatVector.fromArray(F, acc, ao + 21 * L);
        FloatVector c34 = FloatVector.fromArray(F, acc, ao + 22 * L);
        FloatVector c35 = FloatVector.fromArray(F, acc, ao + 23 * L);
        for (int c = 0; c < steps * L; c += L) {
            long wi = wo + 16L * c, xi = xo + 24L * c;
            FloatVector u0 = FloatVector.fromMemorySegment(F, w, wi + 0L * VECTOR_BYTES, LE);
            FloatVector u1 = FloatVector.fromMemorySegment(F, w, wi + 1L * VECTOR_BYTES, LE);
            FloatVector u2 = FloatVector.fromMemorySegment(F, w, wi + 2L * VECTOR_BYTES, LE);
            FloatVector u3 = FloatVector.fromMemorySegment(F, w, wi + 3L * VECTOR_BYTES, LE);
            FloatVector v = FloatVector.fromMemorySegment(F, x, xi + 0L * VECTOR_BYTES, LE);
            c00 = u0.fma(v, c00); c10 = u1.fma(v, c10); c20 = u2.fma(v, c20); c30 = u3.fma(v, c30);
            v = FloatVector.fromMemorySegment(F, x, xi + 1L * VECTOR_BYTES, LE);
            c01 = u0.fma(v, c01); c11 = u1.fma(v, c11); c21 = u2.fma(v, c21); c31 = u3.fma(v, c31);
            v = FloatVector.fromMemorySegment(F, x, xi + 2L * VECTOR_BYTES, LE);
            c02 = u0.fma(v, c02); c12 = u1.fma(v, c12); c22 = u2.fma(v, c22); c32 = u3.fma(v, c32);
            v = FloatVector.fromMemorySegment(F, x, xi + 3L * VECTOR_BYTES, LE);
            c03 = u0.fma(v, c03); c13 = u1.fma(v, c13); c23 = u2.fma(v, c23); c33 = u3.fma(v, c33);
            v = FloatVector.fromMemorySegment(F, x, xi + 4L * VECTOR_BYTES, LE);
            c04 = u0.fma(v, c04); c14 = u1.fma(v, c14); c24 = u2.fma(v, c24); c34 = u3.fma(v, c34);
            v = FloatVector.fromMemorySegment(F, x, xi + 5L * VECTOR_BYTES, LE);
            c05 = u0.fma(v, c05); c15 = u1.fma(v, c15); c25 = u2.fma(v, c25); c35 = u3.fma(v, c35);
        }
        c00.intoArray(acc, ao + 0 * L);
        c01.intoArray(acc, ao + 1 * L);
        c02.intoArray(acc, ao + 2 * L);
        c03.intoArray(acc, ao + 3 * L);
        c04.intoArray(acc, ao + 4 * L);
        c05.intoArray(acc, ao + 5 * L);
        c10.intoArray(acc, ao + 6 * L);
        c11.intoArray(acc, ao + 7 * L);
        c12.intoArray(acc, ao + 8 * L);
        c13.intoArray(acc, ao + 9 * L);
        c14.intoArray(acc, ao + 10 * L);
        c15.intoArray(acc, ao + 11 * L);
        c20.intoArray(acc, ao + 12 * L);
        c21.intoArray(acc, ao + 13 * L);
        c22.intoArray(acc, ao + 14 * L);
        c23.intoArray(acc, ao + 15 * L);
        c24.intoArray(acc, ao + 16 * L);
        c25.intoArray(acc, ao + 17 * L);
        c30.intoArray(acc, ao + 18 * L);
        c31.intoArray(acc, ao + 19 * L);
        c32.intoArray(acc, ao + 20 * L);
        c33.intoArray(acc, ao + 21 * L);
        c34.intoArray(acc, ao + 22 * L);
        c35.intoArray(acc, ao + 23 * L);
    }

    /** 12 accumulators, 2 row vectors and one token vector live at a time: 8 aligned loads per 12 FMAs. */
    @Override
    public void dot2x6(MemorySegment w, long wo, MemorySegment x, long xo, int steps, float[] acc, int ao) {
        FloatVector c00 = FloatVector.fromArray(F, acc, ao + 0 * L);
        FloatVector c01 = FloatVector.fromArray(F, acc, ao + 1 * L);
        FloatVector c02 = FloatVector.fromArray(F, acc, ao + 2 * L);
        FloatVector c03 = FloatVector.fromArray(F, acc, ao + 3 * L);
        FloatVector c04 = FloatVector.fromArray(F, acc, ao + 4 * L);
        FloatVector c05 = FloatVector.fromArray(F, acc, ao + 5 * L);
        FloatVector c10 = FloatVector.fromArray(F, acc, ao + 6 * L);
        FloatVector c11 = FloatVector.fromArray(F, acc, ao + 7 * L);
        FloatVector c12 = FloatVector.fromArray(F, acc, ao + 8 * L);
        FloatVector c13 = FloatVector.fromArray(F, acc, ao + 9 * L);
        FloatVector c14 = FloatVector.fromArray(F, acc, ao + 10 * L);
        FloatVector c15 = FloatVector.fromArray(F, acc, ao + 11 * L);
        for (int c = 0; c < steps * L; c += L) {
            long wi = wo + 16L * c, xi = xo + 24L * c;
            FloatVector u0 = FloatVector.fromMemorySegment(F, w, wi, LE);
            FloatVector u1 = FloatVector.fromMemorySegment(F, w, wi + VECTOR_BYTES, LE);
            FloatVector v = FloatVector.fromMemorySegment(F, x, xi, LE);
            c00 = u0.fma(v, c00); c10 = u1.fma(v, c10);
            v = FloatVector.fromMemorySegment(F, x, xi + 1L * VECTOR_BYTES, LE);
            c01 = u0.fma(v, c01); c11 = u1.fma(v, c11);
            v = FloatVector.fromMemorySegment(F, x, xi + 2L * VECTOR_BYTES, LE);
            c02 = u0.fma(v, c02); c12 = u1.fma(v, c12);
            v = FloatVector.fromMemorySegment(F, x, xi + 3L * VECTOR_BYTES, LE);
            c03 = u0.fma(v, c03); c13 = u1.fma(v, c13);
            v = FloatVector.fromMemorySegment(F, x, xi + 4L * VECTOR_BYTES, LE);
            c04 = u0.fma(v, c04); c14 = u1.fma(v, c14);
            v = FloatVector.fromMemorySegment(F, x, xi + 5L * VECTOR_BYTES, LE);
            c05 = u0.fma(v, c05); c15 = u1.fma(v, c15);
        }
        c00.intoArray(acc, ao + 0 * L);
        c01.intoArray(acc, ao + 1 * L);
        c02.intoArray(acc, ao + 2 * L);
        c03.intoArray(acc, ao + 3 * L);
        c04.intoArray(acc, ao + 4 * L);
        c05.intoArray(acc, ao + 5 * L);
        c10.intoArray(acc, ao + 6 * L);
        c11.intoArray(acc, ao + 7 * L);
        c12.intoArray(acc, ao + 8 * L);
        c13.intoArray(acc, ao + 9 * L);
        c14.intoArray(acc, ao + 10 * L);
        c15.intoArray(acc, ao + 11 * L);
    }

    @Override
    public void finish4x6(float[] acc, int ao, float[] wTail, int wto, float[] xTail, int xto, int tail, float[] sums) {
        for (int k = 0; k < 24; k++) {
            int wr = wto + (k / 6) * tail, xt = xto + (k % 6) * tail;
            FloatVector lanes = FloatVector.fromArray(F, acc, ao + k * L);
            for (VectorShuffle<Float> fold : FOLDS) lanes = lanes.add(lanes.rearrange(fold));
            float sum = lanes.lane(0);
            for (int c = 0; c < tail; c++) sum = Math.fma(wTail[wr + c], xTail[xt + c], sum);
            sums[k] = sum;
        }
    }

    /** 12 accumulators (6 tokens × 2 column vectors), 2 aligned panel loads and 6 broadcasts per 12 FMAs. */
    @Override
    public void accumulate6x2(MemorySegment p, long po, int kr, float[] g, int go, int gStride, float[] out, int oo, int outStride) {
        int o1 = oo + outStride, o2 = o1 + outStride, o3 = o2 + outStride, o4 = o3 + outStride, o5 = o4 + outStride;
        int g1 = go + gStride, g2 = g1 + gStride, g3 = g2 + gStride, g4 = g3 + gStride, g5 = g4 + gStride;
        FloatVector a00 = FloatVector.fromArray(F, out, oo);
        FloatVector a01 = FloatVector.fromArray(F, out, oo + L);
        FloatVector a10 = FloatVector.fromArray(F, out, o1);
        FloatVector a11 = FloatVector.fromArray(F, out, o1 + L);
        FloatVector a20 = FloatVector.fromArray(F, out, o2);
        FloatVector a21 = FloatVector.fromArray(F, out, o2 + L);
        FloatVector a30 = FloatVector.fromArray(F, out, o3);
        FloatVector a31 = FloatVector.fromArray(F, out, o3 + L);
        FloatVector a40 = FloatVector.fromArray(F, out, o4);
        FloatVector a41 = FloatVector.fromArray(F, out, o4 + L);
        FloatVector a50 = FloatVector.fromArray(F, out, o5);
        FloatVector a51 = FloatVector.fromArray(F, out, o5 + L);
        for (int i = 0; i < kr; i++) {
            long pi = po + 4L * VECTOR_BYTES * i;
            FloatVector u0 = FloatVector.fromMemorySegment(F, p, pi, LE);
            FloatVector u1 = FloatVector.fromMemorySegment(F, p, pi + VECTOR_BYTES, LE);
            FloatVector s = FloatVector.broadcast(F, g[go + i]);
            a00 = u0.fma(s, a00); a01 = u1.fma(s, a01);
            s = FloatVector.broadcast(F, g[g1 + i]);
            a10 = u0.fma(s, a10); a11 = u1.fma(s, a11);
            s = FloatVector.broadcast(F, g[g2 + i]);
            a20 = u0.fma(s, a20); a21 = u1.fma(s, a21);
            s = FloatVector.broadcast(F, g[g3 + i]);
            a30 = u0.fma(s, a30); a31 = u1.fma(s, a31);
            s = FloatVector.broadcast(F, g[g4 + i]);
            a40 = u0.fma(s, a40); a41 = u1.fma(s, a41);
            s = FloatVector.broadcast(F, g[g5 + i]);
            a50 = u0.fma(s, a50); a51 = u1.fma(s, a51);
        }
        a00.intoArray(out, oo);
        a01.intoArray(out, oo + L);
        a10.intoArray(out, o1);
        a11.intoArray(out, o1 + L);
        a20.intoArray(out, o2);
        a21.intoArray(out, o2 + L);
        a30.intoArray(out, o3);
        a31.intoArray(out, o3 + L);
        a40.intoArray(out, o4);
        a41.intoArray(out, o4 + L);
        a50.intoArray(out, o5);
        a51.intoArray(out, o5 + L);
    }

    /** 24 accumulators (6 tokens × 4 column vectors), 4 aligned panel loads and 6 broadcasts per 24 FMAs. */
    @Override
    public void accumulate6x4(MemorySegment p, long po, int kr, float[] g, int go, int gStride, float[] out, int oo, int outStride) {
        int o1 = oo + outStride, o2 = o1 + outStride, o3 = o2 + outStride, o4 = o3 + outStride, o5 = o4 + outStride;
        int g1 = go + gStride, g2 = g1 + gStride, g3 = g2 + gStride, g4 = g3 + gStride, g5 = g4 + gStride;
        FloatVector a00 = FloatVector.fromArray(F, out, oo);
        FloatVector a01 = FloatVector.fromArray(F, out, oo + 1 * L);
        FloatVector a02 = FloatVector.fromArray(F, out, oo + 2 * L);
        FloatVector a03 = FloatVector.fromArray(F, out, oo + 3 * L);
        FloatVector a10 = FloatVector.fromArray(F, out, o1);
        FloatVector a11 = FloatVector.fromArray(F, out, o1 + 1 * L);
        FloatVector a12 = FloatVector.fromArray(F, out, o1 + 2 * L);
        FloatVector a13 = FloatVector.fromArray(F, out, o1 + 3 * L);
        FloatVector a20 = FloatVector.fromArray(F, out, o2);
        FloatVector a21 = FloatVector.fromArray(F, out, o2 + 1 * L);
        FloatVector a22 = FloatVector.fromArray(F, out, o2 + 2 * L);
        FloatVector a23 = FloatVector.fromArray(F, out, o2 + 3 * L);
        FloatVector a30 = FloatVector.fromArray(F, out, o3);
        FloatVector a31 = FloatVector.fromArray(F, out, o3 + 1 * L);
        FloatVector a32 = FloatVector.fromArray(F, out, o3 + 2 * L);
        FloatVector a33 = FloatVector.fromArray(F, out, o3 + 3 * L);
        FloatVector a40 = FloatVector.fromArray(F, out, o4);
        FloatVector a41 = FloatVector.fromArray(F, out, o4 + 1 * L);
        FloatVector a42 = FloatVector.fromArray(F, out, o4 + 2 * L);
        FloatVector a43 = FloatVector.fromArray(F, out, o4 + 3 * L);
        FloatVector a50 = FloatVector.fromArray(F, out, o5);
        FloatVector a51 = FloatVector.fromArray(F, out, o5 + 1 * L);
        FloatVector a52 = FloatVector.fromArray(F, out, o5 + 2 * L);
        FloatVector a53 = FloatVector.fromArray(F, out, o5 + 3 * L);
        for (int i = 0; i < kr; i++) {
            long pi = po + 4L * VECTOR_BYTES * i;
            FloatVector u0 = FloatVector.fromMemorySegment(F, p, pi + 0L * VECTOR_BYTES, LE);
            FloatVector u1 = FloatVector.fromMemorySegment(F, p, pi + 1L * VECTOR_BYTES, LE);
            FloatVector u2 = FloatVector.fromMemorySegment(F, p, pi + 2L * VECTOR_BYTES, LE);
            FloatVector u3 = FloatVector.fromMemorySegment(F, p, pi + 3L * VECTOR_BYTES, LE);
            FloatVector s = FloatVector.broadcast(F, g[go + i]);
            a00 = u0.fma(s, a00); a01 = u1.fma(s, a01); a02 = u2.fma(s, a02); a03 = u3.fma(s, a03);
            s = FloatVector.broadcast(F, g[g1 + i]);
            a10 = u0.fma(s, a10); a11 = u1.fma(s, a11); a12 = u2.fma(s, a12); a13 = u3.fma(s, a13);
            s = FloatVector.broadcast(F, g[g2 + i]);
            a20 = u0.fma(s, a20); a21 = u1.fma(s, a21); a22 = u2.fma(s, a22); a23 = u3.fma(s, a23);
            s = FloatVector.broadcast(F, g[g3 + i]);
            a30 = u0.fma(s, a30); a31 = u1.fma(s, a31); a32 = u2.fma(s, a32); a33 = u3.fma(s, a33);
            s = FloatVector.broadcast(F, g[g4 + i]);
            a40 = u0.fma(s, a40); a41 = u1.fma(s, a41); a42 = u2.fma(s, a42); a43 = u3.fma(s, a43);
            s = FloatVector.broadcast(F, g[g5 + i]);
            a50 = u0.fma(s, a50); a51 = u1.fma(s, a51); a52 = u2.fma(s, a52); a53 = u3.fma(s, a53);
        }
        a00.intoArray(out, oo);
        a01.intoArray(out, oo + 1 * L);
        a02.intoArray(out, oo + 2 * L);
        a03.intoArray(out, oo + 3 * L);
        a10.intoArray(out, o1);
        a11.intoArray(out, o1 + 1 * L);
        a12.intoArray(out, o1 + 2 * L);
        a13.intoArray(out, o1 + 3 * L);
        a20.intoArray(out, o2);
        a21.intoArray(out, o2 + 1 * L);
        a22.intoArray(out, o2 + 2 * L);
        a23.intoArray(out, o2 + 3 * L);
        a30.intoArray(out, o3);
        a31.intoArray(out, o3 + 1 * L);
        a32.intoArray(out, o3 + 2 * L);
        a33.intoArray(out, o3 + 3 * L);
        a40.intoArray(out, o4);
        a41.intoArray(out, o4 + 1 * L);
        a42.intoArray(out, o4 + 2 * L);
        a43.intoArray(out, o4 + 3 * L);
        a50.intoArray(out, o5);
        a51.intoArray(out, o5 + 1 * L);
        a52.intoArray(out, o5 + 2 * L);
        a53.intoArray(out, o5 + 3 * L);
    }


    private static float bf16(MemorySegment w, long index) {
        return Float.intBitsToFloat((w.getAtIndex(I16_LE, index) & 0xFFFF) << 16);
    }
}
