package dev.hymt4j.tensor;

import java.lang.foreign.MemorySegment;

import static dev.hymt4j.safetensors.SafetensorsFile.F32_LE;
import static dev.hymt4j.safetensors.SafetensorsFile.I16_LE;

/**
 * The reference kernels: plain loops, one lane ({@code L = 1}), so every dot product is the sequential
 * {@code fma} chain over the columns. Selected with {@code -Dhymt.vector.bits=scalar}; the vector kernels are
 * checked against the same definitions.
 */
final class ScalarKernels implements Kernels {
    @Override
    public int lanes() {
        return 1;
    }

    @Override
    public float dot(float[] a, int ao, float[] b, int bo, int len) {
        float sum = 0f;
        for (int c = 0; c < len; c++) sum = Math.fma(a[ao + c], b[bo + c], sum);
        return sum;
    }

    @Override
    public float dotBf16(MemorySegment w, long index, float[] x, int xo, int len) {
        float sum = 0f;
        for (int c = 0; c < len; c++) sum = Math.fma(bf16(w, index + c), x[xo + c], sum);
        return sum;
    }

    @Override
    public float dotF32(MemorySegment w, long index, float[] x, int xo, int len) {
        float sum = 0f;
        for (int c = 0; c < len; c++) sum = Math.fma(w.getAtIndex(F32_LE, index + c), x[xo + c], sum);
        return sum;
    }

    @Override
    public void gemvBf16(MemorySegment w, int cols, int r0, int r1, float[] x, int xo, float[] out, int oo) {
        for (int r = r0; r < r1; r++) out[oo + r] = dotBf16(w, (long) r * cols, x, xo, cols);
    }

    @Override
    public void gemvF32(MemorySegment w, int cols, int r0, int r1, float[] x, int xo, float[] out, int oo) {
        for (int r = r0; r < r1; r++) out[oo + r] = dotF32(w, (long) r * cols, x, xo, cols);
    }

    @Override
    public void gemm4x4Bf16(MemorySegment w, int cols, int r, float[] x, int xo, float[] sums) {
        for (int k = 0; k < 16; k++) sums[k] = dotBf16(w, (long) (r + (k >> 2)) * cols, x, xo + (k & 3) * cols, cols);
    }

    @Override
    public void widenBf16(MemorySegment src, long index, float[] dst, int off, int len) {
        for (int c = 0; c < len; c++) dst[off + c] = bf16(src, index + c);
    }

    @Override
    public void dot4x4(float[] w, int wo, float[] x, int xo, int stride, int k0, int k1, float[] acc, int ao) {
        for (int k = 0; k < 16; k++) {
            int wr = wo + (k >> 2) * stride, xt = xo + (k & 3) * stride;
            float sum = acc[ao + k];
            for (int c = k0; c < k1; c++) sum = Math.fma(w[wr + c], x[xt + c], sum);
            acc[ao + k] = sum;
        }
    }

    @Override
    public void finish4x4(float[] w, int wo, float[] x, int xo, int stride, int len, float[] acc, int ao, float[] sums) {
        System.arraycopy(acc, ao, sums, 0, 16);  // one lane: no fold, no tail
    }

    @Override
    public void accumulate4x2(float[] p, int po, int pStride, int kr, float[] g, int go, int gStride,
                              float[] out, int oo, int outStride) {
        for (int k = 0; k < 8; k++) {
            int t = k >> 1, v = k & 1;
            out[oo + t * outStride + v] = accumulateColumn(p, po + v, pStride, kr, g, go + t * gStride, out[oo + t * outStride + v]);
        }
    }

    private static float bf16(MemorySegment w, long index) {
        return Float.intBitsToFloat((w.getAtIndex(I16_LE, index) & 0xFFFF) << 16);
    }
}
