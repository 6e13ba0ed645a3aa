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
            FloatVector pa = a0, pb = b0, pc = c0, pe = e0;
            for (int k = 0, c = b * BLOCK; k < BLOCK; k += L, c += L) {
                FloatVector w = ((FloatVector) ByteVector.fromMemorySegment(B, data, o + 2 + k, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2F, F, 0)).mul(d);
                pa = w.fma(FloatVector.fromArray(F, x, x0 + c), pa);
                pb = w.fma(FloatVector.fromArray(F, x, x1 + c), pb);
                pc = w.fma(FloatVector.fromArray(F, x, x2 + c), pc);
                pe = w.fma(FloatVector.fromArray(F, x, x3 + c), pe);
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
