package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;
import dev.hymt4j.tensor.Kernels;
import dev.hymt4j.tensor.Matrix;
import dev.hymt4j.tensor.PackedGemm;
import dev.hymt4j.tensor.Parallel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * A weight matrix {@code [rows, cols]} stored as ggml blocks along each row, kept in its segment (usually a
 * mapping of the GGUF file; never copied). Subclasses are one format each and provide the fused kernels: the
 * dot product of one row with one token ({@link #dot1}, the decode step's GEMV) and with four tokens at once
 * ({@link #dot4}, which decodes each weight once for all four).
 *
 * <p>Every kernel multiplies the dequantized weight itself, {@code (q·scale)} formed in float (exact: a 4- to
 * 8-bit quant times a half-precision scale, or its 6-bit multiple, has at most 22 significant bits), in the
 * order of {@link #slotColumn}; the min terms of formats with mins come from per-token sums of the activations.
 * The slots are summed in {@link #CHAINS} accumulator vectors per (row, token): the slots are grouped into
 * units of {@link #unitSlots} (a format's natural step, e.g. one Q4_0 block), and unit u of a row of U units
 * goes to chain {@code (u − U) mod 4} — counted from the row's end, so the last unit is in chain 3 (a kernel
 * that rotates its four accumulators after each unit ends with chain c in its c-th one; where U is a multiple
 * of 4, as in every 1.8B and 7B matrix, that is {@code u mod 4}); the chains are added as
 * {@code (c0 + c1) + (c2 + c3)}, then folded. One chain bound dot1 to the FMA latency (4 cycles per vector step
 * on one accumulator): four chains run Q4_0's GEMV 1.3–1.5× faster, while the row is still read as one
 * sequential stream (four rows at once, the other way to hide the latency, read memory at half the rate on
 * Zen 5: QuantKernelBench, 2026-12-03).
 *
 * <p>From {@link #TILE_MIN_TOKENS} tokens on (prefill, batched decode) the product is a dense one:
 * {@link #decodeRow} writes each row's weights once per call, and {@link PackedGemm}'s 4-row × 6-token
 * micro-kernel runs every token against them, with the weights and tokens packed chain by chain and the four
 * chains summed as dot1 sums them. All paths perform, for each (row, token), the same float operations in the
 * same order, so a result never depends on how many tokens are in the batch, which rows a thread got, or
 * where the token groups and tiles fall (the batch-invariance rule of ENGINE-API.md).
 */
public abstract class BlockMatrix implements Matrix {
    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<MinScratch> MINS = ThreadLocal.withInitial(MinScratch::new);
    private static final Kernels KERNELS = Kernels.get();
    private static final VectorSpecies<Float> F = QuantVectors.F;
    private static final int L = F.length();
    /** Rows whose min terms are subtracted together (four independent add chains). */
    private static final int PANEL = 4;
    /** Accumulator chains per (row, token) of the fused formats (see the class comment). */
    protected static final int CHAINS = 4;
    /**
     * From this many tokens on, {@link #matmulRows} decodes each weight once and runs {@link PackedGemm}; below,
     * dot4 (which decodes each weight once per 4 tokens) and dot1 for the rest.
     */
    static final int TILE_MIN_TOKENS = 6;

    protected final MemorySegment data;
    protected final int rows, cols;
    protected final long rowBytes;
    private final GgmlType type;
    private final BlockCodec codec;
    /** [cols / L]: {@link #slotColumn} of each decoded weight vector, in dot1's order. */
    private final int[] chunkColumns;
    /**
     * [cols / L]: the order the GEMM packs weights and tokens in, chain by chain: dot1's slot p goes to float
     * {@code packedAt[p]} of a packed row (a multiple of L), and position k of the packed order multiplies
     * columns {@code packedColumns[k] …+L}; chain c fills positions {@code [chainSteps[c], chainSteps[c + 1])}
     * (null where the format sums one chain).
     */
    private final int[] packedAt, packedColumns, chainSteps;
    /** This matrix's rows as {@link PackedGemm} packs them (one instance: a method reference per call would allocate). */
    private final PackedGemm.RowPacker packer = this::packRow;

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
        this.chunkColumns = new int[QuantVectors.ENABLED ? cols / L : 0];
        for (int p = 0; p < chunkColumns.length; p++) chunkColumns[p] = slotColumn(p);
        int slots = chunkColumns.length, unit = unitSlots();
        this.packedAt = new int[slots];
        this.packedColumns = new int[slots];
        this.chainSteps = unit == 0 ? null : new int[CHAINS + 1];
        int k = 0, units = unit == 0 ? 0 : slots / unit;
        for (int c = 0; c < (unit == 0 ? 1 : CHAINS); c++) {
            if (chainSteps != null) chainSteps[c] = k;
            for (int p = 0; p < slots; p++) {
                if (unit == 0 || Math.floorMod(p / unit - units, CHAINS) == c) {
                    packedAt[p] = k * L;
                    packedColumns[k++] = chunkColumns[p];
                }
            }
        }
        if (chainSteps != null) chainSteps[CHAINS] = k;
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

    /**
     * {@link #dot1} for tokens {@code t..t+3}, each with exactly dot1's arithmetic, into {@code out}, each weight
     * decoded once for the four (dot1 per token would decode it four times: 1.3–2.4× the time at 4 tokens; a row
     * decoded to floats and re-read from L1 costs as much per token as the fused dot1 from memory).
     */
    protected abstract void dot4(int r, float[] x, int t, float[] sums, float[] out);

    /**
     * The slots of one chain unit (the class comment): dot1 adds every fourth unit into one accumulator, the
     * last unit into the fourth. 0 (the default) where dot1 sums one chain in slot order.
     * Depends only on {@code cols} and the vector width: it is called from the constructor.
     */
    protected int unitSlots() {
        return 0;
    }

    /** Floats of {@link #activationSums} per token. */
    protected int sumsPerToken() {
        return 0;
    }

    /**
     * Decodes row {@code r}: the {@code p}-th vector of {@code L} weights that {@link #dot1} multiplies (slot p
     * in dot1's order, exactly the float values dot1 forms before its FMA) into {@code w[wo + at[p] ..]} — the
     * GEMM's packed order, or the columns ({@link #readRowFast}), written in place either way.
     */
    protected abstract void decodeRow(int r, float[] w, int wo, int[] at);

    /**
     * For formats with mins ({@link #sumsPerToken} &gt; 0): sub-block {@code j}'s min coefficient of row {@code r}
     * (the factor of its activation sum, as dot1 computes it) into {@code mins[mo + j]}.
     */
    protected void decodeMins(int r, float[] mins, int mo) {
        throw new UnsupportedOperationException(type + " has no mins");
    }

    /**
     * The column of the activations that the {@code p}-th weight vector of {@link #decodeRow} multiplies
     * (the first of its L); consecutive columns unless dot1 interleaves. Depends only on {@code cols} and
     * the vector width: it is called from the constructor.
     */
    protected int slotColumn(int p) {
        return p * L;
    }

    /**
     * The {@link #slotColumn} of a kernel that takes, per {@code 2·half} values, the low nibbles of bytes
     * {@code k..k+L} (values {@code k..}) and then their high nibbles (values {@code half + k..}), for
     * k = 0, L, … &lt; half: Q4_0 ({@code half} 16), Q4_K and Q5_K (32).
     */
    protected static int nibblePairColumn(int p, int half) {
        int perBlock = 2 * half / L, s = p % perBlock;
        return p / perBlock * 2 * half + s / 2 * L + s % 2 * half;
    }

    @Override
    public final void matmulRows(float[] x, int n, float[] out, int r0, int r1) {
        float[] sums = activationSums(x, n);
        if (QuantVectors.ENABLED && n >= TILE_MIN_TOKENS) {
            PackedGemm.Tokens tokens = PackedGemm.packTokens(x, n, cols, packedColumns);
            try {
                gemm(tokens, n, sums, out, r0, r1);
            } finally {
                PackedGemm.release(tokens);
            }
            return;
        }
        int per = sumsPerToken();
        for (int r = r0; r < r1; r++) {
            int t = 0;
            for (; t + 4 <= n; t += 4) dot4(r, x, t, sums, out);
            for (; t < n; t++) out[t * rows + r] = dot1(r, x, t * cols, sums, t * per);
        }
    }

    /** As the default, except that the GEMM path packs the tokens (and sums them) once, not once per row range. */
    @Override
    public final void matmul(float[] x, int n, float[] out) {
        if (!QuantVectors.ENABLED || n < TILE_MIN_TOKENS) {
            Matrix.super.matmul(x, n, out);
            return;
        }
        float[] sums = activationSums(x, n);
        PackedGemm.Tokens tokens = PackedGemm.packTokens(x, n, cols, packedColumns);
        try {
            Parallel.forRange(rows, 64, (r0, r1) -> gemm(tokens, n, sums, out, r0, r1));
        } finally {
            PackedGemm.release(tokens);
        }
    }

    /**
     * Rows {@code [r0, r1)} for the packed tokens: {@link PackedGemm} over the rows as {@link #decodeRow} gives
     * them (dot1's weights, packed chain by chain as the tokens are), so each (row, token) is dot1's chains,
     * their sum and fold; then the min terms are subtracted, as dot1 subtracts its sum.
     */
    private void gemm(PackedGemm.Tokens tokens, int n, float[] sums, float[] out, int r0, int r1) {
        PackedGemm.multiply(packer, rows, tokens, chainSteps, out, r0, r1);
        int per = sumsPerToken();
        if (per == 0) return;
        MinScratch m = MINS.get().fit(per, n);
        int stride = m.stride;
        // sumsT [groups][stride]: each group's activation sums with the tokens along the lanes
        for (int t = 0; t < n; t++) {
            for (int j = 0; j < per; j++) m.sumsByGroup[j * stride + t] = sums[t * per + j];
        }
        for (int r = r0; r < r1; r += PANEL) {
            int count = Math.min(PANEL, r1 - r);
            for (int i = 0; i < PANEL; i++) {
                if (i < count) decodeMins(r + i, m.mins, i * per);
                else java.util.Arrays.fill(m.mins, i * per, (i + 1) * per, 0f);
            }
            subtractMins(m.mins, m.sumsByGroup, stride, n, m.lanes, out, r, count);
        }
    }

    /**
     * Packs row {@code r} for {@link PackedGemm} in the packed order (a zero row for {@code r = −1}); block rows
     * have no tail columns.
     */
    private void packRow(int r, MemorySegment panel, long at, long stride, float[] tails, int to) {
        float[] w = rowBuffer(cols);
        if (r < 0) java.util.Arrays.fill(w, 0, cols, 0f);
        else decodeRow(r, w, 0, packedAt);
        KERNELS.packFloats(w, 0, cols / L, panel, at, stride);
    }

    /**
     * {@code out[t, r + i] −= Σ_j mins[i, j]·sums[t, j]} for the tokens {@code t < n} and rows {@code i < count}
     * ({@code count ≤ 4}; {@code mins} [PANEL][cols / 32], zero for the missing rows), L tokens per vector (their
     * lanes): per lane it is dot1's {@code m += coefficient·sum} from m = 0, j in increasing order, then dot1's
     * final {@code acc − m}. Four rows at once: four independent add chains instead of one latency-bound chain.
     * {@code sumsT} [cols / 32][stride] (tokens along the lanes), {@code lanes} [PANEL][L] scratch.
     */
    private void subtractMins(float[] mins, float[] sumsT, int stride, int n, float[] lanes, float[] out, int r, int count) {
        int groups = cols / 32, m1 = groups, m2 = m1 + groups, m3 = m2 + groups;
        for (int t = 0; t < n; t += L) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            for (int j = 0; j < groups; j++) {
                FloatVector sums = FloatVector.fromArray(F, sumsT, j * stride + t);
                s0 = s0.add(FloatVector.broadcast(F, mins[j]).mul(sums));
                s1 = s1.add(FloatVector.broadcast(F, mins[m1 + j]).mul(sums));
                s2 = s2.add(FloatVector.broadcast(F, mins[m2 + j]).mul(sums));
                s3 = s3.add(FloatVector.broadcast(F, mins[m3 + j]).mul(sums));
            }
            s0.intoArray(lanes, 0);
            s1.intoArray(lanes, L);
            s2.intoArray(lanes, 2 * L);
            s3.intoArray(lanes, 3 * L);
            for (int k = 0; k < L && t + k < n; k++) {
                for (int i = 0; i < count; i++) out[(t + k) * rows + r + i] -= lanes[i * L + k];
            }
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
     * As {@link #readRow}, through the GEMM's vector decoder ({@link #decodeRow}, 2–3× faster than the codec's
     * scalar loop) where the format has no mins and vectors are on; a value may differ from {@code readRow}'s in
     * its last bit where that decoder rounds in another order. For callers that round the weights further anyway
     * (oneDNN's BF16 products); {@code readRow} otherwise.
     */
    public void readRowFast(int r, float[] dst, int off) {
        if (sumsPerToken() > 0 || chunkColumns.length == 0) {
            readRow(r, dst, off);
            return;
        }
        decodeRow(r, dst, off, chunkColumns);
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

    /**
     * One thread's buffers for the min terms of the GEMM path, grown on demand and reused: {@code mins}
     * [PANEL][cols / 32], {@code sumsByGroup} [cols / 32][n rounded up to L], {@code lanes} [PANEL][L] (the min
     * sums of one token vector, to subtract lane by lane).
     */
    private static final class MinScratch {
        float[] mins = new float[0], sumsByGroup = new float[0];
        final float[] lanes = new float[PANEL * L];
        int stride;

        MinScratch fit(int groups, int n) {
            stride = (n + L - 1) / L * L;
            if (mins.length < PANEL * groups) mins = new float[PANEL * groups];
            if (sumsByGroup.length < groups * stride) sumsByGroup = new float[groups * stride];
            return this;
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
