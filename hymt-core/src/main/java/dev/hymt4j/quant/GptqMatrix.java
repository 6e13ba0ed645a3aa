package dev.hymt4j.quant;

import dev.hymt4j.tensor.Lanes;
import dev.hymt4j.tensor.Matrix;
import dev.hymt4j.tensor.VectorWidth;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A linear layer stored as a GPTQ checkpoint stores it (formats spec §4.6): {@code qweight [K/pf, N]} int32 codes
 * packed along the input dimension, {@code qzeros [G, N/pf]}, F16 {@code scales [G, N]} and the group of each
 * input column ({@code g_idx}, or {@code c / group_size} when the checkpoint has none). All three tensors stay in
 * their mapped segments; {@code W[o][i] = scales[g][o] · (q[i][o] − zero[g][o])}, {@code g = g_idx[i]}.
 *
 * <p>Kernel: {@code qweight}'s fast axis is the output row, so one int vector load gives {@code pf} codes for each
 * of {@code L} consecutive rows; the product is computed with rows in vector lanes, never decoding a row into a
 * float buffer. Per (row, token) the arithmetic is fixed: for each group in order,
 * {@code gsum = fma(q − z, x[c], gsum)} over its columns in order, then {@code acc = fma(gsum, scale, acc)} — the
 * same in the vector lanes, the scalar tail rows and whatever the token count or row split (batch invariance).
 * Act-order checkpoints (non-trivial {@code g_idx}) visit each group's columns in ascending order through a
 * permutation built at load.
 */
public final class GptqMatrix implements Matrix {
    private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    private static final VectorSpecies<Integer> I = VectorWidth.INT;
    private static final int L = F.length();
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Per-thread lane buffers for a tile's scales and zeros (no allocation per call). */
    private static final ThreadLocal<float[][]> LANES = ThreadLocal.withInitial(() -> new float[4][L]);

    private final int rows, cols, bits, pf, mask, groups;
    private final boolean v2;
    private final MemorySegment qweight, qzeros, scales;
    /** Columns in processing order, grouped: group {@code g} is {@code order[groupStart[g] .. groupStart[g+1])}. */
    private final int[] order, groupStart;
    /** The group of each input column. */
    private final int[] groupOf;
    /** True when {@code order} is the identity and groups are contiguous column ranges (no act-order). */
    private final boolean contiguous;
    /** The zero point of every (group, row) when they are all equal (symmetric checkpoints: 2^(bits−1)), else −1. */
    private final int uniformZero;

