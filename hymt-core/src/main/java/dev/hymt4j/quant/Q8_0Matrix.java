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
 * Q8_0 weights ({@code half d; int8 qs[32]} per 32 values). Per vector of L quants: widened to float, scaled by
 * {@code d} (the dequantized weight, exact: 8 × 11 significant bits) and multiplied into the row's accumulator,
 * {@code Σ_b Σ_j (q_bj·d_b)·x_bj} in column order.
 */
public final class Q8_0Matrix extends BlockMatrix {
    private static final VectorSpecies<Float> F = QuantVectors.F;
    private static final VectorShuffle<Float>[] FOLDS = QuantVectors.FOLDS;
    private static final VectorSpecies<Byte> B = QuantVectors.B;
    private static final int L = F.length(), BLOCK = 32, BYTES = 34;

    public Q8_0Matrix(MemorySegment data, int rows, int cols) {
        super(GgmlType.Q8_0, data, rows, cols);
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
            int xb = xo + b * BLOCK;
            FloatVector acc = a0;
            for (int k = 0; k < BLOCK; k += L) {
                FloatVector w = ((FloatVector) ByteVector.fromMemorySegment(B, data, o + 2 + k, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d);
                acc = w.fma(FloatVector.fromArray(F, x, xb + k), acc);
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

    /** dot1's weights {@code q·d}, in column order. */
    @Override
    protected void decodeRow(int r, float[] w, int wo, int[] at) {
        long row = r * rowBytes;
        for (int b = 0, p = 0, nb = cols / BLOCK; b < nb; b++) {
            long o = row + (long) b * BYTES;
            float d = Float.float16ToFloat(data.get(I16, o));
            for (int k = 0; k < BLOCK; k += L, p++) {
                ((FloatVector) ByteVector.fromMemorySegment(B, data, o + 2 + k, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(w, wo + at[p]);
            }
        }
    }

    /** The reference: each weight dequantized as {@code q·d} and multiplied, in element order. */
    private float dotScalar(int r, float[] x, int xo) {
        long row = r * rowBytes;
        float sum = 0;
        for (int b = 0, nb = cols / BLOCK; b < nb; b++) {
            long o = row + (long) b * BYTES;
            float d = Float.float16ToFloat(data.get(I16, o));
            for (int j = 0; j < BLOCK; j++) sum += data.get(ValueLayout.JAVA_BYTE, o + 2 + j) * d * x[xo + b * BLOCK + j];
        }
        return sum;
    }
}
