package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;
import dev.hymt4j.tensor.Matrix;

import java.lang.foreign.MemorySegment;

/**
 * A weight matrix {@code [rows, cols]} stored as ggml blocks along each row, kept in its segment (usually a
 * mapping of the GGUF file; never copied). Subclasses are one format each and provide the fused kernels: the
 * dot product of one row with one token ({@link #dot1}) and with four tokens at once ({@link #dot4}, which
 * decodes each weight once for all four). Both perform, for each token, the same float operations in the
 * same order, so a result never depends on how many tokens are in the batch, which rows a thread got, or
 * where the four-token groups fall (the batch-invariance rule of ENGINE-API.md).
 */
public abstract class BlockMatrix implements Matrix {
    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);

    protected final MemorySegment data;
    protected final int rows, cols;
    protected final long rowBytes;
    private final GgmlType type;
    private final BlockCodec codec;

    protected BlockMatrix(GgmlType type, MemorySegment data, int rows, int cols) {
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException(type + " rows of " + cols + " are not a multiple of the block of " + type.blockSize());
        }
        this.type = type;
        this.codec = BlockCodec.of(type);
        this.data = data;
        this.rows = rows;
        this.cols = cols;
        this.rowBytes = type.rowBytes(cols);
        if (data.byteSize() != rowBytes * rows) {
            throw new IllegalArgumentException(data.byteSize() + " bytes for " + type + " [" + rows + ", " + cols + "], expected " + rowBytes * rows);
        }
    }

    @Override
    public final int rows() {
        return rows;
    }

    @Override
    public final int cols() {
        return cols;
    }

    @Override
    public final String format() {
        return type.name();
    }

    public final GgmlType type() {
        return type;
    }

    public final MemorySegment segment() {
        return data;
    }

    /**
     * Per-token activation statistics the format's kernel needs (e.g. sums of x over each 32-value sub-block
     * for formats with mins), computed once per call in a fixed order; null when the format needs none.
     */
    protected float[] activationSums(float[] x, int n) {
        return null;
    }

    /** {@code Σ_c W[r, c]·x[xo + c]}; {@code sums} from {@link #activationSums}, token's part at {@code so}. */
    protected abstract float dot1(int r, float[] x, int xo, float[] sums, int so);

    /** {@link #dot1} for tokens {@code t..t+3}, each with exactly dot1's arithmetic, into {@code out}. */
    protected abstract void dot4(int r, float[] x, int t, float[] sums, float[] out);

    /** Floats of {@link #activationSums} per token. */
    protected int sumsPerToken() {
        return 0;
    }

    @Override
    public final void matmulRows(float[] x, int n, float[] out, int r0, int r1) {
        float[] sums = activationSums(x, n);
        int per = sumsPerToken();
        for (int r = r0; r < r1; r++) {
            int t = 0;
            for (; t + 4 <= n; t += 4) dot4(r, x, t, sums, out);
            for (; t < n; t++) out[t * rows + r] = dot1(r, x, t * cols, sums, t * per);
        }
    }

    /** Sums of {@code x} over consecutive groups of {@code group} values, per token, left to right. */
    protected final float[] groupSums(float[] x, int n, int group) {
        int groups = cols / group;
        float[] sums = new float[n * groups];
        for (int t = 0; t < n; t++) {
            for (int g = 0; g < groups; g++) {
                float s = 0;
                int o = t * cols + g * group;
                for (int i = 0; i < group; i++) s += x[o + i];
                sums[t * groups + g] = s;
            }
        }
        return sums;
    }

    @Override
    public void readRow(int r, float[] dst, int off) {
        codec.dequantize(data, r * rowBytes, cols, dst, off);
    }

    /**
     * {@code out[t, c] += Σ_r g[t, r]·W[r, c]} for {@code c ∈ [c0, c1)}: decodes the blocks covering the
     * column range of each row once (the backward pass through a quantized base, e.g. LoRA on a GGUF model);
     * {@code out = fma(W, g, out)} over the rows in increasing order (kernel conventions rule 5), so the result
     * does not depend on n or on the column split.
     */
    @Override
    public void accumulateTransposed(float[] g, int n, float[] out, int c0, int c1) {
        int block = type.blockSize();
        int b0 = c0 / block, b1 = (c1 + block - 1) / block;
        int first = b0 * block, width = (b1 - b0) * block;
        float[] w = rowBuffer(width);
        for (int r = 0; r < rows; r++) {
            codec.dequantize(data, r * rowBytes + (long) b0 * type.typeSize(), width, w, 0);
            for (int t = 0; t < n; t++) {
                float gv = g[t * rows + r];
                int oo = t * cols;
                for (int c = c0; c < c1; c++) out[oo + c] = Math.fma(w[c - first], gv, out[oo + c]);
            }
        }
    }

    private static float[] rowBuffer(int length) {
        float[] w = ROW.get();
        if (w.length < length) {
            w = new float[length];
            ROW.set(w);
        }
        return w;
    }
}
