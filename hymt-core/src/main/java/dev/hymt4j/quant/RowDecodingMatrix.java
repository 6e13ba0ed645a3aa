package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;
import dev.hymt4j.tensor.Kernels;

import java.lang.foreign.MemorySegment;

/**
 * The formats without a fused kernel (Q4_1, Q5_0, Q5_1: llama-quantize uses them only as fallbacks for rows
 * that are not a multiple of 256): each row is decoded once per call into a per-thread buffer, then dotted
 * with every token by the kernels' dense dot (the canonical order), which is also the order of the GEMM path.
 */
public final class RowDecodingMatrix extends BlockMatrix {
    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);

    public RowDecodingMatrix(GgmlType type, MemorySegment data, int rows, int cols) {
        super(type, data, rows, cols);
    }

    private float[] decoded(int r) {
        float[] w = ROW.get();
        if (w.length < cols) {
            w = new float[cols];
            ROW.set(w);
        }
        readRow(r, w, 0);
        return w;
    }

    /** The kernels' dense dot in the canonical order (kernel conventions rule 4). */
    private float dot(float[] w, float[] x, int xo) {
        return Kernels.get().dot(w, 0, x, xo, cols);
    }

    /** The decoded row; its slots are its L-column chunks in order. */
    @Override
    protected void decodeRow(int r, float[] w, int wo, int[] at) {
        float[] row = decoded(r);
        int lanes = Kernels.get().lanes();
        for (int p = 0; p < cols / lanes; p++) System.arraycopy(row, p * lanes, w, wo + at[p], lanes);
    }

    @Override
    protected float dot1(int r, float[] x, int xo, float[] sums, int so) {
        return dot(decoded(r), x, xo);
    }

    @Override
    protected void dot4(int r, float[] x, int t, float[] sums, float[] out) {
        float[] w = decoded(r);
        for (int i = 0; i < 4; i++) out[(t + i) * rows + r] = dot(w, x, (t + i) * cols);
    }
}
