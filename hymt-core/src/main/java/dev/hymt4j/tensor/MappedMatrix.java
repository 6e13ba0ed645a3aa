package dev.hymt4j.tensor;

import dev.hymt4j.safetensors.DType;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static dev.hymt4j.safetensors.SafetensorsFile.F32_LE;
import static dev.hymt4j.safetensors.SafetensorsFile.I16_LE;

/**
 * A matrix whose elements stay in a {@link MemorySegment} (usually a mapping of the checkpoint) as F32, BF16
 * or F16. One token reads the weights straight from the segment; many tokens widen each weight row once per
 * call into a per-thread panel that all tokens reuse. The loops themselves are {@link Kernels}.
 */
public final class MappedMatrix implements Matrix {
    private static final Kernels KERNELS = Kernels.get();
    /** Rows widened per GEMM panel (a multiple of 4): 32 × 6144 floats is 768 KiB, within L2. */
    /** Up to this many tokens, BF16 products read the segment directly ({@link #gemmBf16Fused}); more reuse a panel. */
    static final int FUSED_TOKENS = 4;
    static final int PANEL_ROWS = 32;
    /** Columns per GEMM block: 4 tokens × 512 floats is 8 KiB, which stays in L1 across the panel. */
    static final int BLOCK_COLS = 512;
    /** Weight rows per {@code g·W} block: the panel's 2-vector column strip (256 × 32 floats) stays in L1. */
    static final int BLOCK_ROWS = 256;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

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

    /**
     * {@code out[t·rows + r] = x[t]·W[r]} for one token (decode: {@link Kernels#gemvBf16}, reading the mapped
     * weights once, widening in registers) or many (prefill, batched decode, training: the blocked GEMM below).
     * Every path sums each (row, token) in the one order of {@link Kernels}, so the result is bit-identical
     * whatever {@code n}, the other tokens or the row range.
     */
    @Override
    public void matmulRows(float[] x, int n, float[] out, int r0, int r1) {
        if (n == 1 && dtype == DType.BF16) {
            KERNELS.gemvBf16(data, cols, r0, r1, x, 0, out, 0);
        } else if (n == 1 && dtype == DType.F32) {
            KERNELS.gemvF32(data, cols, r0, r1, x, 0, out, 0);
        } else if (n <= FUSED_TOKENS && dtype == DType.BF16) {
            gemmBf16Fused(x, n, out, r0, r1);
        } else {
            gemm(x, n, out, r0, r1);
        }
    }

    /**
     * A few tokens against BF16 rows (batched decode): tiles of 4 rows × 4 tokens straight from the segment,
     * so memory traffic overlaps the FMAs, as in decode; rows past the last multiple of 4 take one dot per token.
     */
    private void gemmBf16Fused(float[] x, int n, float[] out, int r0, int r1) {
        Scratch s = SCRATCH.get();
        float[] pad = s.tokens(4 * cols), sums = s.sums;
        int r = r0;
        for (; r + 4 <= r1; r += 4) {
            for (int t = 0; t < n; t += 4) {
                float[] xs = tokenGroup(x, t, n, pad);
                KERNELS.gemm4x4Bf16(data, cols, r, xs, xs == x ? t * cols : 0, sums);
                storeTile(sums, out, r, 4, t, n);
            }
        }
        for (; r < r1; r++) {
            for (int t = 0; t < n; t++) out[t * rows + r] = KERNELS.dotBf16(data, (long) r * cols, x, t * cols, cols);
        }
    }

    /**
     * Rows are widened to float into a panel of {@link #PANEL_ROWS} (zero rows pad it to a multiple of 4), then
     * 4-row × 4-token tiles run {@link Kernels#dot4x4} over column blocks of {@link #BLOCK_COLS}: the 4 tokens'
     * block stays in L1 while the panel's rows stream past it. A last partial group of tokens is copied into a
     * zero-padded 4-token buffer. Results of padding rows or tokens are never stored.
     */
    private void gemm(float[] x, int n, float[] out, int r0, int r1) {
        Scratch s = SCRATCH.get();
        int lanes = KERNELS.lanes(), upper = cols - cols % lanes, tile = 16 * lanes;
        float[] panel = s.panel(PANEL_ROWS * cols), acc = s.acc(PANEL_ROWS / 4 * tile), pad = s.tokens(4 * cols);
        for (int p0 = r0; p0 < r1; p0 += PANEL_ROWS) {
            int pr = Math.min(PANEL_ROWS, r1 - p0), padded = (pr + 3) & ~3;
            for (int i = 0; i < pr; i++) decode(p0 + i, 0, cols, panel, i * cols);
            Arrays.fill(panel, pr * cols, padded * cols, 0f);
            for (int t = 0; t < n; t += 4) {
                float[] xs = tokenGroup(x, t, n, pad);
                int xo = xs == x ? t * cols : 0;
                Arrays.fill(acc, 0, padded / 4 * tile, 0f);
                for (int k0 = 0; k0 < upper; k0 += BLOCK_COLS) {
                    int k1 = Math.min(upper, k0 + BLOCK_COLS);
                    for (int i = 0; i < padded; i += 4) KERNELS.dot4x4(panel, i * cols, xs, xo, cols, k0, k1, acc, i / 4 * tile);
                }
                float[] sums = s.sums;
                for (int i = 0; i < padded; i += 4) {
                    KERNELS.finish4x4(panel, i * cols, xs, xo, cols, cols, acc, i / 4 * tile, sums);
                    storeTile(sums, out, p0 + i, Math.min(4, pr - i), t, n);
                }
            }
        }
    }

