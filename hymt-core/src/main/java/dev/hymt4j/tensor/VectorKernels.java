package dev.hymt4j.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.hymt4j.safetensors.SafetensorsFile.F32_LE;
import static dev.hymt4j.safetensors.SafetensorsFile.I16_LE;

/**
 * The Vector API kernels at {@link VectorWidth}'s width (species in {@code static final} fields). BF16 widens
 * as {@code (int) bits << 16} reinterpreted as float: exact, two instructions per vector.
 */
final class VectorKernels implements Kernels {
    private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    private static final VectorSpecies<Integer> I = VectorWidth.INT;
    private static final VectorSpecies<Short> S = VectorWidth.HALF_SHORT;
    private static final int L = F.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

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
        float sum = Lanes.sum(acc);
        for (int c = upper; c < len; c++) sum = Math.fma(a[ao + c], b[bo + c], sum);
        return sum;
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
        float sum = Lanes.sum(acc);
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
        float sum = Lanes.sum(acc);
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
                a0 = widen(ShortVector.fromMemorySegment(S, w, b0 + off, LE)).fma(xv, a0);
                a1 = widen(ShortVector.fromMemorySegment(S, w, b1 + off, LE)).fma(xv, a1);
                a2 = widen(ShortVector.fromMemorySegment(S, w, b2 + off, LE)).fma(xv, a2);
                a3 = widen(ShortVector.fromMemorySegment(S, w, b3 + off, LE)).fma(xv, a3);
            }
            float s0 = Lanes.sum(a0), s1 = Lanes.sum(a1), s2 = Lanes.sum(a2), s3 = Lanes.sum(a3);
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
            float s0 = Lanes.sum(a0), s1 = Lanes.sum(a1), s2 = Lanes.sum(a2), s3 = Lanes.sum(a3);
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

    @Override
    public void gemm4x4Bf16(MemorySegment w, int cols, int r, float[] x, int xo, float[] sums) {
        int upper = cols - cols % L;
        long rowBytes = 2L * cols, b0 = r * rowBytes, b1 = b0 + rowBytes, b2 = b1 + rowBytes, b3 = b2 + rowBytes;
        int x1 = xo + cols, x2 = x1 + cols, x3 = x2 + cols;
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00, c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        for (int c = 0; c < upper; c += L) {
            FloatVector v0 = FloatVector.fromArray(F, x, xo + c), v1 = FloatVector.fromArray(F, x, x1 + c);
            FloatVector v2 = FloatVector.fromArray(F, x, x2 + c), v3 = FloatVector.fromArray(F, x, x3 + c);
            long off = 2L * c;
            FloatVector u = widen(ShortVector.fromMemorySegment(S, w, b0 + off, LE));
            c00 = u.fma(v0, c00);
            c01 = u.fma(v1, c01);
            c02 = u.fma(v2, c02);
            c03 = u.fma(v3, c03);
            u = widen(ShortVector.fromMemorySegment(S, w, b1 + off, LE));
            c10 = u.fma(v0, c10);
            c11 = u.fma(v1, c11);
            c12 = u.fma(v2, c12);
            c13 = u.fma(v3, c13);
            u = widen(ShortVector.fromMemorySegment(S, w, b2 + off, LE));
            c20 = u.fma(v0, c20);
            c21 = u.fma(v1, c21);
            c22 = u.fma(v2, c22);
            c23 = u.fma(v3, c23);
            u = widen(ShortVector.fromMemorySegment(S, w, b3 + off, LE));
            c30 = u.fma(v0, c30);
            c31 = u.fma(v1, c31);
            c32 = u.fma(v2, c32);
            c33 = u.fma(v3, c33);
        }
        sums[0] = Lanes.sum(c00);
        sums[1] = Lanes.sum(c01);
        sums[2] = Lanes.sum(c02);
        sums[3] = Lanes.sum(c03);
        sums[4] = Lanes.sum(c10);
        sums[5] = Lanes.sum(c11);
        sums[6] = Lanes.sum(c12);
        sums[7] = Lanes.sum(c13);
        sums[8] = Lanes.sum(c20);
        sums[9] = Lanes.sum(c21);
        sums[10] = Lanes.sum(c22);
        sums[11] = Lanes.sum(c23);
        sums[12] = Lanes.sum(c30);
        sums[13] = Lanes.sum(c31);
        sums[14] = Lanes.sum(c32);
        sums[15] = Lanes.sum(c33);
        for (int k = 0; k < 16; k++) {
            long e = (long) (r + (k >> 2)) * cols;
            int xt = xo + (k & 3) * cols;
            for (int c = upper; c < cols; c++) sums[k] = Math.fma(bf16(w, e + c), x[xt + c], sums[k]);
        }
    }

    @Override
    public void widenBf16(MemorySegment src, long index, float[] dst, int off, int len) {
        int upper = len - len % L;
        long base = index * 2;
        for (int c = 0; c < upper; c += L) {
            widen(ShortVector.fromMemorySegment(S, src, base + 2L * c, LE)).intoArray(dst, off + c);
        }
        for (int c = upper; c < len; c++) dst[off + c] = bf16(src, index + c);
    }

    @Override
    public void dot4x4(float[] w, int wo, float[] x, int xo, int stride, int k0, int k1, float[] acc, int ao) {
        int w1 = wo + stride, w2 = w1 + stride, w3 = w2 + stride;
        int x1 = xo + stride, x2 = x1 + stride, x3 = x2 + stride;
        FloatVector c00 = FloatVector.fromArray(F, acc, ao), c01 = FloatVector.fromArray(F, acc, ao + L);
        FloatVector c02 = FloatVector.fromArray(F, acc, ao + 2 * L), c03 = FloatVector.fromArray(F, acc, ao + 3 * L);
        FloatVector c10 = FloatVector.fromArray(F, acc, ao + 4 * L), c11 = FloatVector.fromArray(F, acc, ao + 5 * L);
        FloatVector c12 = FloatVector.fromArray(F, acc, ao + 6 * L), c13 = FloatVector.fromArray(F, acc, ao + 7 * L);
        FloatVector c20 = FloatVector.fromArray(F, acc, ao + 8 * L), c21 = FloatVector.fromArray(F, acc, ao + 9 * L);
        FloatVector c22 = FloatVector.fromArray(F, acc, ao + 10 * L), c23 = FloatVector.fromArray(F, acc, ao + 11 * L);
        FloatVector c30 = FloatVector.fromArray(F, acc, ao + 12 * L), c31 = FloatVector.fromArray(F, acc, ao + 13 * L);
        FloatVector c32 = FloatVector.fromArray(F, acc, ao + 14 * L), c33 = FloatVector.fromArray(F, acc, ao + 15 * L);
        for (int c = k0; c < k1; c += L) {
            FloatVector v0 = FloatVector.fromArray(F, x, xo + c), v1 = FloatVector.fromArray(F, x, x1 + c);
            FloatVector v2 = FloatVector.fromArray(F, x, x2 + c), v3 = FloatVector.fromArray(F, x, x3 + c);
            FloatVector u = FloatVector.fromArray(F, w, wo + c);
            c00 = u.fma(v0, c00);
            c01 = u.fma(v1, c01);
            c02 = u.fma(v2, c02);
            c03 = u.fma(v3, c03);
            u = FloatVector.fromArray(F, w, w1 + c);
            c10 = u.fma(v0, c10);
            c11 = u.fma(v1, c11);
            c12 = u.fma(v2, c12);
            c13 = u.fma(v3, c13);
            u = FloatVector.fromArray(F, w, w2 + c);
            c20 = u.fma(v0, c20);
            c21 = u.fma(v1, c21);
            c22 = u.fma(v2, c22);
            c23 = u.fma(v3, c23);
            u = FloatVector.fromArray(F, w, w3 + c);
            c30 = u.fma(v0, c30);
            c31 = u.fma(v1, c31);
            c32 = u.fma(v2, c32);
            c33 = u.fma(v3, c33);
        }
        c00.intoArray(acc, ao);
        c01.intoArray(acc, ao + L);
        c02.intoArray(acc, ao + 2 * L);
        c03.intoArray(acc, ao + 3 * L);
        c10.intoArray(acc, ao + 4 * L);
        c11.intoArray(acc, ao + 5 * L);
        c12.intoArray(acc, ao + 6 * L);
        c13.intoArray(acc, ao + 7 * L);
        c20.intoArray(acc, ao + 8 * L);
        c21.intoArray(acc, ao + 9 * L);
        c22.intoArray(acc, ao + 10 * L);
        c23.intoArray(acc, ao + 11 * L);
        c30.intoArray(acc, ao + 12 * L);
        c31.intoArray(acc, ao + 13 * L);
        c32.intoArray(acc, ao + 14 * L);
        c33.intoArray(acc, ao + 15 * L);
    }

    @Override
    public void finish4x4(float[] w, int wo, float[] x, int xo, int stride, int len, float[] acc, int ao, float[] sums) {
        int upper = len - len % L;
        for (int k = 0; k < 16; k++) {
            int wr = wo + (k >> 2) * stride, xt = xo + (k & 3) * stride;
            float sum = Lanes.sum(FloatVector.fromArray(F, acc, ao + k * L));
            for (int c = upper; c < len; c++) sum = Math.fma(w[wr + c], x[xt + c], sum);
            sums[k] = sum;
        }
    }

    @Override
    public void accumulate4x2(float[] p, int po, int pStride, int kr, float[] g, int go, int gStride,
                              float[] out, int oo, int outStride) {
        int o1 = oo + outStride, o2 = o1 + outStride, o3 = o2 + outStride;
        int g1 = go + gStride, g2 = g1 + gStride, g3 = g2 + gStride;
        FloatVector a0 = FloatVector.fromArray(F, out, oo), b0 = FloatVector.fromArray(F, out, oo + L);
        FloatVector a1 = FloatVector.fromArray(F, out, o1), b1 = FloatVector.fromArray(F, out, o1 + L);
        FloatVector a2 = FloatVector.fromArray(F, out, o2), b2 = FloatVector.fromArray(F, out, o2 + L);
        FloatVector a3 = FloatVector.fromArray(F, out, o3), b3 = FloatVector.fromArray(F, out, o3 + L);
        for (int i = 0, pi = po; i < kr; i++, pi += pStride) {
            FloatVector u = FloatVector.fromArray(F, p, pi), v = FloatVector.fromArray(F, p, pi + L);
            FloatVector s0 = FloatVector.broadcast(F, g[go + i]), s1 = FloatVector.broadcast(F, g[g1 + i]);
            FloatVector s2 = FloatVector.broadcast(F, g[g2 + i]), s3 = FloatVector.broadcast(F, g[g3 + i]);
            a0 = u.fma(s0, a0);
            b0 = v.fma(s0, b0);
            a1 = u.fma(s1, a1);
            b1 = v.fma(s1, b1);
            a2 = u.fma(s2, a2);
            b2 = v.fma(s2, b2);
            a3 = u.fma(s3, a3);
            b3 = v.fma(s3, b3);
        }
        a0.intoArray(out, oo);
        b0.intoArray(out, oo + L);
        a1.intoArray(out, o1);
        b1.intoArray(out, o1 + L);
        a2.intoArray(out, o2);
        b2.intoArray(out, o2 + L);
        a3.intoArray(out, o3);
        b3.intoArray(out, o3 + L);
    }

    private static FloatVector widen(ShortVector bits) {
        return ((IntVector) bits.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static float bf16(MemorySegment w, long index) {
        return Float.intBitsToFloat((w.getAtIndex(I16_LE, index) & 0xFFFF) << 16);
    }
}
