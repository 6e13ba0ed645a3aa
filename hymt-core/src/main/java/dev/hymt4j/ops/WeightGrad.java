package dev.hymt4j.ops;

import dev.hymt4j.tensor.Parallel;
import jdk.incubator.vector.FloatVector;

/** The weight-gradient product of a linear layer, used for the trainable LoRA matrices only. */
public final class WeightGrad {
    private WeightGrad() {}

    /**
     * {@code dW[r, c] += Σ_t g[t·rows + r] · x[t·cols + c]} for {@code t < n}: {@code dW += gᵀ·x} for
     * {@code y = x·Wᵀ} with output gradient {@code g}. Parallel over rows of {@code dW}.
     *
     * <p>Each element is one chain of fused multiply-adds over the tokens in order, starting from its old value —
     * in the vector body and the scalar tail alike, so the split into threads or blocks changes nothing. Four rows
     * and one vector of columns stay in registers across the tokens (the row-at-a-time form re-read and re-wrote
     * the gradient row once per token and paid a call per row and token: 14% of a LoRA step's Java time).
     */
    public static void accumulate(float[] g, float[] x, int n, int rows, int cols, float[] dW) {
        Parallel.forRange(rows, Math.max(4, 4096 / Math.max(1, cols)), (r0, r1) -> {
            int lanes = Vec.F.length(), vectorCols = Vec.F.loopBound(cols);
            int r = r0;
            for (; r + 4 <= r1; r += 4) {
                int w0 = r * cols, w1 = w0 + cols, w2 = w1 + cols, w3 = w2 + cols;
                for (int c = 0; c < vectorCols; c += lanes) {
                    FloatVector a0 = FloatVector.fromArray(Vec.F, dW, w0 + c), a1 = FloatVector.fromArray(Vec.F, dW, w1 + c);
                    FloatVector a2 = FloatVector.fromArray(Vec.F, dW, w2 + c), a3 = FloatVector.fromArray(Vec.F, dW, w3 + c);
                    for (int t = 0, gi = r, xi = c; t < n; t++, gi += rows, xi += cols) {
                        FloatVector xv = FloatVector.fromArray(Vec.F, x, xi);
                        a0 = xv.fma(FloatVector.broadcast(Vec.F, g[gi]), a0);
                        a1 = xv.fma(FloatVector.broadcast(Vec.F, g[gi + 1]), a1);
                        a2 = xv.fma(FloatVector.broadcast(Vec.F, g[gi + 2]), a2);
                        a3 = xv.fma(FloatVector.broadcast(Vec.F, g[gi + 3]), a3);
                    }
                    a0.intoArray(dW, w0 + c);
                    a1.intoArray(dW, w1 + c);
                    a2.intoArray(dW, w2 + c);
                    a3.intoArray(dW, w3 + c);
                }
                for (int c = vectorCols; c < cols; c++) {
                    for (int j = 0; j < 4; j++) dW[w0 + j * cols + c] = column(g, x, n, rows, cols, r + j, c, dW[w0 + j * cols + c]);
                }
            }
            for (; r < r1; r++) {
                int w = r * cols;
                for (int c = 0; c < vectorCols; c += lanes) {
                    FloatVector a = FloatVector.fromArray(Vec.F, dW, w + c);
                    for (int t = 0, gi = r, xi = c; t < n; t++, gi += rows, xi += cols) a = FloatVector.fromArray(Vec.F, x, xi).fma(FloatVector.broadcast(Vec.F, g[gi]), a);
                    a.intoArray(dW, w + c);
                }
                for (int c = vectorCols; c < cols; c++) dW[w + c] = column(g, x, n, rows, cols, r, c, dW[w + c]);
            }
        });
    }

    /** One element of {@link #accumulate} in scalar: {@code acc + Σ_t g[t, r]·x[t, c]}, the same fma chain. */
    private static float column(float[] g, float[] x, int n, int rows, int cols, int r, int c, float acc) {
        for (int t = 0; t < n; t++) acc = Math.fma(x[t * cols + c], g[t * rows + r], acc);
        return acc;
    }
}
