package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static dev.hymt4j.quant.BlockCodecs.I16;
import static dev.hymt4j.quant.BlockCodecs.I64;
import static dev.hymt4j.quant.QuantVectors.SIGNED;

/**
 * Q6_K weights (210 bytes per 256 values: 4 low bits in {@code ql}, 2 high bits in {@code qh}, a signed scale per
 * 16 values, {@code d}). Each byte load of {@code ql[l..]}, {@code ql[l+32..]} and {@code qh[l..]} yields the
 * quants of four 16-value sub-blocks ({@code l}, {@code l+32}, {@code l+64}, {@code l+96} of the half); they are
 * widened to int lanes (where x86 has shifts; byte-lane shifts are emulated; zero-extended, so a high nibble is
 * a plain shift), assembled, re-centred ({@code q − 32}), converted, scaled by {@code d·scale} (the dequantized
 * weight, exactly as the codec computes it; the signed scale byte becomes a float by a table load,
 * {@link QuantVectors#SIGNED}) and dotted. The sixteen scales come from two 8-byte loads per block, not sixteen
 * byte reads (which cost 3× the time of the whole kernel).
 */
public final class Q6_KMatrix extends BlockMatrix {
    private static final VectorSpecies<Float> F = QuantVectors.F;
    private static final VectorShuffle<Float>[] FOLDS = QuantVectors.FOLDS;
    private static final VectorSpecies<Byte> B = QuantVectors.B;
    private static final VectorSpecies<Integer> I = QuantVectors.I;
    private static final int L = F.length(), QK = 256, BYTES = 210;

    public Q6_KMatrix(MemorySegment data, int rows, int cols) {
        super(GgmlType.Q6_K, data, rows, cols);
    }

    private float scale(long o, int sub, float d) {
        return d * data.get(ValueLayout.JAVA_BYTE, o + 192 + sub);
    }

    /** A chain unit is one step of l: the four slots of one load of {@code ql}, {@code ql + 32} and {@code qh}. */
    @Override
    protected int unitSlots() {
        return 4;
    }

