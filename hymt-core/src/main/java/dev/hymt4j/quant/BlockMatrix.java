package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;
import dev.hymt4j.tensor.Matrix;
import dev.hymt4j.tensor.VectorWidth;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * A weight matrix {@code [rows, cols]} stored as ggml blocks along each row, kept in its segment (usually a
 * mapping of the GGUF file; never copied). Subclasses are one format each and provide the fused kernels: the
 * dot product of one row with one token ({@link #dot1}) and with four tokens at once ({@link #dot4}, which
 * decodes each weight once for all four). From {@link #TILE_MIN_TOKENS} tokens on (prefill, batched decode)
 * {@link #matmulRows} takes the tile path instead: {@link #decodeRow} writes each weight once per call, as the
 * float dot1 multiplies, into panels of 4 rows, and 4-row × 3-token micro-kernels run every token tile
 * against them. All paths perform, for each (row, token), the same float operations in the same order, so
 * a result never depends on how many tokens are in the batch, which rows a thread got, or where the token
 * groups and tiles fall (the batch-invariance rule of ENGINE-API.md).
 */
public abstract class BlockMatrix implements Matrix {
    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<Panels> PANELS = ThreadLocal.withInitial(Panels::new);
    private static final VectorSpecies<Float> F = QuantVectors.F;
    private static final VectorShuffle<Float>[] FOLDS = QuantVectors.FOLDS;
    private static final int L = F.length();
    /** Rows decoded side by side in the tile path (the micro-kernel's 4 rows × 3 tokens: 12 accumulators). */
    protected static final int PANEL = 4;
    private static final int TILE_TOKENS = 3;
    /**
     * From this many tokens on, {@link #matmulRows} decodes each weight once and runs the tile kernels; below,
     * dot4 (which decodes each weight once per 4 tokens) is as good.
     */
    static final int TILE_MIN_TOKENS = 6;

    /** Decoded floats per block of panels: 512 KiB, a quarter of this host's 2 MiB L2, leaving room for x. */
    private static final int BLOCK_FLOATS = 128 * 1024;

    protected final MemorySegment data;
    protected final int rows, cols;
    protected final long rowBytes;
    private final GgmlType type;
    private final BlockCodec codec;
    /** [cols / L]: {@link #slotColumn} of each decoded weight vector, for the tile kernels' activation loads. */
    private final int[] slotColumns;

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
        this.slotColumns = new int[QuantVectors.ENABLED ? cols / L : 0];
        for (int p = 0; p < slotColumns.length; p++) slotColumns[p] = slotColumn(p);
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

    /**
     * Decodes row {@code r} for the tile kernels: the {@code p}-th vector of {@code L} weights that
     * {@link #dot1} multiplies (in dot1's order, exactly the float values dot1 forms before its FMA) into
     * {@code w[wo + p·PANEL·L ..]}; for formats whose partial sums are scaled per 32 values
     * ({@link #scaledGroups}), group {@code g}'s scale into {@code scales[so + g·PANEL]}; for formats with
     * mins, sub-block {@code j}'s min coefficient (the factor of its activation sum) into {@code mins[mo + j]}.
     */
    protected abstract void decodeRow(int r, float[] w, int wo, float[] scales, int so, float[] mins, int mo);

    /**
     * The column of the activations that the {@code p}-th weight vector of {@link #decodeRow} multiplies
     * (the first of its L); consecutive columns unless dot1 interleaves. Depends only on {@code cols} and
     * the vector width: it is called from the constructor.
     */
    protected int slotColumn(int p) {
        return p * L;
    }

    /**
     * Whether dot1 sums each 32 values' products in their own partial vector and then adds it into the row's
     * accumulator with one FMA by the group's scale (all but Q6_K, which folds the scale into the weights and
     * multiplies straight into the accumulator, and the row-decoded formats, whose dot is the dense one).
     */
    protected boolean scaledGroups() {
        return true;
    }

    @Override
    public final void matmulRows(float[] x, int n, float[] out, int r0, int r1) {
        float[] sums = activationSums(x, n);
        int per = sumsPerToken();
        int tiled = QuantVectors.ENABLED && n >= TILE_MIN_TOKENS ? r0 + (r1 - r0) / PANEL * PANEL : r0;
        if (tiled > r0) matmulTiles(x, n, sums, out, r0, tiled);
        for (int r = tiled; r < r1; r++) {
            int t = 0;
            for (; t + 4 <= n; t += 4) dot4(r, x, t, sums, out);
            for (; t < n; t++) out[t * rows + r] = dot1(r, x, t * cols, sums, t * per);
        }
    }

    /** Rows in a block of decoded panels: {@link #BLOCK_FLOATS} floats, a whole number of panels. */
    static int blockRows(int cols) {
        return Math.max(PANEL, BLOCK_FLOATS / cols / PANEL * PANEL);
    }

    /**
     * Rows {@code [r0, r1)} ({@code r1 − r0} a multiple of {@link #PANEL}) for all n tokens: block by block,
     * each row is decoded once, then every 3-token tile runs against every 4-row panel of the block (the
     * tile's activations stay in L1/L2 across the panels, the block's panels stay in L2 across the tiles).
     * The min terms are subtracted afterwards, as dot1 subtracts its sum. The tokens of a tile never mix (each
     * has its own accumulators), so which tokens share a tile changes no bit.
     */
    private void matmulTiles(float[] x, int n, float[] sums, float[] out, int r0, int r1) {
        int blockRows = blockRows(cols), groups = cols / 32, per = sumsPerToken();
        int stride = (n + L - 1) / L * L;
        Panels p = PANELS.get().fit(blockRows * cols, blockRows * groups, per > 0 ? groups * stride : 0);
        float[] w = p.weights, scales = p.scales, mins = p.mins, sumsT = p.sumsByGroup;
        // sumsT [groups][stride]: each group's activation sums with the tokens along the lanes
        for (int t = 0; t < n && per > 0; t++) {
            for (int j = 0; j < groups; j++) sumsT[j * stride + t] = sums[t * per + j];
        }
        for (int b0 = r0; b0 < r1; b0 += blockRows) {
            int b1 = Math.min(r1, b0 + blockRows);
            for (int r = b0; r < b1; r++) {
                int i = r - b0, panel = i / PANEL, row = i % PANEL;
                decodeRow(r, w, panel * PANEL * cols + row * L, scales, panel * PANEL * groups + row, mins, i * groups);
            }
            for (int t = 0; t < n; t += TILE_TOKENS) {
                // a short last tile repeats its last token in the missing places and writes only its real ones
                int tokens = Math.min(TILE_TOKENS, n - t), x0 = t * cols;
                int x1 = tokens > 1 ? x0 + cols : x0, x2 = tokens > 2 ? x1 + cols : x1;
                for (int r = b0; r < b1; r += PANEL) {
                    int panel = (r - b0) / PANEL, o = t * rows + r;
                    int wo = panel * PANEL * cols, so = panel * PANEL * groups;
                    if (!scaledGroups()) {
                        tileDirect(w, wo, x, x0, x1, x2, out, o, tokens);
                    } else if (VectorWidth.HALF_TILES) {  // tileScaled's 12 partial sums + 12 totals would spill
                        tileScaledPair(w, wo, scales, so, x, x0, x1, x2, out, o, tokens);
                        tileScaledPair(w, wo + 2 * L, scales, so + 2, x, x0, x1, x2, out, o + 2, tokens);
                    } else {
                        tileScaled(w, wo, scales, so, x, x0, x1, x2, out, o, tokens);
                    }
                }
            }
            for (int r = b0; r < b1 && per > 0; r += PANEL) subtractMins(mins, (r - b0) * groups, sumsT, stride, n, p.lanes, out, r);
        }
    }

    /**
     * The activations at {@code x0, x1, x2} (three tokens, or a short tile's last token repeated) × one
     * panel's 4 rows, into {@code out[o + t·rows + i]} for the first {@code tokens} tokens; a scaled-groups
     * format: per 32 values, each (row, token) sums its products in a partial vector (in {@link #slotColumn}
     * order), then {@code acc = fma(partial, scale, acc)}; then the lane folds. That is dot1's arithmetic,
     * step for step.
     * Panel {@code w} from {@code wo}: [cols / L][PANEL][L]; {@code scales} from {@code so}: [cols / 32][PANEL].
     */
    private void tileScaled(float[] w, int wo, float[] scales, int so, float[] x, int x0, int x1, int x2, float[] out, int o,
                            int tokens) {
        int slots = 32 / L;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a10 = a00, a11 = a00, a12 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a30 = a00, a31 = a00, a32 = a00;
        for (int g = 0, p = 0, groups = cols / 32; g < groups; g++) {
            FloatVector p00 = FloatVector.zero(F), p01 = p00, p02 = p00, p10 = p00, p11 = p00, p12 = p00;
            FloatVector p20 = p00, p21 = p00, p22 = p00, p30 = p00, p31 = p00, p32 = p00;
            for (int end = p + slots; p < end; p++) {
                int c = slotColumns[p], wp = wo + p * PANEL * L;
                FloatVector v0 = FloatVector.fromArray(F, x, x0 + c), v1 = FloatVector.fromArray(F, x, x1 + c);
                FloatVector v2 = FloatVector.fromArray(F, x, x2 + c);
                FloatVector wv = FloatVector.fromArray(F, w, wp);
                p00 = wv.fma(v0, p00);
                p01 = wv.fma(v1, p01);
                p02 = wv.fma(v2, p02);
                wv = FloatVector.fromArray(F, w, wp + L);
                p10 = wv.fma(v0, p10);
                p11 = wv.fma(v1, p11);
                p12 = wv.fma(v2, p12);
                wv = FloatVector.fromArray(F, w, wp + 2 * L);
                p20 = wv.fma(v0, p20);
                p21 = wv.fma(v1, p21);
                p22 = wv.fma(v2, p22);
                wv = FloatVector.fromArray(F, w, wp + 3 * L);
                p30 = wv.fma(v0, p30);
                p31 = wv.fma(v1, p31);
                p32 = wv.fma(v2, p32);
            }
            int sg = so + g * PANEL;
            FloatVector s = FloatVector.broadcast(F, scales[sg]);
            a00 = p00.fma(s, a00);
            a01 = p01.fma(s, a01);
            a02 = p02.fma(s, a02);
            s = FloatVector.broadcast(F, scales[sg + 1]);
            a10 = p10.fma(s, a10);
            a11 = p11.fma(s, a11);
            a12 = p12.fma(s, a12);
            s = FloatVector.broadcast(F, scales[sg + 2]);
            a20 = p20.fma(s, a20);
            a21 = p21.fma(s, a21);
            a22 = p22.fma(s, a22);
            s = FloatVector.broadcast(F, scales[sg + 3]);
            a30 = p30.fma(s, a30);
            a31 = p31.fma(s, a31);
            a32 = p32.fma(s, a32);
        }
        for (VectorShuffle<Float> fold : FOLDS) {
            a00 = a00.add(a00.rearrange(fold));
            a01 = a01.add(a01.rearrange(fold));
            a02 = a02.add(a02.rearrange(fold));
            a10 = a10.add(a10.rearrange(fold));
            a11 = a11.add(a11.rearrange(fold));
            a12 = a12.add(a12.rearrange(fold));
            a20 = a20.add(a20.rearrange(fold));
            a21 = a21.add(a21.rearrange(fold));
            a22 = a22.add(a22.rearrange(fold));
            a30 = a30.add(a30.rearrange(fold));
            a31 = a31.add(a31.rearrange(fold));
            a32 = a32.add(a32.rearrange(fold));
        }
        out[o] = a00.lane(0);
        out[o + 1] = a10.lane(0);
        out[o + 2] = a20.lane(0);
        out[o + 3] = a30.lane(0);
        if (tokens > 1) {
            int o1 = o + rows;
            out[o1] = a01.lane(0);
            out[o1 + 1] = a11.lane(0);
            out[o1 + 2] = a21.lane(0);
            out[o1 + 3] = a31.lane(0);
        }
        if (tokens > 2) {
            int o2 = o + 2 * rows;
            out[o2] = a02.lane(0);
            out[o2 + 1] = a12.lane(0);
            out[o2 + 2] = a22.lane(0);
            out[o2 + 3] = a32.lane(0);
        }
    }

    /**
     * {@link #tileScaled} for 2 of a panel's 4 rows (from {@code wo}, scales from {@code so}, outputs from {@code o}:
     * the pair's first row): 6 partial sums and 6 totals, which fit 16 vector registers. The same arithmetic per
     * (row, token), so the two halves give tileScaled's bits.
     */
    private void tileScaledPair(float[] w, int wo, float[] scales, int so, float[] x, int x0, int x1, int x2, float[] out, int o,
                                int tokens) {
        int slots = 32 / L;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a10 = a00, a11 = a00, a12 = a00;
        for (int g = 0, p = 0, groups = cols / 32; g < groups; g++) {
            FloatVector p00 = FloatVector.zero(F), p01 = p00, p02 = p00, p10 = p00, p11 = p00, p12 = p00;
            for (int end = p + slots; p < end; p++) {
                int c = slotColumns[p], wp = wo + p * PANEL * L;
                FloatVector v0 = FloatVector.fromArray(F, x, x0 + c), v1 = FloatVector.fromArray(F, x, x1 + c);
                FloatVector v2 = FloatVector.fromArray(F, x, x2 + c);
                FloatVector wv = FloatVector.fromArray(F, w, wp);
                p00 = wv.fma(v0, p00);
                p01 = wv.fma(v1, p01);
                p02 = wv.fma(v2, p02);
                wv = FloatVector.fromArray(F, w, wp + L);
                p10 = wv.fma(v0, p10);
                p11 = wv.fma(v1, p11);
                p12 = wv.fma(v2, p12);
            }
            int sg = so + g * PANEL;
            FloatVector s = FloatVector.broadcast(F, scales[sg]);
            a00 = p00.fma(s, a00);
            a01 = p01.fma(s, a01);
            a02 = p02.fma(s, a02);
            s = FloatVector.broadcast(F, scales[sg + 1]);
            a10 = p10.fma(s, a10);
            a11 = p11.fma(s, a11);
            a12 = p12.fma(s, a12);
        }
        for (VectorShuffle<Float> fold : FOLDS) {
            a00 = a00.add(a00.rearrange(fold));
            a01 = a01.add(a01.rearrange(fold));
            a02 = a02.add(a02.rearrange(fold));
            a10 = a10.add(a10.rearrange(fold));
            a11 = a11.add(a11.rearrange(fold));
            a12 = a12.add(a12.rearrange(fold));
        }
        out[o] = a00.lane(0);
        out[o + 1] = a10.lane(0);
        if (tokens > 1) {
            out[o + rows] = a01.lane(0);
            out[o + rows + 1] = a11.lane(0);
        }
        if (tokens > 2) {
            out[o + 2 * rows] = a02.lane(0);
            out[o + 2 * rows + 1] = a12.lane(0);
        }
    }

    /**
     * {@link #tileScaled} for formats whose decoded weights carry their scale (Q6_K): every product goes
     * straight into the (row, token) accumulator, {@code acc = fma(w, x, acc)} in {@link #slotColumn} order,
     * as dot1 does. Panel {@code w} from {@code wo}: [cols / L][PANEL][L].
     */
    private void tileDirect(float[] w, int wo, float[] x, int x0, int x1, int x2, float[] out, int o, int tokens) {
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a10 = a00, a11 = a00, a12 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a30 = a00, a31 = a00, a32 = a00;
        for (int p = 0, slots = cols / L; p < slots; p++) {
            int c = slotColumns[p], wp = wo + p * PANEL * L;
            FloatVector v0 = FloatVector.fromArray(F, x, x0 + c), v1 = FloatVector.fromArray(F, x, x1 + c);
            FloatVector v2 = FloatVector.fromArray(F, x, x2 + c);
            FloatVector wv = FloatVector.fromArray(F, w, wp);
            a00 = wv.fma(v0, a00);
            a01 = wv.fma(v1, a01);
            a02 = wv.fma(v2, a02);
            wv = FloatVector.fromArray(F, w, wp + L);
            a10 = wv.fma(v0, a10);
            a11 = wv.fma(v1, a11);
            a12 = wv.fma(v2, a12);
            wv = FloatVector.fromArray(F, w, wp + 2 * L);
            a20 = wv.fma(v0, a20);
            a21 = wv.fma(v1, a21);
            a22 = wv.fma(v2, a22);
            wv = FloatVector.fromArray(F, w, wp + 3 * L);
            a30 = wv.fma(v0, a30);
            a31 = wv.fma(v1, a31);
            a32 = wv.fma(v2, a32);
        }
        for (VectorShuffle<Float> fold : FOLDS) {
            a00 = a00.add(a00.rearrange(fold));
            a01 = a01.add(a01.rearrange(fold));
            a02 = a02.add(a02.rearrange(fold));
            a10 = a10.add(a10.rearrange(fold));
            a11 = a11.add(a11.rearrange(fold));
            a12 = a12.add(a12.rearrange(fold));
            a20 = a20.add(a20.rearrange(fold));
            a21 = a21.add(a21.rearrange(fold));
            a22 = a22.add(a22.rearrange(fold));
            a30 = a30.add(a30.rearrange(fold));
            a31 = a31.add(a31.rearrange(fold));
            a32 = a32.add(a32.rearrange(fold));
        }
        out[o] = a00.lane(0);
        out[o + 1] = a10.lane(0);
        out[o + 2] = a20.lane(0);
        out[o + 3] = a30.lane(0);
        if (tokens > 1) {
            int o1 = o + rows;
            out[o1] = a01.lane(0);
            out[o1 + 1] = a11.lane(0);
            out[o1 + 2] = a21.lane(0);
            out[o1 + 3] = a31.lane(0);
        }
        if (tokens > 2) {
            int o2 = o + 2 * rows;
            out[o2] = a02.lane(0);
            out[o2 + 1] = a12.lane(0);
            out[o2 + 2] = a22.lane(0);
            out[o2 + 3] = a32.lane(0);
        }
    }

    /**
     * {@code out[t, r] −= Σ_j mins[j, r]·sums[t, j]} for the tokens {@code t < tiles} and panel rows
     * {@code r..r+3}, L tokens per vector (their lanes): per lane it is dot1's {@code m += coefficient·sum}
     * from m = 0, j in increasing order, then dot1's final {@code acc − m}. Four rows at once: four
     * independent add chains instead of one latency-bound chain. {@code mins} from {@code mo} [PANEL][cols / 32]
     * (row-major), {@code sumsT} [cols / 32][stride] (tokens along the lanes), {@code lanes} [PANEL][L] scratch.
     */
    private void subtractMins(float[] mins, int mo, float[] sumsT, int stride, int tiles, float[] lanes, float[] out, int r) {
        int groups = cols / 32, m1 = mo + groups, m2 = m1 + groups, m3 = m2 + groups;
        for (int t = 0; t < tiles; t += L) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            for (int j = 0; j < groups; j++) {
                FloatVector sums = FloatVector.fromArray(F, sumsT, j * stride + t);
                s0 = s0.add(FloatVector.broadcast(F, mins[mo + j]).mul(sums));
                s1 = s1.add(FloatVector.broadcast(F, mins[m1 + j]).mul(sums));
                s2 = s2.add(FloatVector.broadcast(F, mins[m2 + j]).mul(sums));
                s3 = s3.add(FloatVector.broadcast(F, mins[m3 + j]).mul(sums));
            }
            s0.intoArray(lanes, 0);
            s1.intoArray(lanes, L);
            s2.intoArray(lanes, 2 * L);
            s3.intoArray(lanes, 3 * L);
            for (int k = 0; k < L && t + k < tiles; k++) {
                for (int i = 0; i < PANEL; i++) out[(t + k) * rows + r + i] -= lanes[i * L + k];
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
     * One thread's tile-path buffers, grown on demand and reused across calls: {@code weights}
     * [blockRows / PANEL][cols / L][PANEL][L], {@code scales} [blockRows / PANEL][cols / 32][PANEL],
     * {@code mins} [blockRows][cols / 32], {@code sumsByGroup} [cols / 32][n rounded up to L],
     * {@code lanes} [PANEL][L] (the min sums of one token vector, to subtract lane by lane).
     */
    private static final class Panels {
        float[] weights = new float[0], scales = new float[0], mins = new float[0], sumsByGroup = new float[0];
        final float[] lanes = new float[PANEL * L];

        Panels fit(int weightFloats, int scaleFloats, int sumFloats) {
            if (weights.length < weightFloats) weights = new float[weightFloats];
            if (scales.length < scaleFloats) scales = new float[scaleFloats];
            if (mins.length < scaleFloats) mins = new float[scaleFloats];
            if (sumsByGroup.length < sumFloats) sumsByGroup = new float[sumFloats];
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
