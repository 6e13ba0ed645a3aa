package dev.hymt4j.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The hot loops of the dense products, behind one small interface: a scalar reference ({@link ScalarKernels})
 * and the Vector API implementation ({@link VectorKernels}) at the width {@link VectorWidth} chose, picked once
 * per JVM. Every method is one flat loop.
 *
 * <p><b>Summation order</b> (what makes results batch-invariant, issue 8.5): with {@code L = lanes()} and
 * {@code U = len − len mod L}, a dot product of length {@code len} is one accumulator vector whose lane j
 * takes {@code fma(w[c], x[c], lane)} for c = j, j+L, … < U in that order; then {@link Lanes#sum} (pairwise
 * folds); then {@code sum = fma(w[c], x[c], sum)} for c = U … len−1. Every method that produces a dot
 * product produces exactly this, so a result never depends on which method, blocking or thread computed it.
 * BF16 weights enter as their exact float value ({@code bits << 16}).
 *
 * <p>{@code g·W} products accumulate {@code out = fma(w, g, out)} over the weight rows in increasing order.
 */
public interface Kernels {
    /** The kernels of this JVM: scalar where {@code hymt.vector.bits=scalar}, else the vector ones. */
    static Kernels get() {
        return KernelChoice.KERNELS;
    }

    /** Floats per accumulator vector ({@code L} above); 1 for the scalar kernels. */
    int lanes();

    /** {@code Σ a[ao+i]·b[bo+i]} for {@code i < len}, in the order above. */
    float dot(float[] a, int ao, float[] b, int bo, int len);

    /** The dot product of {@code len} BF16 values at element {@code index} of {@code w} with {@code x[xo…]}. */
    float dotBf16(MemorySegment w, long index, float[] x, int xo, int len);

    /** The dot product of {@code len} little-endian F32 values at element {@code index} of {@code w} with {@code x[xo…]}. */
    float dotF32(MemorySegment w, long index, float[] x, int xo, int len);

    /**
     * Decode GEMV over BF16 rows: {@code out[oo + r] = dot(W[r], x[xo…])} for {@code r ∈ [r0, r1)}, W row-major
     * with {@code cols} columns at the start of {@code w}. Widens in registers; every weight byte read once.
     */
    void gemvBf16(MemorySegment w, int cols, int r0, int r1, float[] x, int xo, float[] out, int oo);

    /** As {@link #gemvBf16} for little-endian F32 rows. */
    void gemvF32(MemorySegment w, int cols, int r0, int r1, float[] x, int xo, float[] out, int oo);

    /**
     * The small-batch GEMM tile straight from BF16 rows (widening in registers, so reading the weights overlaps
     * the arithmetic): {@code sums[4i+j] = dot(W[r+i], x[xo + j·cols …])} for 4 rows and 4 tokens.
     */
    void gemm4x4Bf16(MemorySegment w, int cols, int r, float[] x, int xo, float[] sums);

    /** {@code dst[off + i] = float(bf16 element index + i of src)} for {@code i < len}. */
    void widenBf16(MemorySegment src, long index, float[] dst, int off, int len);

    /**
     * The GEMM micro-kernel, 4 rows × 4 tokens: for row i and token j, the accumulator vector at
     * {@code acc[ao + (4i+j)·L]} takes columns {@code [k0, k1)} (multiples of L, {@code k1 ≤ U}) of
     * {@code w[wo + i·stride …]} · {@code x[xo + j·stride …]}. Called once per column block, in order.
     */
    void dot4x4(float[] w, int wo, float[] x, int xo, int stride, int k0, int k1, float[] acc, int ao);

    /**
     * Completes {@link #dot4x4}: {@code sums[4i+j] = lane sum of its accumulator, plus the tail columns
     * [U, len)} of the same rows and tokens.
     */
    void finish4x4(float[] w, int wo, float[] x, int xo, int stride, int len, float[] acc, int ao, float[] sums);

    /**
     * The {@code g·W} micro-kernel, 4 tokens × {@code 2L} columns: for token j and column v {@code < 2L},
     * {@code out[oo + j·outStride + v] = fma(p[po + i·pStride + v], g[go + j·gStride + i], …)} for rows
     * {@code i < kr} in order, starting from the current {@code out}.
     */
    void accumulate4x2(float[] p, int po, int pStride, int kr, float[] g, int go, int gStride,
                       float[] out, int oo, int outStride);

    /** One column of {@link #accumulate4x2} for one token: {@code out[oo] = fma(p[po + i·pStride], g[go + i], …)}, i < kr. */
    default float accumulateColumn(float[] p, int po, int pStride, int kr, float[] g, int go, float out) {
        for (int i = 0, pi = po; i < kr; i++, pi += pStride) out = Math.fma(p[pi], g[go + i], out);
        return out;
    }
}
