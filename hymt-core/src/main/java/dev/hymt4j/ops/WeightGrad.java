package dev.hymt4j.ops;

import dev.hymt4j.tensor.Parallel;
import jdk.incubator.vector.FloatVector;

/** The weight-gradient product of a linear layer, used for the trainable LoRA matrices only. */
public final class WeightGrad {
    private WeightGrad() {}

    /** Rows of {@code dW} per tile: eight accumulators, one weight-gradient vector each, stay in registers. */
    private static final int TILE_ROWS = 8;

    /**
     * {@code dW[r, c] += Σ_t g[t·rows + r] · x[t·cols + c]} for {@code t < n}: {@code dW += gᵀ·x} for
     * {@code y = x·Wᵀ} with output gradient {@code g}.
     *
     * <p>Each element is one chain of fused multiply-adds over the tokens in order, starting from its old value —
     * in the vector body and the scalar tail alike, so the split into tiles or threads changes nothing. The work is
     * tiles of 8 rows × two vectors of columns (one where only one is left), the accumulators in registers across
     * the tokens: per token two loads of {@code x} and eight broadcasts of {@code g} feed sixteen FMAs. Threads split
     * the tiles, not the rows: LoRA's {@code A} gradient has only rank rows (split by rows, its 16 rows ran at
     * 22–28 GFLOP/s in 4-row blocks, each block re-reading {@code x}).
     */
    public static void accumulate(float[] g, float[] x, int n, int rows, int cols, float[] dW) {
        int width = 2 * Vec.F.length();
        int rowTiles = (rows + TILE_ROWS - 1) / TILE_ROWS, colTiles = (cols + width - 1) / width;
        int tileFmas = TILE_ROWS * width * Math.max(1, n);
        Parallel.forRange(rowTiles * colTiles, Math.max(1, 32768 / tileFmas), (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                int r0 = (i / colTiles) * TILE_ROWS, c0 = (i % colTiles) * width;
                tile(g, x, n, rows, cols, dW, r0, Math.min(rows, r0 + TILE_ROWS), c0, Math.min(cols, c0 + width));
            }
        });
    }

    /** Rows {@code [r0, r1)} × columns {@code [c0, c1)} of {@link #accumulate}: at most 8 rows and two vectors. */
    private static void tile(float[] g, float[] x, int n, int rows, int cols, float[] dW, int r0, int r1, int c0, int c1) {
        int lanes = Vec.F.length(), c = c0;
        if (r1 - r0 == TILE_ROWS) {
            if (c + 2 * lanes <= c1) {
                eightRowsTwoVectors(g, x, n, rows, cols, dW, r0, c);
                c += 2 * lanes;
            }
            if (c + lanes <= c1) {
                eightRowsOneVector(g, x, n, rows, cols, dW, r0, c);
                c += lanes;
            }
        } else {
            for (; c + lanes <= c1; c += lanes) {
                for (int r = r0; r < r1; r++) {
                    int w = r * cols + c;
                    FloatVector a = FloatVector.fromArray(Vec.F, dW, w);
                    for (int t = 0, gi = r, xi = c; t < n; t++, gi += rows, xi += cols) a = FloatVector.fromArray(Vec.F, x, xi).fma(FloatVector.broadcast(Vec.F, g[gi]), a);
                    a.intoArray(dW, w);
                }
            }
        }
        for (int r = r0; r < r1; r++) {
            for (int k = c; k < c1; k++) dW[r * cols + k] = column(g, x, n, rows, cols, r, k, dW[r * cols + k]);
        }
    }

    private static void eightRowsTwoVectors(float[] g, float[] x, int n, int rows, int cols, float[] dW, int r, int c) {
        int lanes = Vec.F.length();
        int w0 = r * cols + c, w1 = w0 + cols, w2 = w1 + cols, w3 = w2 + cols, w4 = w3 + cols, w5 = w4 + cols, w6 = w5 + cols, w7 = w6 + cols;
        FloatVector a0 = FloatVector.fromArray(Vec.F, dW, w0), b0 = FloatVector.fromArray(Vec.F, dW, w0 + lanes);
        FloatVector a1 = FloatVector.fromArray(Vec.F, dW, w1), b1 = FloatVector.fromArray(Vec.F, dW, w1 + lanes);
        FloatVector a2 = FloatVector.fromArray(Vec.F, dW, w2), b2 = FloatVector.fromArray(Vec.F, dW, w2 + lanes);
        FloatVector a3 = FloatVector.fromArray(Vec.F, dW, w3), b3 = FloatVector.fromArray(Vec.F, dW, w3 + lanes);
        FloatVector a4 = FloatVector.fromArray(Vec.F, dW, w4), b4 = FloatVector.fromArray(Vec.F, dW, w4 + lanes);
        FloatVector a5 = FloatVector.fromArray(Vec.F, dW, w5), b5 = FloatVector.fromArray(Vec.F, dW, w5 + lanes);
        FloatVector a6 = FloatVector.fromArray(Vec.F, dW, w6), b6 = FloatVector.fromArray(Vec.F, dW, w6 + lanes);
        FloatVector a7 = FloatVector.fromArray(Vec.F, dW, w7), b7 = FloatVector.fromArray(Vec.F, dW, w7 + lanes);
        for (int t = 0, gi = r, xi = c; t < n; t++, gi += rows, xi += cols) {
            FloatVector xa = FloatVector.fromArray(Vec.F, x, xi), xb = FloatVector.fromArray(Vec.F, x, xi + lanes);
            FloatVector g0 = FloatVector.broadcast(Vec.F, g[gi]), g1 = FloatVector.broadcast(Vec.F, g[gi + 1]);
            FloatVector g2 = FloatVector.broadcast(Vec.F, g[gi + 2]), g3 = FloatVector.broadcast(Vec.F, g[gi + 3]);
            a0 = xa.fma(g0, a0);
            b0 = xb.fma(g0, b0);
            a1 = xa.fma(g1, a1);
            b1 = xb.fma(g1, b1);
            a2 = xa.fma(g2, a2);
            b2 = xb.fma(g2, b2);
            a3 = xa.fma(g3, a3);
            b3 = xb.fma(g3, b3);
            FloatVector g4 = FloatVector.broadcast(Vec.F, g[gi + 4]), g5 = FloatVector.broadcast(Vec.F, g[gi + 5]);
            FloatVector g6 = FloatVector.broadcast(Vec.F, g[gi + 6]), g7 = FloatVector.broadcast(Vec.F, g[gi + 7]);
            a4 = xa.fma(g4, a4);
            b4 = xb.fma(g4, b4);
            a5 = xa.fma(g5, a5);
            b5 = xb.fma(g5, b5);
            a6 = xa.fma(g6, a6);
            b6 = xb.fma(g6, b6);
            a7 = xa.fma(g7, a7);
            b7 = xb.fma(g7, b7);
        }
        a0.intoArray(dW, w0);
        b0.intoArray(dW, w0 + lanes);
        a1.intoArray(dW, w1);
        b1.intoArray(dW, w1 + lanes);
        a2.intoArray(dW, w2);
        b2.intoArray(dW, w2 + lanes);
        a3.intoArray(dW, w3);
        b3.intoArray(dW, w3 + lanes);
        a4.intoArray(dW, w4);
        b4.intoArray(dW, w4 + lanes);
        a5.intoArray(dW, w5);
        b5.intoArray(dW, w5 + lanes);
        a6.intoArray(dW, w6);
        b6.intoArray(dW, w6 + lanes);
        a7.intoArray(dW, w7);
        b7.intoArray(dW, w7 + lanes);
    }

    private static void eightRowsOneVector(float[] g, float[] x, int n, int rows, int cols, float[] dW, int r, int c) {
        int w0 = r * cols + c, w1 = w0 + cols, w2 = w1 + cols, w3 = w2 + cols, w4 = w3 + cols, w5 = w4 + cols, w6 = w5 + cols, w7 = w6 + cols;
        FloatVector a0 = FloatVector.fromArray(Vec.F, dW, w0), a1 = FloatVector.fromArray(Vec.F, dW, w1);
        FloatVector a2 = FloatVector.fromArray(Vec.F, dW, w2), a3 = FloatVector.fromArray(Vec.F, dW, w3);
        FloatVector a4 = FloatVector.fromArray(Vec.F, dW, w4), a5 = FloatVector.fromArray(Vec.F, dW, w5);
        FloatVector a6 = FloatVector.fromArray(Vec.F, dW, w6), a7 = FloatVector.fromArray(Vec.F, dW, w7);
        for (int t = 0, gi = r, xi = c; t < n; t++, gi += rows, xi += cols) {
            FloatVector xv = FloatVector.fromArray(Vec.F, x, xi);
            a0 = xv.fma(FloatVector.broadcast(Vec.F, g[gi]), a0);
            a1 = xv.fma(FloatVector.broadcast(Vec.F, g[gi + 1]), a1);
            a2 = xv.fma(FloatVector.broadcast(Vec.F, g[gi + 2]), a2);
            a3 = xv.fma(FloatVector.broadcast(Vec.F, g[gi + 3]), a3);
            a4 = xv.fma(FloatVector.broadcast(Vec.F, g[gi + 4]), a4);
            a5 = xv.fma(FloatVector.broadcast(Vec.F, g[gi + 5]), a5);
            a6 = xv.fma(FloatVector.broadcast(Vec.F, g[gi + 6]), a6);
            a7 = xv.fma(FloatVector.broadcast(Vec.F, g[gi + 7]), a7);
        }
        a0.intoArray(dW, w0);
        a1.intoArray(dW, w1);
        a2.intoArray(dW, w2);
        a3.intoArray(dW, w3);
        a4.intoArray(dW, w4);
        a5.intoArray(dW, w5);
        a6.intoArray(dW, w6);
        a7.intoArray(dW, w7);
    }

    /** One element of {@link #accumulate} in scalar: {@code acc + Σ_t g[t, r]·x[t, c]}, the same fma chain. */
    private static float column(float[] g, float[] x, int n, int rows, int cols, int r, int c, float acc) {
        for (int t = 0; t < n; t++) acc = Math.fma(x[t * cols + c], g[t * rows + r], acc);
        return acc;
    }
}
