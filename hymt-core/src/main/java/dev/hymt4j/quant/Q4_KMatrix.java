package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.hymt4j.quant.BlockCodecs.I16;
import static dev.hymt4j.quant.BlockCodecs.I64;
import static dev.hymt4j.quant.QuantVectors.UNSIGNED;

/**
 * Q4_K weights (144 bytes per 256 values: {@code d, dmin}, 6-bit scales and mins of eight 32-value sub-blocks,
 * 4-bit quants). With {@code x = d·sc_j·q − dmin·m_j}, a row's dot product is
 * {@code Σ (d·sc_j·q)·a − Σ_j dmin·m_j·(Σ a)}: the weights {@code d·sc_j·q} (exact: 4 + 17 significant bits)
 * dot the activations in vector lanes, and the min term uses each token's sub-block sums of the activations,
 * computed once per call. A load of quant bytes {@code [k, k+L)} of a 64-value chunk gives values {@code k..}
 * (low nibbles, sub-block 2c) and {@code 32+k..} (high nibbles, sub-block 2c+1), taken in that order.
 */
public final class Q4_KMatrix extends BlockMatrix {
    private static final VectorSpecies<Float> F = QuantVectors.F;
    private static final VectorShuffle<Float>[] FOLDS = QuantVectors.FOLDS;
    private static final VectorSpecies<Byte> B = QuantVectors.B;
    private static final VectorSpecies<Integer> I = QuantVectors.I;
    private static final int L = F.length(), QK = 256, BYTES = 144;

    public Q4_KMatrix(MemorySegment data, int rows, int cols) {
        super(GgmlType.Q4_K, data, rows, cols);
    }

    @Override
    protected float[] activationSums(float[] x, int n) {
        return groupSums(x, n, 32);
    }

    @Override
    protected int sumsPerToken() {
        return cols / 32;
    }

    /**
     * The eight 6-bit scales into {@code sm[0..7]} and mins into {@code sm[8..15]} of the block at {@code o}
     * ({@code get_scale_min_k4}, spec §5.6), from two loads of its first 16 bytes.
     */
    static void unpackScalesAndMins(MemorySegment data, long o, int[] sm) {
        long head = data.get(I64, o), packed = data.get(I64, o + 8);
        long scales = scaleBytes(head, packed), mins = minBytes(packed);
        for (int j = 0; j < 8; j++) {
            sm[j] = (int) (scales >>> 8 * j) & 0xFF;
            sm[8 + j] = (int) (mins >>> 8 * j) & 0xFF;
        }
    }

    /**
     * For the GEMM path (Q4_K and Q5_K, same header): the min coefficients {@code dmin·m_j} of the block at
     * {@code o} into {@code mins[mo + j]}, the values dot1 computes (from the same {@link #minBytes}).
     */
    static void decodeMins(MemorySegment data, long o, float[] mins, int mo) {
        float dmin = Float.float16ToFloat(data.get(I16, o + 2));
        long minBytes = minBytes(data.get(I64, o + 8));
        for (int j = 0; j < 8; j++) mins[mo + j] = dmin * UNSIGNED[(int) (minBytes >>> 8 * j) & 0xFF];
    }

    /**
     * The eight 6-bit scales of a block as the bytes of one long, sub-block j in byte j, from the block's bytes
     * 0–7 ({@code head}: d, dmin, packed bytes 0–3) and 8–15 ({@code packed}: packed bytes 4–11). Spec §5.6:
     * scales 0–3 are the low 6 bits of packed bytes 0–3, scales 4–7 the low nibbles of packed bytes 8–11 with
     * bits 6–7 of bytes 0–3 on top. A few register operations, where an int[16] was filled and read back per
     * row (C2 never scalar-replaced it: 80 bytes allocated per row).
     */
    static long scaleBytes(long head, long packed) {
        return (head >>> 32 & 0x3F3F3F3FL) | ((packed >>> 32 & 0x0F0F0F0FL) | (head >>> 34 & 0x30303030L)) << 32;
    }

    /**
     * The eight 6-bit mins, as {@link #scaleBytes}: mins 0–3 are the low 6 bits of packed bytes 4–7, mins 4–7
     * the high nibbles of packed bytes 8–11 with bits 6–7 of bytes 4–7 on top.
     */
    static long minBytes(long packed) {
        return (packed & 0x3F3F3F3FL) | ((packed >>> 36 & 0x0F0F0F0FL) | (packed >>> 2 & 0x30303030L)) << 32;
    }

    /** A chain unit is one 64-value group (two 32-value sub-blocks). */
    @Override
    protected int unitSlots() {
        return 64 / L;
    }

