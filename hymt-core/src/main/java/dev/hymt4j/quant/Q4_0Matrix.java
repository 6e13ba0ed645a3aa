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

/**
 * Q4_0 weights ({@code half d; u8 qs[16]} per 32 values, {@code x = (q − 8)·d}). A load of quant bytes
 * {@code [k, k+L)} gives values {@code k..} (low nibbles) and {@code 16+k..} (high nibbles); both are
 * widened to int lanes (x86 has no byte-lane shifts; zero-extended, so the high nibble is a plain shift),
 * converted to float and dequantized by one FMA, {@code q·d − 8d} (exact: {@code (q − 8)·d} has at most 15
 * significant bits), then multiplied into the row's accumulator.
 */
public final class Q4_0Matrix extends BlockMatrix {
    private static final VectorSpecies<Float> F = QuantVectors.F;
    private static final VectorShuffle<Float>[] FOLDS = QuantVectors.FOLDS;
    private static final VectorSpecies<Byte> B = QuantVectors.B;
    private static final VectorSpecies<Integer> I = QuantVectors.I;
    private static final int L = F.length(), BLOCK = 32, BYTES = 18;

    public Q4_0Matrix(MemorySegment data, int rows, int cols) {
        super(GgmlType.Q4_0, data, rows, cols);
    }

    /** A chain unit is one block. */
    @Override
    protected int unitSlots() {
        return BLOCK / L;
    }

    @Override
    protected float dot1(int r, float[] x, int xo, float[] sums, int so) {
        if (!QuantVectors.ENABLED) return dotScalar(r, x, xo);
        long row = r * rowBytes;
        // a0 takes this block; the four rotate after each, so the last unit lands in a3 (chain 3)
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int nb = cols / BLOCK;
        for (int b = 0; b < nb; b++) {
            long o = row + (long) b * BYTES;
            float d = Float.float16ToFloat(data.get(I16, o));
            FloatVector dv = FloatVector.broadcast(F, d), offset = FloatVector.broadcast(F, -8 * d), acc = a0;
            int xb = xo + b * BLOCK;
            for (int k = 0; k < 16; k += L) {
                IntVector q = (IntVector) ByteVector.fromMemorySegment(B, data, o + 2 + k, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                FloatVector lo = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(dv, offset);
                FloatVector hi = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(dv, offset);
                acc = lo.fma(FloatVector.fromArray(F, x, xb + k), acc);
                acc = hi.fma(FloatVector.fromArray(F, x, xb + 16 + k), acc);
            }
            a0 = a1;
            a1 = a2;
            a2 = a3;
            a3 = acc;
        }
        FloatVector acc = a0.add(a1).add(a2.add(a3));
        for (VectorShuffle<Float> fold : FOLDS) acc = acc.add(acc.rearrange(fold));
        return acc.lane(0);
    }

    /**
     * dot1 for four tokens, each weight decoded once for the four: token 0's chains rotate through a0…a3 as
     * dot1's do, token 1's through b0…b3, token 2's c0…c3, token 3's e0…e3.
     */
    @Override
    protected void dot4(int r, float[] x, int t, float[] sums, float[] out) {
        if (!QuantVectors.ENABLED) {
            for (int i = 0; i < 4; i++) out[(t + i) * rows + r] = dotScalar(r, x, (t + i) * cols);
            return;
        }
        long row = r * rowBytes;
        int x0 = t * cols, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0, e0 = a0, e1 = a0, e2 = a0, e3 = a0;
        for (int b = 0, nb = cols / BLOCK; b < nb; b++) {
            long o = row + (long) b * BYTES;
            float d = Float.float16ToFloat(data.get(I16, o));
            FloatVector dv = FloatVector.broadcast(F, d), offset = FloatVector.broadcast(F, -8 * d);
            FloatVector pa = a0, pb = b0, pc = c0, pe = e0;
            for (int k = 0; k < 16; k += L) {
                IntVector q = (IntVector) ByteVector.fromMemorySegment(B, data, o + 2 + k, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                FloatVector lo = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(dv, offset);
                FloatVector hi = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(dv, offset);
                int l = b * BLOCK + k, h = l + 16;
                pa = hi.fma(FloatVector.fromArray(F, x, x0 + h), lo.fma(FloatVector.fromArray(F, x, x0 + l), pa));
                pb = hi.fma(FloatVector.fromArray(F, x, x1 + h), lo.fma(FloatVector.fromArray(F, x, x1 + l), pb));
                pc = hi.fma(FloatVector.fromArray(F, x, x2 + h), lo.fma(FloatVector.fromArray(F, x, x2 + l), pc));
                pe = hi.fma(FloatVector.fromArray(F, x, x3 + h), lo.fma(FloatVector.fromArray(F, x, x3 + l), pe));
            }
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
        FloatVector v0 = a0.add(a1).add(a2.add(a3)), v1 = b0.add(b1).add(b2.add(b3));
        FloatVector v2 = c0.add(c1).add(c2.add(c3)), v3 = e0.add(e1).add(e2.add(e3));
        for (VectorShuffle<Float> fold : FOLDS) {
            v0 = v0.add(v0.rearrange(fold));
            v1 = v1.add(v1.rearrange(fold));
            v2 = v2.add(v2.rearrange(fold));
            v3 = v3.add(v3.rearrange(fold));
        }
        out[t * rows + r] = v0.lane(0);
        out[(t + 1) * rows + r] = v1.lane(0);
        out[(t + 2) * rows + r] = v2.lane(0);
        out[(t + 3) * rows + r] = v3.lane(0);
    }

    /**
     * dot1's weights {@code q·d − 8d} in dot1's order: low nibbles of bytes {@code k..k+L}, then their high
     * nibbles, for each k (see {@link #slotColumn}).
     */
    @Override
    protected void decodeRow(int r, float[] w, int wo, int[] at) {
        long row = r * rowBytes;
        for (int b = 0, p = 0, nb = cols / BLOCK; b < nb; b++) {
            long o = row + (long) b * BYTES;
            float d = Float.float16ToFloat(data.get(I16, o));
            FloatVector dv = FloatVector.broadcast(F, d), offset = FloatVector.broadcast(F, -8 * d);
            for (int k = 0; k < 16; k += L, p += 2) {
                IntVector q = (IntVector) ByteVector.fromMemorySegment(B, data, o + 2 + k, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(dv, offset).intoArray(w, wo + at[p]);
                ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(dv, offset)
                        .intoArray(w, wo + at[p + 1]);
            }
        }
    }

    /** dot1 takes values {@code k..} then {@code 16+k..} of each block, for k = 0, L, … < 16. */
    @Override
    protected int slotColumn(int p) {
        return nibblePairColumn(p, 16);
    }

    /** The reference: each weight dequantized as {@code (q − 8)·d} and multiplied, in element order. */
    private float dotScalar(int r, float[] x, int xo) {
        long row = r * rowBytes;
        float sum = 0;
        for (int b = 0, nb = cols / BLOCK; b < nb; b++) {
            long o = row + (long) b * BYTES;
            float d = Float.float16ToFloat(data.get(I16, o));
            int xb = xo + b * BLOCK;
            for (int j = 0; j < 16; j++) sum += ((BlockCodecs.u8(data, o + 2 + j) & 0xF) - 8) * d * x[xb + j];
            for (int j = 0; j < 16; j++) sum += ((BlockCodecs.u8(data, o + 2 + j) >> 4) - 8) * d * x[xb + 16 + j];
        }
        return sum;
    }
}
