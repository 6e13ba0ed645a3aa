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

    @Override
    protected float dot1(int r, float[] x, int xo, float[] sums, int so) {
        if (!QuantVectors.ENABLED) return dotScalar(r, x, xo);
        long row = r * rowBytes;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0, nb = cols / BLOCK; b < nb; b++) {
            long o = row + (long) b * BYTES;
            float d = Float.float16ToFloat(data.get(I16, o));
            FloatVector dv = FloatVector.broadcast(F, d), offset = FloatVector.broadcast(F, -8 * d);
            int xb = xo + b * BLOCK;
            for (int k = 0; k < 16; k += L) {
                IntVector q = (IntVector) ByteVector.fromMemorySegment(B, data, o + 2 + k, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                FloatVector lo = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(dv, offset);
                FloatVector hi = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(dv, offset);
                acc = lo.fma(FloatVector.fromArray(F, x, xb + k), acc);
                acc = hi.fma(FloatVector.fromArray(F, x, xb + 16 + k), acc);
            }
        }
        for (VectorShuffle<Float> fold : FOLDS) acc = acc.add(acc.rearrange(fold));
        return acc.lane(0);
    }

    @Override
    protected void dot4(int r, float[] x, int t, float[] sums, float[] out) {
        if (!QuantVectors.ENABLED) {
            for (int i = 0; i < 4; i++) out[(t + i) * rows + r] = dotScalar(r, x, (t + i) * cols);
            return;
        }
        long row = r * rowBytes;
        int x0 = t * cols, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0, nb = cols / BLOCK; b < nb; b++) {
            long o = row + (long) b * BYTES;
            float d = Float.float16ToFloat(data.get(I16, o));
            FloatVector dv = FloatVector.broadcast(F, d), offset = FloatVector.broadcast(F, -8 * d);
            for (int k = 0; k < 16; k += L) {
                IntVector q = (IntVector) ByteVector.fromMemorySegment(B, data, o + 2 + k, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                FloatVector lo = ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(dv, offset);
                FloatVector hi = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(dv, offset);
                int l = b * BLOCK + k, h = l + 16;
                a0 = hi.fma(FloatVector.fromArray(F, x, x0 + h), lo.fma(FloatVector.fromArray(F, x, x0 + l), a0));
                a1 = hi.fma(FloatVector.fromArray(F, x, x1 + h), lo.fma(FloatVector.fromArray(F, x, x1 + l), a1));
                a2 = hi.fma(FloatVector.fromArray(F, x, x2 + h), lo.fma(FloatVector.fromArray(F, x, x2 + l), a2));
                a3 = hi.fma(FloatVector.fromArray(F, x, x3 + h), lo.fma(FloatVector.fromArray(F, x, x3 + l), a3));
            }
        }
        for (VectorShuffle<Float> fold : FOLDS) {
            a0 = a0.add(a0.rearrange(fold));
            a1 = a1.add(a1.rearrange(fold));
            a2 = a2.add(a2.rearrange(fold));
            a3 = a3.add(a3.rearrange(fold));
        }
        out[t * rows + r] = a0.lane(0);
        out[(t + 1) * rows + r] = a1.lane(0);
        out[(t + 2) * rows + r] = a2.lane(0);
        out[(t + 3) * rows + r] = a3.lane(0);
    }

    /**
     * dot1's weights {@code q·d − 8d} in dot1's order: low nibbles of bytes {@code k..k+L}, then their high
     * nibbles, for each k (see {@link #slotColumn}).
     */
    @Override
    protected void decodeRow(int r, float[] w, int wo) {
        long row = r * rowBytes;
        for (int b = 0, p = 0, nb = cols / BLOCK; b < nb; b++) {
            long o = row + (long) b * BYTES;
            float d = Float.float16ToFloat(data.get(I16, o));
            FloatVector dv = FloatVector.broadcast(F, d), offset = FloatVector.broadcast(F, -8 * d);
            for (int k = 0; k < 16; k += L, p += 2) {
                IntVector q = (IntVector) ByteVector.fromMemorySegment(B, data, o + 2 + k, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(dv, offset).intoArray(w, wo + p * L);
                ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(dv, offset)
                        .intoArray(w, wo + (p + 1) * L);
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
