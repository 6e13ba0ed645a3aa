package dev.hymt4j.tensor;

import dev.hymt4j.safetensors.DType;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static dev.hymt4j.safetensors.SafetensorsFile.F32_LE;
import static dev.hymt4j.safetensors.SafetensorsFile.I16_LE;

/**
 * A matrix whose elements stay in a {@link MemorySegment} (usually a mapping of the checkpoint) as F32, BF16
 * or F16. One token reads the weights straight from the segment; up to {@link #FUSED_TOKENS} BF16 tokens too;
 * more tokens pack each weight row once per call into a per-thread aligned panel that all tokens reuse. The
 * loops themselves are {@link Kernels}.
 */
public final class MappedMatrix implements Matrix {
    private static final Kernels KERNELS = Kernels.get();
    private static final int LANES = KERNELS.lanes();
    /** Up to this many tokens, BF16 products read the segment directly ({@link #gemmBf16Fused}); more reuse a panel. */
    static final int FUSED_TOKENS = 4;
    /** Tokens per {@code g·W} tile ({@link Kernels#accumulate6x4}). */
    static final int TILE_TOKENS = 6;
    /** Weight rows per {@code g·W} block: one packed 4-vector column strip of them (32 KiB at 512 bits) stays in L1. */
    static final int BLOCK_ROWS = 128;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private final MemorySegment data;
    private final DType dtype;
    private final int rows, cols;
    /** This matrix's rows as {@link PackedGemm} packs them (one instance: a method reference per call would allocate). */
    private final PackedGemm.RowPacker packer = this::packRow;

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

    /** Few F32 columns (LoRA's B): every product takes {@link Kernels#gemmNarrowF32} and its order. */
    private boolean narrow() {
        return dtype == DType.F32 && cols <= Kernels.NARROW_COLS;
    }

    public MemorySegment segment() {
        return data;
    }

    /**
     * {@code out[t·rows + r] = x[t]·W[r]} for one token (decode: {@link Kernels#gemvBf16}, reading the mapped
     * weights once, widening in registers), a few (batched decode: {@link #gemmBf16Fused}) or many (prefill,
     * training: {@link PackedGemm}). Every path sums each (row, token) in the one order of {@link Kernels},
     * so the result is bit-identical whatever {@code n}, the other tokens or the row range.
     */
    @Override
    public void matmulRows(float[] x, int n, float[] out, int r0, int r1) {
        if (narrow()) {
            KERNELS.gemmNarrowF32(data, rows, cols, r0, r1, x, n, out, SCRATCH.get().row(LANES * cols));
        } else if (n == 1 && dtype == DType.BF16) {
            KERNELS.gemvBf16(data, cols, r0, r1, x, 0, out, 0);
        } else if (n == 1 && dtype == DType.F32) {
            KERNELS.gemvF32(data, cols, r0, r1, x, 0, out, 0);
        } else if (n <= FUSED_TOKENS && dtype == DType.BF16) {
            gemmBf16Fused(x, n, out, r0, r1);
        } else {
            PackedGemm.Tokens tokens = PackedGemm.packTokens(x, n, cols, null);
            try {
                PackedGemm.multiply(packer, rows, tokens, out, r0, r1);
            } finally {
                PackedGemm.release(tokens);
            }
        }
    }

    /** As the default, except that the GEMM path packs the tokens once for every row range, not once per range. */
    @Override
    public void matmul(float[] x, int n, float[] out) {
        if (n == 1 || narrow() || (n <= FUSED_TOKENS && dtype == DType.BF16)) {
            Matrix.super.matmul(x, n, out);
            return;
        }
        PackedGemm.Tokens tokens = PackedGemm.packTokens(x, n, cols, null);
        try {
            Parallel.forRange(rows, 64, (r0, r1) -> PackedGemm.multiply(packer, rows, tokens, out, r0, r1));
        } finally {
            PackedGemm.release(tokens);
        }
    }

    /**
     * A few tokens against BF16 rows (batched decode): tiles of 4 rows × n tokens straight from the segment, so
     * memory traffic overlaps the FMAs, as in decode; rows past the last multiple of 4 take one dot per token.
     * (Tiles of 4 over more tokens were measured no faster than the packed GEMM from 6 tokens on.)
     */
    private void gemmBf16Fused(float[] x, int n, float[] out, int r0, int r1) {
        float[] sums = SCRATCH.get().sums;
        int r = r0;
        for (; r + 4 <= r1; r += 4) {
            switch (n) {
                case 2 -> KERNELS.gemm4x2Bf16(data, cols, r, x, 0, sums);
                case 3 -> KERNELS.gemm4x3Bf16(data, cols, r, x, 0, sums);
                default -> KERNELS.gemm4x4Bf16(data, cols, r, x, 0, sums);
            }
            for (int k = 0; k < 4 * n; k++) out[(k % n) * rows + r + k / n] = sums[k];
        }
        for (; r < r1; r++) {
            for (int t = 0; t < n; t++) out[t * rows + r] = KERNELS.dotBf16(data, (long) r * cols, x, t * cols, cols);
        }
    }

    /**
     * Packs row {@code r}'s first {@code steps·L} columns into {@code panel} (chunk s at byte {@code at + s·stride})
     * and its tail columns into {@code tails[to…]}; {@code r = −1} packs a zero row.
     */
    private void packRow(int r, MemorySegment panel, long at, long stride, float[] tails, int to) {
        int steps = cols / LANES, tail = cols - steps * LANES;
        if (r < 0) {
            for (int c = 0; c < steps; c++) panel.asSlice(at + c * stride, 4L * LANES).fill((byte) 0);
            Arrays.fill(tails, to, to + tail, 0f);
        } else if (dtype == DType.BF16) {
            KERNELS.packBf16(data, (long) r * cols, steps, panel, at, stride);
            if (tail > 0) KERNELS.widenBf16(data, (long) r * cols + (long) steps * LANES, tails, to, tail);
        } else {
            float[] row = SCRATCH.get().row(cols);
            decode(r, 0, cols, row, 0);
            KERNELS.packFloats(row, 0, steps, panel, at, stride);
            System.arraycopy(row, steps * LANES, tails, to, tail);
        }
    }