    @Override
    protected float dot1(int r, float[] x, int xo, float[] sums, int so) {
        if (!QuantVectors.ENABLED) return dotScalar(r, x, xo, sums, so);
        long row = r * rowBytes;
        // a_c is the chain of the block's 64-value group c (sub-blocks 2c, 2c+1): every group is a chain unit
        // and a block holds four, so a row has a multiple of 4 units and group g goes to chain g mod 4. One pass of k
        // serves all four groups: the offsets stay affine in the block index, so C2 drops the bounds checks
        // (one iteration per group left ~90 scalar instructions of address arithmetic, checks and spills
        // around 20 vector ones).
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        float mins = 0;
        for (int s = 0, nb = cols / QK; s < nb; s++) {
            long o = row + (long) s * BYTES;
            long head = data.get(I64, o), packed = data.get(I64, o + 8);
            float d = Float.float16ToFloat((short) head), dmin = Float.float16ToFloat((short) (head >>> 16));
            long scales = scaleBytes(head, packed), minBytes = minBytes(packed);
            FloatVector l0 = FloatVector.broadcast(F, d * UNSIGNED[(int) scales & 0xFF]);
            FloatVector h0 = FloatVector.broadcast(F, d * UNSIGNED[(int) (scales >>> 8) & 0xFF]);
            FloatVector l1 = FloatVector.broadcast(F, d * UNSIGNED[(int) (scales >>> 16) & 0xFF]);
            FloatVector h1 = FloatVector.broadcast(F, d * UNSIGNED[(int) (scales >>> 24) & 0xFF]);
            FloatVector l2 = FloatVector.broadcast(F, d * UNSIGNED[(int) (scales >>> 32) & 0xFF]);
            FloatVector h2 = FloatVector.broadcast(F, d * UNSIGNED[(int) (scales >>> 40) & 0xFF]);
            FloatVector l3 = FloatVector.broadcast(F, d * UNSIGNED[(int) (scales >>> 48) & 0xFF]);
            FloatVector h3 = FloatVector.broadcast(F, d * UNSIGNED[(int) (scales >>> 56) & 0xFF]);
            int xs = xo + s * QK;
            for (int k = 0; k < 32; k += L) {
                // zero-extended, so the high nibble is a plain shift (no mask)
                IntVector q0 = (IntVector) ByteVector.fromMemorySegment(B, data, o + 16 + k, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                IntVector q1 = (IntVector) ByteVector.fromMemorySegment(B, data, o + 48 + k, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                IntVector q2 = (IntVector) ByteVector.fromMemorySegment(B, data, o + 80 + k, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                IntVector q3 = (IntVector) ByteVector.fromMemorySegment(B, data, o + 112 + k, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                int c = xs + k;
                a0 = ((FloatVector) q0.and(0x0F).convert(VectorOperators.I2F, 0)).mul(l0).fma(FloatVector.fromArray(F, x, c), a0);
                a0 = ((FloatVector) q0.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(h0).fma(FloatVector.fromArray(F, x, c + 32), a0);
                a1 = ((FloatVector) q1.and(0x0F).convert(VectorOperators.I2F, 0)).mul(l1).fma(FloatVector.fromArray(F, x, c + 64), a1);
                a1 = ((FloatVector) q1.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(h1).fma(FloatVector.fromArray(F, x, c + 96), a1);
                a2 = ((FloatVector) q2.and(0x0F).convert(VectorOperators.I2F, 0)).mul(l2).fma(FloatVector.fromArray(F, x, c + 128), a2);
                a2 = ((FloatVector) q2.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(h2).fma(FloatVector.fromArray(F, x, c + 160), a2);
                a3 = ((FloatVector) q3.and(0x0F).convert(VectorOperators.I2F, 0)).mul(l3).fma(FloatVector.fromArray(F, x, c + 192), a3);
                a3 = ((FloatVector) q3.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(h3).fma(FloatVector.fromArray(F, x, c + 224), a3);
            }
            for (int j = 0, sj = so + 8 * s; j < 8; j++) mins += dmin * UNSIGNED[(int) (minBytes >>> 8 * j) & 0xFF] * sums[sj + j];
        }
        FloatVector acc = a0.add(a1).add(a2.add(a3));
        for (VectorShuffle<Float> fold : FOLDS) acc = acc.add(acc.rearrange(fold));
        return acc.lane(0) - mins;
    }

    /** dot1 for four tokens (token i's chain c in {@code a_ic}), each weight decoded once for the four. */
    @Override
    protected void dot4(int r, float[] x, int t, float[] sums, float[] out) {
        int per = cols / 32;
        if (!QuantVectors.ENABLED) {
            for (int i = 0; i < 4; i++) out[(t + i) * rows + r] = dotScalar(r, x, (t + i) * cols, sums, (t + i) * per);
            return;
        }
        long row = r * rowBytes;
        int x0 = t * cols, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols, s0 = t * per;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        float m0 = 0, m1 = 0, m2 = 0, m3 = 0;
        for (int s = 0, nb = cols / QK; s < nb; s++) {
            long o = row + (long) s * BYTES;
            long head = data.get(I64, o), packed = data.get(I64, o + 8);
            float d = Float.float16ToFloat((short) head), dmin = Float.float16ToFloat((short) (head >>> 16));
            long scales = scaleBytes(head, packed), minBytes = minBytes(packed);
            FloatVector l0 = FloatVector.broadcast(F, d * UNSIGNED[(int) scales & 0xFF]);
            FloatVector h0 = FloatVector.broadcast(F, d * UNSIGNED[(int) (scales >>> 8) & 0xFF]);
            FloatVector l1 = FloatVector.broadcast(F, d * UNSIGNED[(int) (scales >>> 16) & 0xFF]);
            FloatVector h1 = FloatVector.broadcast(F, d * UNSIGNED[(int) (scales >>> 24) & 0xFF]);
            FloatVector l2 = FloatVector.broadcast(F, d * UNSIGNED[(int) (scales >>> 32) & 0xFF]);
            FloatVector h2 = FloatVector.broadcast(F, d * UNSIGNED[(int) (scales >>> 40) & 0xFF]);
            FloatVector l3 = FloatVector.broadcast(F, d * UNSIGNED[(int) (scales >>> 48) & 0xFF]);
            FloatVector h3 = FloatVector.broadcast(F, d * UNSIGNED[(int) (scales >>> 56) & 0xFF]);
            for (int k = 0; k < 32; k += L) {
                int c = s * QK + k;
                IntVector q = (IntVector) ByteVector.fromMemorySegment(B, data, o + 16 + k, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                FloatVector wl = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).mul(l0);
                FloatVector wh = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(h0);
                a00 = wh.fma(FloatVector.fromArray(F, x, x0 + c + 32), wl.fma(FloatVector.fromArray(F, x, x0 + c), a00));
                a10 = wh.fma(FloatVector.fromArray(F, x, x1 + c + 32), wl.fma(FloatVector.fromArray(F, x, x1 + c), a10));
                a20 = wh.fma(FloatVector.fromArray(F, x, x2 + c + 32), wl.fma(FloatVector.fromArray(F, x, x2 + c), a20));
                a30 = wh.fma(FloatVector.fromArray(F, x, x3 + c + 32), wl.fma(FloatVector.fromArray(F, x, x3 + c), a30));
                q = (IntVector) ByteVector.fromMemorySegment(B, data, o + 48 + k, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                wl = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).mul(l1);
                wh = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(h1);
                a01 = wh.fma(FloatVector.fromArray(F, x, x0 + c + 96), wl.fma(FloatVector.fromArray(F, x, x0 + c + 64), a01));
                a11 = wh.fma(FloatVector.fromArray(F, x, x1 + c + 96), wl.fma(FloatVector.fromArray(F, x, x1 + c + 64), a11));
                a21 = wh.fma(FloatVector.fromArray(F, x, x2 + c + 96), wl.fma(FloatVector.fromArray(F, x, x2 + c + 64), a21));
                a31 = wh.fma(FloatVector.fromArray(F, x, x3 + c + 96), wl.fma(FloatVector.fromArray(F, x, x3 + c + 64), a31));
                q = (IntVector) ByteVector.fromMemorySegment(B, data, o + 80 + k, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                wl = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).mul(l2);
                wh = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(h2);
                a02 = wh.fma(FloatVector.fromArray(F, x, x0 + c + 160), wl.fma(FloatVector.fromArray(F, x, x0 + c + 128), a02));
                a12 = wh.fma(FloatVector.fromArray(F, x, x1 + c + 160), wl.fma(FloatVector.fromArray(F, x, x1 + c + 128), a12));
                a22 = wh.fma(FloatVector.fromArray(F, x, x2 + c + 160), wl.fma(FloatVector.fromArray(F, x, x2 + c + 128), a22));
                a32 = wh.fma(FloatVector.fromArray(F, x, x3 + c + 160), wl.fma(FloatVector.fromArray(F, x, x3 + c + 128), a32));
                q = (IntVector) ByteVector.fromMemorySegment(B, data, o + 112 + k, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                wl = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).mul(l3);
                wh = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(h3);
                a03 = wh.fma(FloatVector.fromArray(F, x, x0 + c + 224), wl.fma(FloatVector.fromArray(F, x, x0 + c + 192), a03));
                a13 = wh.fma(FloatVector.fromArray(F, x, x1 + c + 224), wl.fma(FloatVector.fromArray(F, x, x1 + c + 192), a13));
                a23 = wh.fma(FloatVector.fromArray(F, x, x2 + c + 224), wl.fma(FloatVector.fromArray(F, x, x2 + c + 192), a23));
                a33 = wh.fma(FloatVector.fromArray(F, x, x3 + c + 224), wl.fma(FloatVector.fromArray(F, x, x3 + c + 192), a33));
            }
            for (int j = 0, sj = s0 + 8 * s; j < 8; j++) {
                float coefficient = dmin * UNSIGNED[(int) (minBytes >>> 8 * j) & 0xFF];
                m0 += coefficient * sums[sj + j];
                m1 += coefficient * sums[sj + per + j];
                m2 += coefficient * sums[sj + 2 * per + j];
                m3 += coefficient * sums[sj + 3 * per + j];
            }
        }
        FloatVector v0 = a00.add(a01).add(a02.add(a03)), v1 = a10.add(a11).add(a12.add(a13));
        FloatVector v2 = a20.add(a21).add(a22.add(a23)), v3 = a30.add(a31).add(a32.add(a33));
        for (VectorShuffle<Float> fold : FOLDS) {
            v0 = v0.add(v0.rearrange(fold));
            v1 = v1.add(v1.rearrange(fold));
            v2 = v2.add(v2.rearrange(fold));
            v3 = v3.add(v3.rearrange(fold));
        }
        out[t * rows + r] = v0.lane(0) - m0;
        out[(t + 1) * rows + r] = v1.lane(0) - m1;
        out[(t + 2) * rows + r] = v2.lane(0) - m2;
        out[(t + 3) * rows + r] = v3.lane(0) - m3;
    }

    /** dot1's weights {@code d·sc_j·q}, in dot1's order (see {@link #slotColumn}). */
    @Override
    protected void decodeRow(int r, float[] w, int wo, int[] at) {
        long row = r * rowBytes;
        for (int s = 0, p = 0, nb = cols / QK; s < nb; s++) {
            long o = row + (long) s * BYTES;
            long head = data.get(I64, o), scales = scaleBytes(head, data.get(I64, o + 8));
            float d = Float.float16ToFloat((short) head);
            for (int c = 0; c < 4; c++, scales >>>= 16) {
                float dl = d * UNSIGNED[(int) scales & 0xFF], dh = d * UNSIGNED[(int) (scales >>> 8) & 0xFF];
                for (int k = 0; k < 32; k += L, p += 2) {
                    IntVector q = (IntVector) ByteVector.fromMemorySegment(B, data, o + 16 + 32 * c + k, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).mul(dl).intoArray(w, wo + at[p]);
                    ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(dh).intoArray(w, wo + at[p + 1]);
                }
            }
        }
    }

    @Override
    protected void decodeMins(int r, float[] mins, int mo) {
        for (int s = 0, nb = cols / QK; s < nb; s++) decodeMins(data, r * rowBytes + (long) s * BYTES, mins, mo + 8 * s);
    }

    /** dot1 takes values {@code k..} then {@code 32+k..} of each 64, for k = 0, L, … < 32. */
    @Override
    protected int slotColumn(int p) {
        return nibblePairColumn(p, 32);
    }

    /** The reference: per sub-block, {@code Σ (d·sc·q)·a − dmin·m·Σ a}, summed left to right. */
    private float dotScalar(int r, float[] x, int xo, float[] sums, int so) {
        return dotScalarK(data, r * rowBytes, cols, x, xo, sums, so, false);
    }

    /**
     * The scalar reference of Q4_K ({@code fiveBit} false: 144-byte blocks, nibbles at 16) and Q5_K (176-byte
     * blocks, nibbles at 48, fifth bits in {@code qh} at 16) for the row at {@code row}.
     */
    static float dotScalarK(MemorySegment data, long row, int cols, float[] x, int xo, float[] sums, int so, boolean fiveBit) {
        int bytes = fiveBit ? Q5_KCodec.BYTES : BYTES, qs = fiveBit ? 48 : 16;
        int[] sm = new int[16];
        float sum = 0;
        for (int s = 0, nb = cols / QK; s < nb; s++) {
            long o = row + (long) s * bytes;
            float d = Float.float16ToFloat(data.get(I16, o)), dmin = Float.float16ToFloat(data.get(I16, o + 2));
            unpackScalesAndMins(data, o, sm);
            for (int j = 0; j < 8; j++) {
                int c = j / 2, shift = (j % 2) * 4;
                float scale = d * sm[j], qa = 0;
                for (int l = 0; l < 32; l++) {
                    int q = BlockCodecs.u8(data, o + qs + 32 * c + l) >> shift & 0xF;
                    if (fiveBit) q |= (BlockCodecs.u8(data, o + 16 + l) >> j & 1) << 4;
                    qa += q * scale * x[xo + s * QK + 32 * j + l];
                }
                sum += qa - dmin * sm[8 + j] * sums[so + 8 * s + j];
            }
        }
        return sum;
    }
}
