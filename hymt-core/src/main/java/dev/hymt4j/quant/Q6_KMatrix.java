package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static dev.hymt4j.quant.BlockCodecs.I16;

/**
 * Q6_K weights (210 bytes per 256 values: 4 low bits in {@code ql}, 2 high bits in {@code qh}, a signed scale per
 * 16 values, {@code d}). Each byte load of {@code ql[l..]}, {@code ql[l+32..]} and {@code qh[l..]} yields the
 * quants of four 16-value sub-blocks ({@code l}, {@code l+32}, {@code l+64}, {@code l+96} of the half); they are
 * assembled and re-centred ({@code q − 32}) in byte lanes, widened, scaled by {@code d·scale} and dotted.
 */
public final class Q6_KMatrix extends BlockMatrix {
    private static final VectorSpecies<Float> F = QuantVectors.F;
    private static final VectorSpecies<Byte> B = QuantVectors.B;
    private static final int L = F.length(), QK = 256, BYTES = 210;

    public Q6_KMatrix(MemorySegment data, int rows, int cols) {
        super(GgmlType.Q6_K, data, rows, cols);
    }

    private float scale(long o, int sub, float d) {
        return d * data.get(ValueLayout.JAVA_BYTE, o + 192 + sub);
    }

    @Override
    protected float dot1(int r, float[] x, int xo, float[] sums, int so) {
        if (!QuantVectors.ENABLED) return dotScalar(r, x, xo);
        long row = r * rowBytes;
        FloatVector acc = FloatVector.zero(F);
        for (int s = 0, nb = cols / QK; s < nb; s++) {
            long o = row + (long) s * BYTES;
            float d = Float.float16ToFloat(data.get(I16, o + 208));
            for (int h = 0; h < 2; h++) {
                int xh = xo + s * QK + 128 * h;
                for (int l = 0; l < 32; l += L) {
                    ByteVector a = ByteVector.fromMemorySegment(B, data, o + 64 * h + l, ByteOrder.LITTLE_ENDIAN);
                    ByteVector c = ByteVector.fromMemorySegment(B, data, o + 64 * h + 32 + l, ByteOrder.LITTLE_ENDIAN);
                    ByteVector hb = ByteVector.fromMemorySegment(B, data, o + 128 + 32 * h + l, ByteOrder.LITTLE_ENDIAN);
                    FloatVector w1 = (FloatVector) a.and((byte) 0x0F).or(hb.and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                            .sub((byte) 32).convertShape(VectorOperators.B2F, F, 0);
                    FloatVector w2 = (FloatVector) c.and((byte) 0x0F).or(hb.lanewise(VectorOperators.LSHR, 2).and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                            .sub((byte) 32).convertShape(VectorOperators.B2F, F, 0);
                    FloatVector w3 = (FloatVector) a.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F)
                            .or(hb.lanewise(VectorOperators.LSHR, 4).and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                            .sub((byte) 32).convertShape(VectorOperators.B2F, F, 0);
                    FloatVector w4 = (FloatVector) c.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F)
                            .or(hb.lanewise(VectorOperators.LSHR, 6).and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                            .sub((byte) 32).convertShape(VectorOperators.B2F, F, 0);
                    int sub = 8 * h + l / 16;
                    acc = w1.mul(scale(o, sub, d)).fma(FloatVector.fromArray(F, x, xh + l), acc);
                    acc = w2.mul(scale(o, sub + 2, d)).fma(FloatVector.fromArray(F, x, xh + 32 + l), acc);
                    acc = w3.mul(scale(o, sub + 4, d)).fma(FloatVector.fromArray(F, x, xh + 64 + l), acc);
                    acc = w4.mul(scale(o, sub + 6, d)).fma(FloatVector.fromArray(F, x, xh + 96 + l), acc);
                }
            }
        }
        return QuantVectors.sum(acc);
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
        for (int s = 0, nb = cols / QK; s < nb; s++) {
            long o = row + (long) s * BYTES;
            float d = Float.float16ToFloat(data.get(I16, o + 208));
            for (int h = 0; h < 2; h++) {
                int xh = s * QK + 128 * h;
                for (int l = 0; l < 32; l += L) {
                    ByteVector a = ByteVector.fromMemorySegment(B, data, o + 64 * h + l, ByteOrder.LITTLE_ENDIAN);
                    ByteVector c = ByteVector.fromMemorySegment(B, data, o + 64 * h + 32 + l, ByteOrder.LITTLE_ENDIAN);
                    ByteVector hb = ByteVector.fromMemorySegment(B, data, o + 128 + 32 * h + l, ByteOrder.LITTLE_ENDIAN);
                    int sub = 8 * h + l / 16;
                    FloatVector w1 = ((FloatVector) a.and((byte) 0x0F).or(hb.and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                            .sub((byte) 32).convertShape(VectorOperators.B2F, F, 0)).mul(scale(o, sub, d));
                    FloatVector w2 = ((FloatVector) c.and((byte) 0x0F).or(hb.lanewise(VectorOperators.LSHR, 2).and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                            .sub((byte) 32).convertShape(VectorOperators.B2F, F, 0)).mul(scale(o, sub + 2, d));
                    FloatVector w3 = ((FloatVector) a.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F)
                            .or(hb.lanewise(VectorOperators.LSHR, 4).and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                            .sub((byte) 32).convertShape(VectorOperators.B2F, F, 0)).mul(scale(o, sub + 4, d));
                    FloatVector w4 = ((FloatVector) c.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F)
                            .or(hb.lanewise(VectorOperators.LSHR, 6).and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                            .sub((byte) 32).convertShape(VectorOperators.B2F, F, 0)).mul(scale(o, sub + 6, d));
                    int p1 = xh + l, p2 = p1 + 32, p3 = p1 + 64, p4 = p1 + 96;
                    a0 = w4.fma(FloatVector.fromArray(F, x, x0 + p4), w3.fma(FloatVector.fromArray(F, x, x0 + p3),
                            w2.fma(FloatVector.fromArray(F, x, x0 + p2), w1.fma(FloatVector.fromArray(F, x, x0 + p1), a0))));
                    a1 = w4.fma(FloatVector.fromArray(F, x, x1 + p4), w3.fma(FloatVector.fromArray(F, x, x1 + p3),
                            w2.fma(FloatVector.fromArray(F, x, x1 + p2), w1.fma(FloatVector.fromArray(F, x, x1 + p1), a1))));
                    a2 = w4.fma(FloatVector.fromArray(F, x, x2 + p4), w3.fma(FloatVector.fromArray(F, x, x2 + p3),
                            w2.fma(FloatVector.fromArray(F, x, x2 + p2), w1.fma(FloatVector.fromArray(F, x, x2 + p1), a2))));
                    a3 = w4.fma(FloatVector.fromArray(F, x, x3 + p4), w3.fma(FloatVector.fromArray(F, x, x3 + p3),
                            w2.fma(FloatVector.fromArray(F, x, x3 + p2), w1.fma(FloatVector.fromArray(F, x, x3 + p1), a3))));
                }
            }
        }
        out[t * rows + r] = QuantVectors.sum(a0);
        out[(t + 1) * rows + r] = QuantVectors.sum(a1);
        out[(t + 2) * rows + r] = QuantVectors.sum(a2);
        out[(t + 3) * rows + r] = QuantVectors.sum(a3);
    }

    /** The reference: each value dequantized as {@code d·scale·(q − 32)} and multiplied, in element order. */
    private float dotScalar(int r, float[] x, int xo) {
        long row = r * rowBytes;
        float sum = 0;
        for (int s = 0, nb = cols / QK; s < nb; s++) {
            long o = row + (long) s * BYTES;
            float d = Float.float16ToFloat(data.get(I16, o + 208));
            for (int i = 0; i < QK; i++) {
                int h = i / 128, p = i % 128, l = p % 32, quarter = p / 32;
                int lowByte = BlockCodecs.u8(data, o + 64 * h + l + (quarter % 2) * 32);
                int low = quarter < 2 ? lowByte & 0xF : lowByte >> 4;
                int high = BlockCodecs.u8(data, o + 128 + 32 * h + l) >> (2 * quarter) & 3;
                int q = (low | high << 4) - 32;
                sum += scale(o, 8 * h + 2 * quarter + l / 16, d) * q * x[xo + s * QK + i];
            }
        }
        return sum;
    }
}
