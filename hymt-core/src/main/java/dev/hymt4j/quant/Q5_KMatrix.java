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
import static dev.hymt4j.quant.Q4_KMatrix.minBytes;
import static dev.hymt4j.quant.Q4_KMatrix.scaleBytes;
import static dev.hymt4j.quant.QuantVectors.UNSIGNED;

/**
 * Q5_K weights (176 bytes per 256 values): Q4_K's scales, mins and nibbles plus one high bit per value in
 * {@code qh}. The kernel is Q4_K's with the high bit OR-ed into each nibble (in int lanes, after widening);
 * the weights {@code d·sc_j·q} have at most 5 + 17 significant bits, so they too are exact in float.
 */
public final class Q5_KMatrix extends BlockMatrix {
    private static final VectorSpecies<Float> F = QuantVectors.F;
    private static final VectorShuffle<Float>[] FOLDS = QuantVectors.FOLDS;
    private static final VectorSpecies<Byte> B = QuantVectors.B;
    private static final VectorSpecies<Integer> I = QuantVectors.I;
    private static final int L = F.length(), QK = 256, BYTES = 176;

    public Q5_KMatrix(MemorySegment data, int rows, int cols) {
        super(GgmlType.Q5_K, data, rows, cols);
    }

    @Override
    protected float[] activationSums(float[] x, int n) {
        return groupSums(x, n, 32);
    }

    @Override
    protected int sumsPerToken() {
        return cols / 32;
    }

    /** A chain unit is one 64-value group (two 32-value sub-blocks). */
    @Override
    protected int unitSlots() {
        return 64 / L;
    }

