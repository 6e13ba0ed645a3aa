package dev.hymt4j.ops;

import dev.hymt4j.tensor.Parallel;

/** The weight-gradient product of a linear layer, used for the trainable LoRA matrices only. */
public final class WeightGrad {
    private WeightGrad() {}

    /**
     * {@code dW[r, c] += Σ_t g[t·rows + r] · x[t·cols + c]} for {@code t < n}: {@code dW += gᵀ·x} for
     * {@code y = x·Wᵀ} with output gradient {@code g}. Parallel over rows of {@code dW}.
     */
    public static void accumulate(float[] g, float[] x, int n, int rows, int cols, float[] dW) {
        Parallel.forRange(rows, Math.max(1, 4096 / Math.max(1, cols)), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                for (int t = 0; t < n; t++) {
                    float gv = g[t * rows + r];
                    if (gv != 0f) Vec.axpy(gv, x, t * cols, dW, r * cols, cols);
                }
            }
        });
    }
}