    @Override
    protected float dot1(int r, float[] x, int xo, float[] sums, int so) {
        if (!QuantVectors.ENABLED) return dotScalar(r, x, xo);
        long row = r * rowBytes;
        // a0 takes this step of l (four slots); the four rotate after each, so the last unit lands in a3 (chain 3)
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int nb = cols / QK;
        for (int s = 0; s < nb; s++) {
            long o = row + (long) s * BYTES;
            float d = Float.float16ToFloat(data.get(I16, o + 208));
            for (int h = 0; h < 2; h++) {
                int xh = xo + s * QK + 128 * h;
                long scales = data.get(I64, o + 192 + 8 * h); // the half's eight signed scales, one per byte
                for (int l = 0; l < 32; l += L) {
                    IntVector a = (IntVector) ByteVector.fromMemorySegment(B, data, o + 64 * h + l, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector c = (IntVector) ByteVector.fromMemorySegment(B, data, o + 64 * h + 32 + l, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector hb = (IntVector) ByteVector.fromMemorySegment(B, data, o + 128 + 32 * h + l, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    int j = 8 * (l / 16);
                    FloatVector w1 = ((FloatVector) a.and(0x0F).or(hb.and(3).lanewise(VectorOperators.LSHL, 4)).sub(32)
                            .convert(VectorOperators.I2F, 0)).mul(d * SIGNED[(int) (scales >>> j) & 0xFF]);
                    FloatVector w2 = ((FloatVector) c.and(0x0F).or(hb.and(0x0C).lanewise(VectorOperators.LSHL, 2)).sub(32)
                            .convert(VectorOperators.I2F, 0)).mul(d * SIGNED[(int) (scales >>> j + 16) & 0xFF]);
                    FloatVector w3 = ((FloatVector) a.lanewise(VectorOperators.LSHR, 4).or(hb.and(0x30)).sub(32)
                            .convert(VectorOperators.I2F, 0)).mul(d * SIGNED[(int) (scales >>> j + 32) & 0xFF]);
                    FloatVector w4 = ((FloatVector) c.lanewise(VectorOperators.LSHR, 4)
                            .or(hb.lanewise(VectorOperators.LSHR, 2).and(0x30)).sub(32)
                            .convert(VectorOperators.I2F, 0)).mul(d * SIGNED[(int) (scales >>> j + 48) & 0xFF]);
                    FloatVector acc = w4.fma(FloatVector.fromArray(F, x, xh + 96 + l), w3.fma(FloatVector.fromArray(F, x, xh + 64 + l),
                            w2.fma(FloatVector.fromArray(F, x, xh + 32 + l), w1.fma(FloatVector.fromArray(F, x, xh + l), a0))));
                    a0 = a1;
                    a1 = a2;
                    a2 = a3;
                    a3 = acc;
                }
            }
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
        for (int s = 0, nb = cols / QK; s < nb; s++) {
            long o = row + (long) s * BYTES;
            float d = Float.float16ToFloat(data.get(I16, o + 208));
            for (int h = 0; h < 2; h++) {
                int xh = s * QK + 128 * h;
                long scales = data.get(I64, o + 192 + 8 * h);
                for (int l = 0; l < 32; l += L) {
                    IntVector a = (IntVector) ByteVector.fromMemorySegment(B, data, o + 64 * h + l, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector c = (IntVector) ByteVector.fromMemorySegment(B, data, o + 64 * h + 32 + l, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    IntVector hb = (IntVector) ByteVector.fromMemorySegment(B, data, o + 128 + 32 * h + l, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                    int j = 8 * (l / 16);
                    FloatVector w1 = ((FloatVector) a.and(0x0F).or(hb.and(3).lanewise(VectorOperators.LSHL, 4)).sub(32)
                            .convert(VectorOperators.I2F, 0)).mul(d * SIGNED[(int) (scales >>> j) & 0xFF]);
                    FloatVector w2 = ((FloatVector) c.and(0x0F).or(hb.and(0x0C).lanewise(VectorOperators.LSHL, 2)).sub(32)
                            .convert(VectorOperators.I2F, 0)).mul(d * SIGNED[(int) (scales >>> j + 16) & 0xFF]);
                    FloatVector w3 = ((FloatVector) a.lanewise(VectorOperators.LSHR, 4).or(hb.and(0x30)).sub(32)
                            .convert(VectorOperators.I2F, 0)).mul(d * SIGNED[(int) (scales >>> j + 32) & 0xFF]);
                    FloatVector w4 = ((FloatVector) c.lanewise(VectorOperators.LSHR, 4)
                            .or(hb.lanewise(VectorOperators.LSHR, 2).and(0x30)).sub(32)
                            .convert(VectorOperators.I2F, 0)).mul(d * SIGNED[(int) (scales >>> j + 48) & 0xFF]);
                    int p1 = xh + l, p2 = p1 + 32, p3 = p1 + 64, p4 = p1 + 96;
                    FloatVector pa = w4.fma(FloatVector.fromArray(F, x, x0 + p4), w3.fma(FloatVector.fromArray(F, x, x0 + p3),
                            w2.fma(FloatVector.fromArray(F, x, x0 + p2), w1.fma(FloatVector.fromArray(F, x, x0 + p1), a0))));
                    FloatVector pb = w4.fma(FloatVector.fromArray(F, x, x1 + p4), w3.fma(FloatVector.fromArray(F, x, x1 + p3),
                            w2.fma(FloatVector.fromArray(F, x, x1 + p2), w1.fma(FloatVector.fromArray(F, x, x1 + p1), b0))));
                    FloatVector pc = w4.fma(FloatVector.fromArray(F, x, x2 + p4), w3.fma(FloatVector.fromArray(F, x, x2 + p3),
                            w2.fma(FloatVector.fromArray(F, x, x2 + p2), w1.fma(FloatVector.fromArray(F, x, x2 + p1), c0))));
                    FloatVector pe = w4.fma(FloatVector.fromArray(F, x, x3 + p4), w3.fma(FloatVector.fromArray(F, x, x3 + p3),
                            w2.fma(FloatVector.fromArray(F, x, x3 + p2), w1.fma(FloatVector.fromArray(F, x, x3 + p1), e0))));
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
     * The scaled weights {@code d·scale·(q − 32)} exactly as dot1 forms them, in dot1's order (see
     * {@link #slotColumn}).
     */
    @Override
    protected void decodeRow(int r, float[] w, int wo, int[] at) {
        long row = r * rowBytes;
        for (int s = 0, p = 0, nb = cols / QK; s < nb; s++) {
            long o = row + (long) s * BYTES;
            float d = Float.float16ToFloat(data.get(I16, o + 208));
            for (int h = 0; h < 2; h++) {
                long scales8 = data.get(I64, o + 192 + 8 * h);
                for (int l = 0; l < 32; l += L, p += 4) {
                    IntVector a = (IntVector) ByteVector.fromMemorySegment(B, data, o + 64 * h + l, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2I, I, 0);
                    IntVector c = (IntVector) ByteVector.fromMemorySegment(B, data, o + 64 * h + 32 + l, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2I, I, 0);
                    IntVector hb = (IntVector) ByteVector.fromMemorySegment(B, data, o + 128 + 32 * h + l, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.B2I, I, 0);
                    int j = 8 * (l / 16);
                    ((FloatVector) a.and(0x0F).or(hb.and(3).lanewise(VectorOperators.LSHL, 4)).sub(32)
                            .convert(VectorOperators.I2F, 0)).mul(d * (byte) (scales8 >>> j)).intoArray(w, wo + at[p]);
                    ((FloatVector) c.and(0x0F).or(hb.and(0x0C).lanewise(VectorOperators.LSHL, 2)).sub(32)
                            .convert(VectorOperators.I2F, 0)).mul(d * (byte) (scales8 >>> j + 16)).intoArray(w, wo + at[p + 1]);
                    ((FloatVector) a.lanewise(VectorOperators.LSHR, 4).and(0x0F).or(hb.and(0x30)).sub(32)
                            .convert(VectorOperators.I2F, 0)).mul(d * (byte) (scales8 >>> j + 32)).intoArray(w, wo + at[p + 2]);
                    ((FloatVector) c.lanewise(VectorOperators.LSHR, 4).and(0x0F)
                            .or(hb.lanewise(VectorOperators.LSHR, 2).and(0x30)).sub(32)
                            .convert(VectorOperators.I2F, 0)).mul(d * (byte) (scales8 >>> j + 48)).intoArray(w, wo + at[p + 3]);
                }
            }
        }
    }

    /** dot1 takes, per half and for l = 0, L, … < 32, values {@code l..}, {@code 32+l..}, {@code 64+l..}, {@code 96+l..}. */
    @Override
    protected int slotColumn(int p) {
        int perHalf = 128 / L, half = p / perHalf, q = p % perHalf;
        return half * 128 + q % 4 * 32 + q / 4 * L;
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
