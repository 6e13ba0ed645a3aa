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
 * Q4_K weights (144 bytes per 256 values: {@code d, dmin}, 6-bit scales and mins of eight 32-value sub-blocks,
 * 4-bit quants). With {@code x = d·sc_j·q − dmin·m_j}, a row's dot product is
 * {@code Σ_j d·sc_j·(Σ q·a) − Σ_j dmin·m_j·(Σ a)}: the quants dot the activations in vector lanes, and the
 * min term uses each token's sub-block sums of the activations, computed once per call.
 */
public final class Q4_KMatrix extends BlockMatrix {
    private static final VectorSpecies<Float> F = QuantVectors.F;
    private static final VectorSpecies<Byte> B = QuantVectors.B;
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

    /** The 6-bit scale ({@code min == false}) or min of sub-block {@code j} of the block at {@code o}. */
    static int scaleOrMin(MemorySegment data, long o, int j, boolean min) {
        long s = o + 4;
        if (j < 4) return data.get(ValueLayout.JAVA_BYTE, s + j + (min ? 4 : 0)) & 63;
        int packed = data.get(ValueLayout.JAVA_BYTE, s + j + 4) & 0xFF;
        int top = (data.get(ValueLayout.JAVA_BYTE, s + j - (min ? 0 : 4)) & 0xFF) >> 6;
        return (min ? packed >> 4 : packed & 0xF) | top << 4;
    }