    @Override
    protected float dot1(int r, float[] x, int xo, float[] sums, int so) {
        if (!QuantVectors.ENABLED) return dotScalar(r, x, xo, sums, so);
        long row = r * rowBytes, o = row;
        // a0 takes this 64-value group; the four rotate after each, so the last unit lands in a3 (chain 3)
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        float mins = 0, d = 0, dmin = 0;
        long scales = 0, minBytes = 0;
        // One iteration per 64 values, the block's header read when a block starts (see Q4_KMatrix.dot1)
        int ng = cols / 64;
        for (int g = 0; g < ng; g++) {
            int c = g & 3;
            if (c == 0) {
                o = row + (long) (g >> 2) * BYTES;
                long head = data.get(I64, o), packed = data.get(I64, o + 8);
                d = Float.float16ToFloat((short) head);
                dmin = Float.float16ToFloat((short) (head >>> 16));
                scales = scaleBytes(head, packed);
                minBytes = minBytes(packed);
            }
            int xc = xo + 64 * g;
            FloatVector dl = FloatVector.broadcast(F, d * UNSIGNED[(int) scales & 0xFF]);
            FloatVector dh = FloatVector.broadcast(F, d * UNSIGNED[(int) (scales >>> 8) & 0xFF]), acc = a0;
            for (int k = 0; k < 32; k += L) {
                // zero-extended, so the high nibble is a plain shift (no mask)
                IntVector q = (IntVector) ByteVector.fromMemorySegment(B, data, o + 48 + 32 * c + k, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                IntVector h = (IntVector) ByteVector.fromMemorySegment(B, data, o + 16 + k, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2I, I, 0);
                IntVector ql = q.and(0x0F).or(h.lanewise(VectorOperators.LSHR, 2 * c).and(1).lanewise(VectorOperators.LSHL, 4));
                IntVector qh = q.lanewise(VectorOperators.LSHR, 4)
                        .or(h.lanewise(VectorOperators.LSHR, 2 * c + 1).and(1).lanewise(VectorOperators.LSHL, 4));
                acc = ((FloatVector) ql.convert(VectorOperators.I2F, 0)).mul(dl).fma(FloatVector.fromArray(F, x, xc + k), acc);
                acc = ((FloatVector) qh.convert(VectorOperators.I2F, 0)).mul(dh).fma(FloatVector.fromArray(F, x, xc + 32 + k), acc);
            }
            mins += dmin * UNSIGNED[(int) minBytes & 0xFF] * sums[so + 2 * g];
            mins += dmin * UNSIGNED[(int) (minBytes >>> 8) & 0xFF] * sums[so + 2 * g + 1];
            scales >>>= 16;
            minBytes >>>= 16;
            a0 = a1;
            a1 = a2;
            a2 = a3;
            a3 = acc;
        }
        FloatVector acc = a0.add(a1).add(a2.add(a3));
        for (VectorShuffle<Float> fold : FOLDS) acc = acc.add(acc.rearrange(fold));
        return acc.lane(0) - mins;
    }

    /**
     * dot1 for four tokens, each weight decoded once for the four: token 0's chains rotate through a0…a3 as
     * dot1's do, token 1's through b0…b3, token 2's c0…c3, token 3's e0…e3.
     */
    @Override
    protected void dot4(int r, float[] x, int t, float[] sums, float[] out) {
        int per = cols / 32;
        if (!QuantVectors.ENABLED) {
            for (int i = 0; i < 4; i++) out[(t + i) * rows + r] = dotScalar(r, x, (t + i) * cols, sums, (t + i) * per);
            return;
        }
        long row = r * rowBytes;
        int x0 = t * cols, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
        int s0 = t * per, s1 = s0 + per, s2 = s1 + per, s3 = s2 + per;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0, e0 = a0, e1 = a0, e2 = a0, e3 = a0;
        float m0 = 0, m1 = 0, m2 = 0, m3 = 0;
        for (int s = 0, nb = cols / QK; s < nb; s++) {
            long o = row + (long) s * BYTES;
            float d = Float.float16ToFloat(data.get(I16, o)), dmin = Float.float16ToFloat(data.get(I16, o + 2));
            long head = data.get(I64, o), packed = data.get(I64, o + 8);
            long scales = scaleBytes(head, packed), minBytes = minBytes(packed);
            for (int c = 0; c < 4; c++) {
                int xc = s * QK + 64 * c, shift = 16 * c;
                FloatVector pa = a0, pb = b0, pc = c0, pe = e0;
                FloatVector dl = FloatVector.broadcast(F, d * UNSIGNED[(int) (scales >>> shift) & 0xFF]);
                FloatVector dh = FloatVector.broadcast(F, d * UNSIGNED[(int) (scales >>> shift + 8) & 0xFF]);
                for (int k = 0; k < 32; k += L) {
                    // zero-extended, so the high nibble is a plain shift (no mask)
                    IntVector q = (IntVector) ByteVector.fromMemorySegment(B, data, o + 48 + 32 * c + k, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector h = (IntVector) ByteVector.fromMemorySegment(B, data, o + 16 + k, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2I, I, 0);
                    FloatVector wl = ((FloatVector) q.and(0x0F)
                            .or(h.lanewise(VectorOperators.LSHR, 2 * c).and(1).lanewise(VectorOperators.LSHL, 4))
                            .convert(VectorOperators.I2F, 0)).mul(dl);
                    FloatVector wh = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4)
                            .or(h.lanewise(VectorOperators.LSHR, 2 * c + 1).and(1).lanewise(VectorOperators.LSHL, 4))
                            .convert(VectorOperators.I2F, 0)).mul(dh);
                    int a = xc + k, b = xc + 32 + k;
                    pa = wh.fma(FloatVector.fromArray(F, x, x0 + b), wl.fma(FloatVector.fromArray(F, x, x0 + a), pa));
                    pb = wh.fma(FloatVector.fromArray(F, x, x1 + b), wl.fma(FloatVector.fromArray(F, x, x1 + a), pb));
                    pc = wh.fma(FloatVector.fromArray(F, x, x2 + b), wl.fma(FloatVector.fromArray(F, x, x2 + a), pc));
                    pe = wh.fma(FloatVector.fromArray(F, x, x3 + b), wl.fma(FloatVector.fromArray(F, x, x3 + a), pe));
                }
                float ml = dmin * UNSIGNED[(int) (minBytes >>> shift) & 0xFF], mh = dmin * UNSIGNED[(int) (minBytes >>> shift + 8) & 0xFF];
                int sj = 8 * s + 2 * c;
                m0 += ml * sums[s0 + sj];
                m0 += mh * sums[s0 + sj + 1];
                m1 += ml * sums[s1 + sj];
                m1 += mh * sums[s1 + sj + 1];
                m2 += ml * sums[s2 + sj];
                m2 += mh * sums[s2 + sj + 1];
                m3 += ml * sums[s3 + sj];
                m3 += mh * sums[s3 + sj + 1];
                a0 = a1;
                a1 = a2;
                a2 = a3;
                a3 = pa;
                b0 = b1;
                b1 = b2;
                b2 = b3;
                b3 = pb;
                c0 = c1;
                c1 = c2;
                c2 = c3;
                c3 = pc;
                e0 = e1;
                e1 = e2;
                e2 = e3;
                e3 = pe;
            }
        }
        FloatVector v0 = a0.add(a1).add(a2.add(a3)), v1 = b0.add(b1).add(b2.add(b3));
        FloatVector v2 = c0.add(c1).add(c2.add(c3)), v3 = e0.add(e1).add(e2.add(e3));
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

    /** {@link Q4_KMatrix#decodeRow} with the fifth bit OR-ed into each nibble. */
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
                    IntVector q = (IntVector) ByteVector.fromMemorySegment(B, data, o + 48 + 32 * c + k, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector h = (IntVector) ByteVector.fromMemorySegment(B, data, o + 16 + k, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2I, I, 0);
                    ((FloatVector) q.and(0x0F).or(h.lanewise(VectorOperators.LSHR, 2 * c).and(1).lanewise(VectorOperators.LSHL, 4))
                            .convert(VectorOperators.I2F, 0)).mul(dl).intoArray(w, wo + at[p]);
                    ((FloatVector) q.lanewise(VectorOperators.LSHR, 4)
                            .or(h.lanewise(VectorOperators.LSHR, 2 * c + 1).and(1).lanewise(VectorOperators.LSHL, 4))
                            .convert(VectorOperators.I2F, 0)).mul(dh).intoArray(w, wo + at[p + 1]);
                }
            }
        }
    }

    @Override
    protected void decodeMins(int r, float[] mins, int mo) {
        for (int s = 0, nb = cols / QK; s < nb; s++) Q4_KMatrix.decodeMins(data, r * rowBytes + (long) s * BYTES, mins, mo + 8 * s);
    }

    /** dot1 takes values {@code k..} then {@code 32+k..} of each 64, for k = 0, L, … < 32 (as Q4_K). */
    @Override
    protected int slotColumn(int p) {
        return nibblePairColumn(p, 32);
    }

    /** The reference: per sub-block, {@code Σ (d·sc·q)·a − dmin·m·Σ a}, summed left to right. */
    private float dotScalar(int r, float[] x, int xo, float[] sums, int so) {
        return Q4_KMatrix.dotScalarK(data, r * rowBytes, cols, x, xo, sums, so, true);
    }
}