    /**
     * @param rows    N, output features
     * @param cols    K, input features
     * @param gIdx    the group of each input column, or null for {@code c / groupSize}
     * @param v2      true for {@code gptq_v2} zeros, false for v1 ({@code zero − 1} stored)
     */
    public GptqMatrix(int rows, int cols, int bits, int groupSize, MemorySegment qweight, MemorySegment qzeros,
                      MemorySegment scales, int[] gIdx, boolean v2) {
        GptqConfig.checkBits(bits, null);
        this.rows = rows;
        this.cols = cols;
        this.bits = bits;
        this.pf = 32 / bits;
        this.mask = (1 << bits) - 1;
        this.v2 = v2;
        if (cols % pf != 0 || rows % pf != 0) {
            throw new IllegalArgumentException("GPTQ " + bits + "-bit matrix [" + rows + ", " + cols + "]: both dimensions must be multiples of " + pf);
        }
        int gs = groupSize < 0 ? cols : groupSize;
        int defaultGroups = (cols + gs - 1) / gs;
        this.groups = gIdx == null ? defaultGroups : Arrays.stream(gIdx).max().orElse(0) + 1;
        expectBytes("qweight", qweight, (long) cols / pf * rows * 4);
        expectBytes("qzeros", qzeros, (long) groups * rows / pf * 4);
        expectBytes("scales", scales, (long) groups * rows * 2);
        this.qweight = qweight;
        this.qzeros = qzeros;
        this.scales = scales;
        if (gIdx != null && gIdx.length != cols) throw new IllegalArgumentException("g_idx has " + gIdx.length + " entries for " + cols + " columns");
        int[] g = new int[cols];
        for (int c = 0; c < cols; c++) g[c] = gIdx == null ? c / gs : gIdx[c];
        this.groupOf = g;
        // Stable counting sort of the columns by group: the order each group's columns are summed in.
        this.groupStart = new int[groups + 1];
        for (int c = 0; c < cols; c++) {
            if (g[c] < 0 || g[c] >= groups) throw new IllegalArgumentException("g_idx[" + c + "] = " + g[c] + " outside [0, " + groups + ")");
            groupStart[g[c] + 1]++;
        }
        for (int i = 0; i < groups; i++) groupStart[i + 1] += groupStart[i];
        this.order = new int[cols];
        int[] next = Arrays.copyOf(groupStart, groups);
        for (int c = 0; c < cols; c++) order[next[g[c]]++] = c;
        boolean identity = true;
        for (int c = 0; c < cols && identity; c++) identity = order[c] == c;
        // Word-wise decoding needs every group to start on a word boundary.
        boolean aligned = true;
        for (int i = 0; i <= groups; i++) aligned &= groupStart[i] % pf == 0;
        this.contiguous = identity && aligned;
        int z = zero(0, 0);
        for (int gi = 0; gi < groups && z >= 0; gi++) for (int o = 0; o < rows && z >= 0; o++) if (zero(gi, o) != z) z = -1;
        this.uniformZero = z;
    }