    /**
     * The 4 tokens from {@code t}: {@code x} itself (they start at {@code t·cols}) when all 4 exist, else the
     * tokens {@code [t, n)} followed by zero tokens in {@code pad [4, cols]} (they start at 0).
     */
    private float[] tokenGroup(float[] x, int t, int n, float[] pad) {
        if (t + 4 <= n) return x;
        System.arraycopy(x, t * cols, pad, 0, (n - t) * cols);
        Arrays.fill(pad, (n - t) * cols, 4 * cols, 0f);
        return pad;
    }

    /** Stores a 4-row × 4-token tile {@code sums[4i+j]} at rows {@code r + i} (i below {@code validRows}), tokens {@code t + j < n}. */
    private void storeTile(float[] sums, float[] out, int r, int validRows, int t, int n) {
        for (int k = 0; k < 16; k++) {
            int i = k >> 2, tk = t + (k & 3);
            if (i < validRows && tk < n) out[tk * rows + r + i] = sums[k];
        }
    }

    /**
     * {@code out[t·cols + c] += Σ_r g[t·rows + r]·W[r, c]} for {@code c ∈ [c0, c1)}, summed over r in increasing
     * order (so independent of n and of the column split). Rows are taken {@link #BLOCK_ROWS} at a time: only
     * this chunk's columns are widened into a panel, then 4-token × 2-vector tiles ({@link Kernels#accumulate4x2})
     * accumulate into {@code out} while the panel's column strip stays in L1. Partial tiles (last tokens, last
     * columns) run on zero-padded copies.
     */
    @Override
    public void accumulateTransposed(float[] g, int n, float[] out, int c0, int c1) {
        Scratch s = SCRATCH.get();
        int width = c1 - c0, strip = 2 * KERNELS.lanes(), stride = (width + strip - 1) / strip * strip;
        float[] panel = s.panel(BLOCK_ROWS * stride), gTail = s.tokens(4 * BLOCK_ROWS), outTile = s.acc(4 * strip);
        int fullTokens = n & ~3;
        for (int k0 = 0; k0 < rows; k0 += BLOCK_ROWS) {
            int kr = Math.min(BLOCK_ROWS, rows - k0);
            for (int i = 0; i < kr; i++) {
                decode(k0 + i, c0, width, panel, i * stride);
                Arrays.fill(panel, i * stride + width, (i + 1) * stride, 0f);
            }
            if (fullTokens < n) {  // the last partial group of tokens, its g rows padded with zero tokens
                Arrays.fill(gTail, 0f);
                for (int t = fullTokens; t < n; t++) System.arraycopy(g, t * rows + k0, gTail, (t - fullTokens) * BLOCK_ROWS, kr);
            }
            for (int v = 0; v < width; v += strip) {
                boolean fullStrip = v + strip <= width;
                for (int t = 0; t < n; t += 4) {
                    boolean fullGroup = t < fullTokens;
                    float[] gs = fullGroup ? g : gTail;
                    int go = fullGroup ? t * rows + k0 : 0, gStride = fullGroup ? rows : BLOCK_ROWS;
                    if (fullGroup && fullStrip) {
                        KERNELS.accumulate4x2(panel, v, stride, kr, gs, go, gStride, out, t * cols + c0 + v, cols);
                        continue;
                    }
                    int tokens = Math.min(4, n - t), columns = Math.min(strip, width - v);
                    Arrays.fill(outTile, 0f);
                    for (int j = 0; j < tokens; j++) System.arraycopy(out, (t + j) * cols + c0 + v, outTile, j * strip, columns);
                    KERNELS.accumulate4x2(panel, v, stride, kr, gs, go, gStride, outTile, 0, strip);
                    for (int j = 0; j < tokens; j++) System.arraycopy(outTile, j * strip, out, (t + j) * cols + c0 + v, columns);
                }
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
            case BF16 -> KERNELS.widenBf16(data, base, dst, off, width);
            case F16 -> { for (int c = 0; c < width; c++) dst[off + c] = Float.float16ToFloat(data.getAtIndex(I16_LE, base + c)); }
            default -> throw new IllegalStateException(dtype.name());
        }
    }

    /** Per-thread buffers, grown on demand and kept: no allocation per call in steady state. */
    private static final class Scratch {
        private float[] panel = new float[0], acc = new float[0], tokens = new float[0];
        final float[] sums = new float[16];

        float[] panel(int length) {
            if (panel.length < length) panel = new float[length];
            return panel;
        }

        float[] acc(int length) {
            if (acc.length < length) acc = new float[length];
            return acc;
        }

        float[] tokens(int length) {
            if (tokens.length < length) tokens = new float[length];
            return tokens;
        }
    }
}
