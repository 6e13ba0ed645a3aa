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
 *
 * <p><b>Narrow F32 matrices</b> (at most {@link #NARROW_COLS} columns: LoRA's B, {@code [out, rank]}) sum every dot
 * product instead as one chain {@code sum = fma(w[c], x[c], sum)} over c = 0 … cols−1 from {@code sum = 0} — the
 * scalar order — in every product of such a matrix ({@link #gemmNarrowF32}, whatever the token count). The lane
 * order would spend a horizontal fold on each output for one or a few vector steps (14 GFLOP/s at rank 16); the
 * chain runs across L rows at once, a broadcast and an FMA per column.
 */
public interface Kernels {
    /** The kernels of this JVM: scalar where {@code hymt.vector.bits=scalar}, else the vector ones. */
    static Kernels get() {
        return KernelChoice.KERNELS;
    }

    /** Matrices with at most this many F32 columns take {@link #gemmNarrowF32} for every product. */
    int NARROW_COLS = 64;

    /** Floats per accumulator vector ({@code L} above); 1 for the scalar kernels. */
    int lanes();

    /** {@code Σ a[ao+i]·b[bo+i]} for {@code i < len}, in the order above. */
    float dot(float[] a, int ao, float[] b, int bo, int len);

    /**
     * {@code acc[i] = (acc[i] + acc[i + s]) + (acc[i + 2s] + acc[i + 3s])} for {@code i < len} ({@code s =
     * stride}): four chains of accumulators summed lane by lane in the order of a four-chain kernel.
     */
    void addChains(float[] acc, int len, int stride);

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
     * A narrow F32 matrix ({@code cols ≤ NARROW_COLS}) against {@code n} tokens: {@code out[t·rows + r] = Σ_c
     * W[r, c]·x[t·cols + c]} for {@code r ∈ [r0, r1)}, each one fma chain over c in order from 0 (see above).
     * {@code panel} is scratch of at least {@code lanes()·cols} floats.
     */
    void gemmNarrowF32(MemorySegment w, int rows, int cols, int r0, int r1, float[] x, int n, float[] out, float[] panel);

    /**
     * The {@code g·W} product of a narrow F32 matrix ({@code cols ≤ NARROW_COLS}: LoRA's B in the backward pass) for
     * tokens {@code [t0, t1)}: {@code out[t·cols + c] = fma(W[r, c], g[t·rows + r], out[t·cols + c])} for r = 0 …
     * rows−1 in order — the order of every {@code g·W} product — starting from the current {@code out}. (The
     * 6-token × 4L-column tiles of the wide matrices would run three quarters zero padding at rank 16.)
     */
    void accumulateNarrowF32(MemorySegment w, int rows, int cols, float[] g, int t0, int t1, float[] out);

    /**
     * The small-batch GEMM tiles straight from BF16 rows (widening in registers, so reading the weights overlaps
     * the arithmetic): {@code sums[T·i+j] = dot(W[r+i], x[xo + j·cols …])} for 4 rows and T = 2, 3 or 4 tokens.
     */
    void gemm4x2Bf16(MemorySegment w, int cols, int r, float[] x, int xo, float[] sums);

    /** See {@link #gemm4x2Bf16}: 3 tokens. */
    void gemm4x3Bf16(MemorySegment w, int cols, int r, float[] x, int xo, float[] sums);

    /** See {@link #gemm4x2Bf16}: 4 tokens. */
    void gemm4x4Bf16(MemorySegment w, int cols, int r, float[] x, int xo, float[] sums);

    /** {@code dst[off + i] = float(bf16 element index + i of src)} for {@code i < len}. */
    void widenBf16(MemorySegment src, long index, float[] dst, int off, int len);

    /**
     * Packs one row into a panel: chunk s {@code < chunks} of L values, {@code float(bf16 element index + s·L + l)},
     * goes to byte {@code dstOffset + s·dstStride + 4l} of {@code dst} (native, 64-byte aligned panels: aligned
     * vector loads in the micro-kernels are a quarter faster than the split loads of a Java array's).
     */
    void packBf16(MemorySegment src, long index, int chunks, MemorySegment dst, long dstOffset, long dstStride);

    /** As {@link #packBf16} from floats {@code src[so + s·L + l]}. */
    void packFloats(float[] src, int so, int chunks, MemorySegment dst, long dstOffset, long dstStride);

    /**
     * The GEMM micro-kernel, 4 rows × 6 tokens over packed panels: from byte {@code wo}, {@code w} holds {@code steps}
     * groups of the 4 rows' next L columns (row i's at float i·L of the group), {@code x} from byte {@code xo} the 6
     * tokens' likewise. The accumulator vector of row i, token j at {@code acc[ao + (6i+j)·L]} takes the fma over
     * those columns in order. Called once per column block, blocks in order.
     */
    void dot4x6(MemorySegment w, long wo, MemorySegment x, long xo, int steps, float[] acc, int ao);

    /**
     * {@link #dot4x6} for 2 of the panel's 4 rows (the pair at {@code wo}: rows {@code 2h, 2h+1} at {@code wo + 2h·L}
     * floats into the pair's accumulators at {@code acc[ao + 12h·L …]}): 12 accumulators, which fit the 16 vector
     * registers of AVX2, where dot4x6's 24 spill. Same arithmetic per (row, token), so either may serve.
     */
    void dot2x6(MemorySegment w, long wo, MemorySegment x, long xo, int steps, float[] acc, int ao);

    /**
     * Completes {@link #dot4x6}: {@code sums[6i+j]} = the lane sum of its accumulator, then
     * {@code fma(wTail[wto + i·tail + c], xTail[xto + j·tail + c], ·)} for the {@code tail} columns past the last
     * multiple of L, in order.
     */
    void finish4x6(float[] acc, int ao, float[] wTail, int wto, float[] xTail, int xto, int tail, float[] sums);

    /**
     * The {@code g·W} micro-kernel, 6 tokens × 4L columns: {@code p} holds from byte {@code po} {@code kr} packed rows of
     * 4L floats; for token j and column v {@code < 4L}, {@code out[oo + j·outStride + v] = fma(p[i][v],
     * g[go + j·gStride + i], …)} for rows {@code i < kr} in order, starting from the current {@code out}.
     */
    void accumulate6x4(MemorySegment p, long po, int kr, float[] g, int go, int gStride, float[] out, int oo, int outStride);

    /**
     * {@link #accumulate6x4} for half of the strip's columns (the 2L at {@code po}, {@code oo}; the packed rows keep
     * their stride of 4L floats): 12 accumulators, which fit AVX2's 16 vector registers. Same arithmetic per output.
     */
    void accumulate6x2(MemorySegment p, long po, int kr, float[] g, int go, int gStride, float[] out, int oo, int outStride);
}