    /**
     * Packs integer codes {@code [rows, cols]}, scales {@code [groups, rows]} (F16-representable) and true zero
     * points {@code [groups, rows]} into a heap-backed matrix laid out exactly as the checkpoint tensors.
     *
     * @param gIdx the group of each column, or null for {@code c / groupSize}
     */
    public static GptqMatrix pack(int rows, int cols, int bits, int groupSize, int[] codes, double[] scales, int[] zeros,
                                  int[] gIdx, boolean v2) {
        int groups = scales.length / rows;
        short[] half = new short[scales.length];
        for (int i = 0; i < half.length; i++) {
            half[i] = Float.floatToFloat16((float) scales[i]);
            if (Float.float16ToFloat(half[i]) != scales[i]) {
                throw new IllegalArgumentException("scale " + scales[i] + " at " + i + " is not representable in F16");
            }
        }
        byte[] halfBytes = new byte[half.length * 2];
        ByteBuffer.wrap(halfBytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().put(half);
        return new GptqMatrix(rows, cols, bits, groupSize, littleEndian(GptqPacking.packWeight(codes, rows, cols, bits)),
                littleEndian(GptqPacking.packZeros(zeros, groups, rows, bits, v2)), MemorySegment.ofArray(halfBytes), gIdx, v2);
    }

    /** Heap segments for vector loads must be byte[]-backed. */
    private static MemorySegment littleEndian(int[] values) {
        byte[] bytes = new byte[values.length * 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().put(values);
        return MemorySegment.ofArray(bytes);
    }

    /** The packed {@code qweight [K/pf, N]} (int32, little-endian). */
    public MemorySegment qweight() {
        return qweight;
    }

    /** The packed {@code qzeros [G, N/pf]} in this matrix's checkpoint format. */
    public MemorySegment qzeros() {
        return qzeros;
    }

    /** {@code scales [G, N]}, F16. */
    public MemorySegment scales() {
        return scales;
    }

    /** The checkpoint format of {@link #qzeros()}: true for gptq_v2. */
    public boolean v2() {
        return v2;
    }

    private static void expectBytes(String what, MemorySegment s, long bytes) {
        if (s.byteSize() != bytes) throw new IllegalArgumentException(what + " has " + s.byteSize() + " bytes, expected " + bytes);
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
        return "GPTQ-INT" + bits;
    }

    public int bits() {
        return bits;
    }

    /** Number of scale/zero groups along the input dimension. */
    public int groups() {
        return groups;
    }

    /** True when columns are summed in natural order (no act-order permutation). */
    public boolean naturalOrder() {
        return contiguous;
    }

    /** The code of weight (row {@code o}, column {@code i}). */
    public int code(int o, int i) {
        return (qweight.getAtIndex(I32, (long) (i / pf) * rows + o) >>> (bits * (i % pf))) & mask;
    }

    /** The zero point of row {@code o} in group {@code g} (the true zero, whatever the checkpoint format). */
    public int zero(int g, int o) {
        int word = qzeros.getAtIndex(I32, (long) g * (rows / pf) + o / pf);
        return ((word >>> (bits * (o % pf))) & mask) + (v2 ? 0 : 1);
    }

    public float scale(int g, int o) {
        return Float.float16ToFloat(scales.getAtIndex(I16, (long) g * rows + o));
    }

    /** The group of input column {@code i}. */
    public int group(int i) {
        return groupOf[i];
    }

    @Override
    public void readRow(int r, float[] dst, int off) {
        for (int gi = 0; gi < groups; gi++) {
            float s = scale(gi, r), z = zero(gi, r);
            for (int p = groupStart[gi]; p < groupStart[gi + 1]; p++) {
                int c = order[p];
                dst[off + c] = s * (code(r, c) - z);
            }
        }
    }

    @Override
    public void matmulRows(float[] x, int n, float[] out, int r0, int r1) {
        int r = r0;
        while (r + L <= r1) {
            // Tokens left over from the groups of four (all of them in decode) take two row tiles per pass when two
            // fit: twice the loads in flight (each tile walks qweight down a column of cache lines, one per page),
            // with each lane's arithmetic unchanged.
            int tiles = contiguous && r + 2 * L <= r1 ? 2 : 1;
            for (int k = 0; k < tiles; k++) {
                if (contiguous) {
                    for (int t = 0; t + 4 <= n; t += 4) tileFourTokens(x, t, out, r + k * L);
                } else {
                    for (int t = 0; t < n; t++) tilePermuted(x, t, out, r + k * L);
                }
            }
            if (contiguous) {
                for (int t = n - n % 4; t < n; t++) {
                    if (tiles == 2) twoTilesOneToken(x, t, out, r);
                    else tileOneToken(x, t, out, r);
                }
            }
            r += tiles * L;
        }
        for (; r < r1; r++) {
            for (int t = 0; t < n; t++) out[t * rows + r] = rowDot(x, t, r);
        }
    }

    /** Loads the F16 scales and true zeros of rows {@code [r, r + L)} in group {@code g} into the lane buffers. */
    private void loadGroup(float[] s, float[] z, int g, int r) {
        for (int l = 0; l < L; l++) s[l] = scale(g, r + l);
        if (uniformZero >= 0) {
            Arrays.fill(z, uniformZero);
        } else {
            for (int l = 0; l < L; l++) z[l] = zero(g, r + l);
        }
    }

    /** Rows {@code [r, r + L)} × tokens {@code t .. t+3}: each code vector is decoded once for four tokens. */
    private void tileFourTokens(float[] x, int t, float[] out, int r) {
        float[][] lanes = LANES.get();
        int x0 = t * cols, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int g = 0; g < groups; g++) {
            loadGroup(lanes[0], lanes[1], g, r);
            FloatVector zero = FloatVector.fromArray(F, lanes[1], 0);
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            for (int c = groupStart[g]; c < groupStart[g + 1]; c += pf) {
                IntVector w = IntVector.fromMemorySegment(I, qweight, ((long) (c / pf) * rows + r) * 4, ByteOrder.LITTLE_ENDIAN);
                for (int j = 0; j < pf; j++) {
                    FloatVector q = ((FloatVector) w.lanewise(VectorOperators.LSHR, bits * j).and(mask)
                            .convert(VectorOperators.I2F, 0)).sub(zero);
                    s0 = q.fma(FloatVector.broadcast(F, x[x0 + c + j]), s0);
                    s1 = q.fma(FloatVector.broadcast(F, x[x1 + c + j]), s1);
                    s2 = q.fma(FloatVector.broadcast(F, x[x2 + c + j]), s2);
                    s3 = q.fma(FloatVector.broadcast(F, x[x3 + c + j]), s3);
                }
            }
            FloatVector scale = FloatVector.fromArray(F, lanes[0], 0);
            a0 = s0.fma(scale, a0);
            a1 = s1.fma(scale, a1);
            a2 = s2.fma(scale, a2);
            a3 = s3.fma(scale, a3);
        }
        a0.intoArray(out, t * rows + r);
        a1.intoArray(out, (t + 1) * rows + r);
        a2.intoArray(out, (t + 2) * rows + r);
        a3.intoArray(out, (t + 3) * rows + r);
    }

    /** Rows {@code [r, r + L)} × token {@code t} (decode, and the leftover tokens of a batch). */
    private void tileOneToken(float[] x, int t, float[] out, int r) {
        float[][] lanes = LANES.get();
        int x0 = t * cols;
        FloatVector acc = FloatVector.zero(F);
        for (int g = 0; g < groups; g++) {
            loadGroup(lanes[0], lanes[1], g, r);
            FloatVector zero = FloatVector.fromArray(F, lanes[1], 0);
            FloatVector sum = FloatVector.zero(F);
            for (int c = groupStart[g]; c < groupStart[g + 1]; c += pf) {
                IntVector w = IntVector.fromMemorySegment(I, qweight, ((long) (c / pf) * rows + r) * 4, ByteOrder.LITTLE_ENDIAN);
                for (int j = 0; j < pf; j++) {
                    FloatVector q = ((FloatVector) w.lanewise(VectorOperators.LSHR, bits * j).and(mask)
                            .convert(VectorOperators.I2F, 0)).sub(zero);
                    sum = q.fma(FloatVector.broadcast(F, x[x0 + c + j]), sum);
                }
            }
            acc = sum.fma(FloatVector.fromArray(F, lanes[0], 0), acc);
        }
        acc.intoArray(out, t * rows + r);
    }

    /** {@link #tileOneToken} for rows {@code [r, r + 2L)}: the two tiles' code loads interleaved. */
    private void twoTilesOneToken(float[] x, int t, float[] out, int r) {
        float[][] lanes = LANES.get();
        int x0 = t * cols;
        long rowB = (long) L * 4;
        FloatVector accA = FloatVector.zero(F), accB = accA;
        for (int g = 0; g < groups; g++) {
            loadGroup(lanes[0], lanes[1], g, r);
            loadGroup(lanes[2], lanes[3], g, r + L);
            FloatVector zeroA = FloatVector.fromArray(F, lanes[1], 0), zeroB = FloatVector.fromArray(F, lanes[3], 0);
            FloatVector sumA = FloatVector.zero(F), sumB = sumA;
            for (int c = groupStart[g]; c < groupStart[g + 1]; c += pf) {
                long at = ((long) (c / pf) * rows + r) * 4;
                IntVector wA = IntVector.fromMemorySegment(I, qweight, at, ByteOrder.LITTLE_ENDIAN);
                IntVector wB = IntVector.fromMemorySegment(I, qweight, at + rowB, ByteOrder.LITTLE_ENDIAN);
                for (int j = 0; j < pf; j++) {
                    FloatVector xj = FloatVector.broadcast(F, x[x0 + c + j]);
                    FloatVector qA = ((FloatVector) wA.lanewise(VectorOperators.LSHR, bits * j).and(mask)
                            .convert(VectorOperators.I2F, 0)).sub(zeroA);
                    FloatVector qB = ((FloatVector) wB.lanewise(VectorOperators.LSHR, bits * j).and(mask)
                            .convert(VectorOperators.I2F, 0)).sub(zeroB);
                    sumA = qA.fma(xj, sumA);
                    sumB = qB.fma(xj, sumB);
                }
            }
            accA = sumA.fma(FloatVector.fromArray(F, lanes[0], 0), accA);
            accB = sumB.fma(FloatVector.fromArray(F, lanes[2], 0), accB);
        }
        accA.intoArray(out, t * rows + r);
        accB.intoArray(out, t * rows + r + L);
    }

    /** Act-order: each group's columns in ascending order, one code per word load. */
    private void tilePermuted(float[] x, int t, float[] out, int r) {
        float[][] lanes = LANES.get();
        int x0 = t * cols;
        FloatVector acc = FloatVector.zero(F);
        for (int g = 0; g < groups; g++) {
            loadGroup(lanes[0], lanes[1], g, r);
            FloatVector zero = FloatVector.fromArray(F, lanes[1], 0);
            FloatVector sum = FloatVector.zero(F);
            for (int p = groupStart[g]; p < groupStart[g + 1]; p++) {
                int c = order[p];
                IntVector w = IntVector.fromMemorySegment(I, qweight, ((long) (c / pf) * rows + r) * 4, ByteOrder.LITTLE_ENDIAN);
                FloatVector q = ((FloatVector) w.lanewise(VectorOperators.LSHR, bits * (c % pf)).and(mask)
                        .convert(VectorOperators.I2F, 0)).sub(zero);
                sum = q.fma(FloatVector.broadcast(F, x[x0 + c]), sum);
            }
            acc = sum.fma(FloatVector.fromArray(F, lanes[0], 0), acc);
        }
        acc.intoArray(out, t * rows + r);
    }

    /** One row · one token, in exactly the lanes' order of operations (the tail rows of a range). */
    private float rowDot(float[] x, int t, int r) {
        int x0 = t * cols;
        float acc = 0f;
        for (int g = 0; g < groups; g++) {
            float z = zero(g, r), sum = 0f;
            for (int p = groupStart[g]; p < groupStart[g + 1]; p++) {
                int c = order[p];
                sum = Math.fma(code(r, c) - z, x[x0 + c], sum);
            }
            acc = Math.fma(sum, scale(g, r), acc);
        }
        return acc;
    }

    /**
     * {@code out[t·cols + c] += Σ_r g[t·rows + r] · W[r, c]}: the backward product (a LoRA on a GPTQ base). Each
     * column's weights are dequantized in vector lanes over rows; scales and zeros of its group are widened once
     * per group into per-thread buffers.
     */
    @Override
    public void accumulateTransposed(float[] g, int n, float[] out, int c0, int c1) {
        float[] s = new float[rows], z = new float[rows];
        int cached = -1, upper = F.loopBound(rows);
        for (int c = c0; c < c1; c++) {
            int gi = group(c);
            if (gi != cached) {
                for (int o = 0; o < rows; o++) {
                    s[o] = scale(gi, o);
                    z[o] = zero(gi, o);
                }
                cached = gi;
            }
            long wordRow = (long) (c / pf) * rows;
            int shift = bits * (c % pf);
            for (int t = 0; t < n; t++) {
                FloatVector acc = FloatVector.zero(F);
                int o = 0;
                for (; o < upper; o += L) {
                    IntVector w = IntVector.fromMemorySegment(I, qweight, (wordRow + o) * 4, ByteOrder.LITTLE_ENDIAN);
                    FloatVector q = ((FloatVector) w.lanewise(VectorOperators.LSHR, shift).and(mask).convert(VectorOperators.I2F, 0))
                            .sub(FloatVector.fromArray(F, z, o)).mul(FloatVector.fromArray(F, s, o));
                    acc = q.fma(FloatVector.fromArray(F, g, t * rows + o), acc);
                }
                float sum = Lanes.sum(acc);
                for (; o < rows; o++) sum += s[o] * (code(o, c) - z[o]) * g[t * rows + o];
                out[t * cols + c] += sum;
            }
        }
    }
}