    @Override
    protected float dot1(int r, float[] x, int xo, float[] sums, int so) {
        if (!QuantVectors.ENABLED) return dotScalar(r, x, xo, sums, so);
        long row = r * rowBytes;
        FloatVector acc = FloatVector.zero(F);
        float mins = 0;
        for (int s = 0, nb = cols / QK; s < nb; s++) {
            long o = row + (long) s * BYTES;
            float d = Float.float16ToFloat(data.get(I16, o)), dmin = Float.float16ToFloat(data.get(I16, o + 2));
            for (int c = 0; c < 4; c++) {
                int xc = xo + s * QK + 64 * c;
                FloatVector lo = FloatVector.zero(F), hi = lo;
                for (int k = 0; k < 32; k += L) {
                    ByteVector q = ByteVector.fromMemorySegment(B, data, o + 16 + 32 * c + k, ByteOrder.LITTLE_ENDIAN);
                    FloatVector wl = (FloatVector) q.and((byte) 0x0F).convertShape(VectorOperators.B2F, F, 0);
                    FloatVector wh = (FloatVector) q.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F)
                            .convertShape(VectorOperators.B2F, F, 0);
                    lo = wl.fma(FloatVector.fromArray(F, x, xc + k), lo);
                    hi = wh.fma(FloatVector.fromArray(F, x, xc + 32 + k), hi);
                }
                acc = lo.fma(FloatVector.broadcast(F, d * scaleOrMin(data, o, 2 * c, false)), acc);
                acc = hi.fma(FloatVector.broadcast(F, d * scaleOrMin(data, o, 2 * c + 1, false)), acc);
                int sj = so + 8 * s + 2 * c;
                mins += dmin * scaleOrMin(data, o, 2 * c, true) * sums[sj];
                mins += dmin * scaleOrMin(data, o, 2 * c + 1, true) * sums[sj + 1];
            }
        }
        return QuantVectors.sum(acc) - mins;
    }

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
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        float m0 = 0, m1 = 0, m2 = 0, m3 = 0;
        for (int s = 0, nb = cols / QK; s < nb; s++) {
            long o = row + (long) s * BYTES;
            float d = Float.float16ToFloat(data.get(I16, o)), dmin = Float.float16ToFloat(data.get(I16, o + 2));
            for (int c = 0; c < 4; c++) {
                int xc = s * QK + 64 * c;
                FloatVector l0 = FloatVector.zero(F), l1 = l0, l2 = l0, l3 = l0, h0 = l0, h1 = l0, h2 = l0, h3 = l0;
                for (int k = 0; k < 32; k += L) {
                    ByteVector q = ByteVector.fromMemorySegment(B, data, o + 16 + 32 * c + k, ByteOrder.LITTLE_ENDIAN);
                    FloatVector wl = (FloatVector) q.and((byte) 0x0F).convertShape(VectorOperators.B2F, F, 0);
                    FloatVector wh = (FloatVector) q.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F)
                            .convertShape(VectorOperators.B2F, F, 0);
                    int a = xc + k, b = xc + 32 + k;
                    l0 = wl.fma(FloatVector.fromArray(F, x, x0 + a), l0);
                    h0 = wh.fma(FloatVector.fromArray(F, x, x0 + b), h0);
                    l1 = wl.fma(FloatVector.fromArray(F, x, x1 + a), l1);
                    h1 = wh.fma(FloatVector.fromArray(F, x, x1 + b), h1);
                    l2 = wl.fma(FloatVector.fromArray(F, x, x2 + a), l2);
                    h2 = wh.fma(FloatVector.fromArray(F, x, x2 + b), h2);
                    l3 = wl.fma(FloatVector.fromArray(F, x, x3 + a), l3);
                    h3 = wh.fma(FloatVector.fromArray(F, x, x3 + b), h3);
                }
                FloatVector dl = FloatVector.broadcast(F, d * scaleOrMin(data, o, 2 * c, false));
                FloatVector dh = FloatVector.broadcast(F, d * scaleOrMin(data, o, 2 * c + 1, false));
                a0 = h0.fma(dh, l0.fma(dl, a0));
                a1 = h1.fma(dh, l1.fma(dl, a1));
                a2 = h2.fma(dh, l2.fma(dl, a2));
                a3 = h3.fma(dh, l3.fma(dl, a3));
                float ml = dmin * scaleOrMin(data, o, 2 * c, true), mh = dmin * scaleOrMin(data, o, 2 * c + 1, true);
                int sj = 8 * s + 2 * c;
                m0 += ml * sums[s0 + sj];
                m0 += mh * sums[s0 + sj + 1];
                m1 += ml * sums[s1 + sj];
                m1 += mh * sums[s1 + sj + 1];
                m2 += ml * sums[s2 + sj];
                m2 += mh * sums[s2 + sj + 1];
                m3 += ml * sums[s3 + sj];
                m3 += mh * sums[s3 + sj + 1];
            }
        }
        out[t * rows + r] = QuantVectors.sum(a0) - m0;
        out[(t + 1) * rows + r] = QuantVectors.sum(a1) - m1;
        out[(t + 2) * rows + r] = QuantVectors.sum(a2) - m2;
        out[(t + 3) * rows + r] = QuantVectors.sum(a3) - m3;
    }

    /** The reference: per sub-block, {@code d·sc·Σ q·a − dmin·m·Σ a}, summed left to right. */
    private float dotScalar(int r, float[] x, int xo, float[] sums, int so) {
        long row = r * rowBytes;
        float sum = 0;
        for (int s = 0, nb = cols / QK; s < nb; s++) {
            long o = row + (long) s * BYTES;
            float d = Float.float16ToFloat(data.get(I16, o)), dmin = Float.float16ToFloat(data.get(I16, o + 2));
            for (int j = 0; j < 8; j++) {
                int c = j / 2, shift = (j % 2) * 4;
                float qa = 0;
                for (int l = 0; l < 32; l++) {
                    int q = (BlockCodecs.u8(data, o + 16 + 32 * c + l) >> shift) & 0xF;
                    qa += q * x[xo + s * QK + 32 * j + l];
                }
                sum += d * scaleOrMin(data, o, j, false) * qa - dmin * scaleOrMin(data, o, j, true) * sums[so + 8 * s + j];
            }
        }
        return sum;
    }
}