    /**
     * {@code out += g·W}; a narrow matrix (LoRA's B, rank columns) splits the tokens across threads and takes
     * {@link Kernels#accumulateNarrowF32}, the same sums over r in increasing order as {@link #accumulateTransposed}.
     */
    @Override
    public void matmulTransposedAccumulate(float[] g, int n, float[] out) {
        if (!narrow()) {
            Matrix.super.matmulTransposedAccumulate(g, n, out);
            return;
        }
        Parallel.forRange(n, Math.max(8, (n + Parallel.threads() - 1) / Parallel.threads()),
                (t0, t1) -> KERNELS.accumulateNarrowF32(data, rows, cols, g, t0, t1, out));
    }

    /**
     * {@code out[t·cols + c] += Σ_r g[t·rows + r]·W[r, c]} for {@code c ∈ [c0, c1)}, summed over r in increasing
     * order (so independent of n and of the column split). Rows are taken {@link #BLOCK_ROWS} at a time: this
     * chunk's columns of them are packed into an aligned panel by strips of 4L columns, then 6-token × 4-vector tiles
     * ({@link Kernels#accumulate6x4}) accumulate into {@code out} while a strip stays in L1. Partial tiles (last
     * tokens, last columns) run on zero-padded copies.
     */
    @Override
    public void accumulateTransposed(float[] g, int n, float[] out, int c0, int c1) {
        Scratch s = SCRATCH.get();
        int width = c1 - c0, strip = 4 * LANES, strips = (width + strip - 1) / strip;
        long stripBytes = 4L * strip * BLOCK_ROWS;
        MemorySegment panel = PackedGemm.panel(strips * stripBytes);
        float[] row = s.row(strips * strip), gTail = s.gTail(TILE_TOKENS * BLOCK_ROWS), outTile = PackedGemm.acc(TILE_TOKENS * strip);
        int fullTokens = n - n % TILE_TOKENS;
        for (int k0 = 0; k0 < rows; k0 += BLOCK_ROWS) {
            int kr = Math.min(BLOCK_ROWS, rows - k0);
            for (int i = 0; i < kr; i++) {
                decode(k0 + i, c0, width, row, 0);
                Arrays.fill(row, width, strips * strip, 0f);
                for (int v = 0; v < strips; v++) KERNELS.packFloats(row, v * strip, 4, panel, v * stripBytes + 4L * strip * i, 4L * LANES);
            }
            if (fullTokens < n) {  // the last partial group of tokens, its g rows padded with zero tokens
                Arrays.fill(gTail, 0f);
                for (int t = fullTokens; t < n; t++) System.arraycopy(g, t * rows + k0, gTail, (t - fullTokens) * BLOCK_ROWS, kr);
            }
            for (int v = 0; v < strips; v++) {
                boolean fullStrip = (v + 1) * strip <= width;
                for (int t = 0; t < n; t += TILE_TOKENS) {
                    boolean fullGroup = t < fullTokens;
                    float[] gs = fullGroup ? g : gTail;
                    int go = fullGroup ? t * rows + k0 : 0, gStride = fullGroup ? rows : BLOCK_ROWS;
                    if (fullGroup && fullStrip) {
                        accumulateStrip(panel, v * stripBytes, kr, gs, go, gStride, out, t * cols + c0 + v * strip, cols);
                        continue;
                    }
                    int tokens = Math.min(TILE_TOKENS, n - t), columns = Math.min(strip, width - v * strip);
                    Arrays.fill(outTile, 0, TILE_TOKENS * strip, 0f);
                    for (int j = 0; j < tokens; j++) System.arraycopy(out, (t + j) * cols + c0 + v * strip, outTile, j * strip, columns);
                    accumulateStrip(panel, v * stripBytes, kr, gs, go, gStride, outTile, 0, strip);
                    for (int j = 0; j < tokens; j++) System.arraycopy(outTile, j * strip, out, (t + j) * cols + c0 + v * strip, columns);
                }
            }
        }
    }

    /** One strip's 6 × 4L tile: {@link Kernels#accumulate6x4}, or its two {@link Kernels#accumulate6x2} halves. */
    private static void accumulateStrip(MemorySegment p, long po, int kr, float[] g, int go, int gStride, float[] out, int oo, int outStride) {
        if (VectorWidth.HALF_TILES) {
            KERNELS.accumulate6x2(p, po, kr, g, go, gStride, out, oo, outStride);
            KERNELS.accumulate6x2(p, po + 8L * LANES, kr, g, go, gStride, out, oo + 2 * LANES, outStride);
        } else {
            KERNELS.accumulate6x4(p, po, kr, g, go, gStride, out, oo, outStride);
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

    /** Per-thread buffers, grown on demand and kept (the panel and accumulators are {@link PackedGemm}'s). */
    private static final class Scratch {
        private static final float[] NONE = new float[0];
        private float[] gTail = NONE, row = NONE;
        final float[] sums = new float[24];

        float[] gTail(int length) {
            if (gTail.length < length) gTail = new float[length];
            return gTail;
        }

        float[] row(int length) {
            if (row.length < length) row = new float[length];
            return row;
        }
    }
}
