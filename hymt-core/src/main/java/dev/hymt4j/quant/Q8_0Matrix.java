package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static dev.hymt4j.quant.BlockCodecs.I16;

/**
 * Q8_0 weights ({@code half d; int8 qs[32]} per 32 values). Per block, the int8 quants widen to float and dot
 * the activations lane by lane; the block's partial vector is then scaled by {@code d} into the accumulator:
 * {@code Σ_b d_b · Σ_j q_bj·x_bj}.
 */
public final class Q8_0Matrix extends BlockMatrix {
    private static final VectorSpecies<Float> F = QuantVectors.F;
    private static final VectorShuffle<Float>[] FOLDS = QuantVectors.FOLDS;
    private static final VectorSpecies<Byte> B = QuantVectors.B;
    private static final int L = F.length(), BLOCK = 32, BYTES = 34;

    public Q8_0Matrix(MemorySegment data, int rows, int cols) {
        super(GgmlType.Q8_0, data, rows, cols);
    }

    @Override
    protected float dot1(int r, float[] x, int xo, float[] sums, int so) {
        if (!QuantVectors.ENABLED) return dotScalar(r, x, xo);
        long row = r * rowBytes;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0, nb = cols / BLOCK; b < nb; b++) {
            long o = row + (long) b * BYTES;
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(data.get(I16, o)));
            int xb = xo + b * BLOCK;
            FloatVector blk = FloatVector.zero(F);
            for (int k = 0; k < BLOCK; k += L) {
                FloatVector w = (FloatVector) ByteVector.fromMemorySegment(B, data, o + 2 + k, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0);
                blk = w.fma(FloatVector.fromArray(F, x, xb + k), blk);
            }
            acc = blk.fma(d, acc);
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
            FloatVector d = FloatVector.broadcast(F, Float.float16ToFloat(data.get(I16, o)));
            int xb = b * BLOCK;
            FloatVector k0 = FloatVector.zero(F), k1 = k0, k2 = k0, k3 = k0;
            for (int k = 0; k < BLOCK; k += L) {
                FloatVector w = (FloatVector) ByteVector.fromMemorySegment(B, data, o + 2 + k, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0);
                k0 = w.fma(FloatVector.fromArray(F, x, x0 + xb + k), k0);
                k1 = w.fma(FloatVector.fromArray(F, x, x1 + xb + k), k1);
                k2 = w.fma(FloatVector.fromArray(F, x, x2 + xb + k), k2);
                k3 = w.fma(FloatVector.fromArray(F, x, x3 + xb + k), k3);
            }
            a0 = k0.fma(d, a0);
            a1 = k1.fma(d, a1);
            a2 = k2.fma(d, a2);
            a3 = k3.fma(d, a3);
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

    /** Per block: its 32 quants widened to float (dot1's {@code w}), and {@code d} as the group's scale. */
    @Override
    protected void decodeRow(int r, float[] w, int wo, float[] scales, int so, float[] mins, int mo) {
        long row = r * rowBytes;
        for (int b = 0, p = 0, nb = cols / BLOCK; b < nb; b++) {
            long o = row + (long) b * BYTES;
            scales[so + b * PANEL] = Float.float16ToFloat(data.get(I16, o));
            for (int k = 0; k < BLOCK; k += L, p++) {
                ((FloatVector) ByteVector.fromMemorySegment(B, data, o + 2 + k, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).intoArray(w, wo + p * PANEL * L);
            }
        }
    }

    /** The reference: each block's integer-weighted sum, scaled by its d, summed left to right. */
    private float dotScalar(int r, float[] x, int xo) {
        long row = r * rowBytes;
        float sum = 0;
        for (int b = 0, nb = cols / BLOCK; b < nb; b++) {
            long o = row + (long) b * BYTES;
            float d = Float.float16ToFloat(data.get(I16, o));
            float blk = 0;
            for (int j = 0; j < BLOCK; j++) blk += data.get(ValueLayout.JAVA_BYTE, o + 2 + j) * x[xo + b * BLOCK + j];
            sum += d * blk;
        }
        return sum;
    }
}
