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
    public void addChains(float[] acc, int len, int stride) {
        for (int i = 0; i < len; i++) acc[i] = (acc[i] + acc[i + stride]) + (acc[i + 2 * stride] + acc[i + 3 * stride]);
    }

    @Override
    public void gemmNarrowF32(MemorySegment w, int rows, int cols, int r0, int r1, float[] x, int n, float[] out, float[] panel) {
        for (int t = 0; t < n; t++) gemvF32(w, cols, r0, r1, x, t * cols, out, t * rows);
    }

    @Override
    public void accumulateNarrowF32(MemorySegment w, int rows, int cols, float[] g, int t0, int t1, float[] out) {
        for (int t = t0; t < t1; t++) {
            for (int c = 0; c < cols; c++) {
                float sum = out[t * cols + c];
                for (int r = 0; r < rows; r++) sum = Math.fma(w.getAtIndex(F32_LE, (long) r * cols + c), g[t * rows + r], sum);
                out[t * cols + c] = sum;
            }
        }
    }

    @Override
    public void gemm4x2Bf16(MemorySegment w, int cols, int r, float[] x, int xo, float[] sums) {
        tile(w, cols, r, x, xo, 2, sums);
    }

    @Override
    public void gemm4x3Bf16(MemorySegment w, int cols, int r, float[] x, int xo, float[] sums) {
        tile(w, cols, r, x, xo, 3, sums);
    }

    @Override
    public void gemm4x4Bf16(MemorySegment w, int cols, int r, float[] x, int xo, float[] sums) {
        tile(w, cols, r, x, xo, 4, sums);
    }

    private void tile(MemorySegment w, int cols, int r, float[] x, int xo, int tokens, float[] sums) {
        for (int k = 0; k < 4 * tokens; k++) sums[k] = dotBf16(w, (long) (r + k / tokens) * cols, x, xo + (k % tokens) * cols, cols);
    }

    @Override
    public void widenBf16(MemorySegment src, long index, float[] dst, int off, int len) {
        for (int c = 0; c < len; c++) dst[off + c] = bf16(src, index + c);
    }

    @Override
    public void packBf16(MemorySegment src, long index, int chunks, MemorySegment dst, long dstOffset, long dstStride) {
        for (int s = 0; s < chunks; s++) dst.set(F32_LE, dstOffset + s * dstStride, bf16(src, index + s));
    }

    @Override
    public void packFloats(float[] src, int so, int chunks, MemorySegment dst, long dstOffset, long dstStride) {
        for (int s = 0; s < chunks; s++) dst.set(F32_LE, dstOffset + s * dstStride, src[so + s]);
    }

    @Override
    public void dot4x6(MemorySegment w, long wo, MemorySegment x, long xo, int steps, float[] acc, int ao) {
        panelDots(4, w, wo, x, xo, steps, acc, ao);
    }

    @Override
    public void dot2x6(MemorySegment w, long wo, MemorySegment x, long xo, int steps, float[] acc, int ao) {
        panelDots(2, w, wo, x, xo, steps, acc, ao);
    }

    /** dot4x6 and dot2x6 (one lane): the first {@code rows} rows of the panel at {@code wo} × the 6 tokens. */
    private static void panelDots(int rows, MemorySegment w, long wo, MemorySegment x, long xo, int steps, float[] acc, int ao) {
        for (int k = 0; k < 6 * rows; k++) {
            long wr = wo + 4L * (k / 6), xt = xo + 4L * (k % 6);
            float sum = acc[ao + k];
            for (int s = 0; s < steps; s++) sum = Math.fma(w.get(F32_LE, wr + 16L * s), x.get(F32_LE, xt + 24L * s), sum);
            acc[ao + k] = sum;
        }
    }

    @Override
    public void finish4x6(float[] acc, int ao, float[] wTail, int wto, float[] xTail, int xto, int tail, float[] sums) {
        System.arraycopy(acc, ao, sums, 0, 24);  // one lane: no fold, no tail
    }

    @Override
    public void accumulate6x2(MemorySegment p, long po, int kr, float[] g, int go, int gStride, float[] out, int oo, int outStride) {
        stripSums(2, p, po, kr, g, go, gStride, out, oo, outStride);
    }

    @Override
    public void accumulate6x4(MemorySegment p, long po, int kr, float[] g, int go, int gStride, float[] out, int oo, int outStride) {
        stripSums(4, p, po, kr, g, go, gStride, out, oo, outStride);
    }

    /** accumulate6x4 and accumulate6x2 (one lane): 6 tokens × the first {@code columns} columns of the strip at {@code po}. */
    private static void stripSums(int columns, MemorySegment p, long po, int kr, float[] g, int go, int gStride, float[] out, int oo,
                                  int outStride) {
        for (int k = 0; k < 6 * columns; k++) {
            int j = k / columns, v = k % columns;
            float sum = out[oo + j * outStride + v];
            for (int i = 0; i < kr; i++) sum = Math.fma(p.get(F32_LE, po + 16L * i + 4L * v), g[go + j * gStride + i], sum);
            out[oo + j * outStride + v] = sum;
        }
    }

    private static float bf16(MemorySegment w, long index) {
        return Float.intBitsToFloat((w.getAtIndex(I16_LE, index) & 0xFFFF) << 16);
    }
}
