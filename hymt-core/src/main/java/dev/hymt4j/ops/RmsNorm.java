package dev.hymt4j.ops;

import dev.hymt4j.tensor.Parallel;

/**
 * RMSNorm over rows of width {@code d} (spec §2.3; the per-head query/key norms are the same op with
 * {@code d = head_dim} and rows = tokens × heads). Statistics in double, the normalized value in float, then
 * times the weight. The weight is frozen, so backward yields the input gradient only. Parallel over rows;
 * each row is computed the same way whatever the split.
 */
public final class RmsNorm {
    private static final int ROWS_PER_CHUNK_FLOATS = 1 << 13;
    private static final ThreadLocal<Forward> FORWARD = ThreadLocal.withInitial(Forward::new);

    private RmsNorm() {}

    /**
     * {@code y = w ⊙ x · rstd}, {@code rstd = 1/√(mean(x²) + eps)}, saved per row for the backward pass.
     *
     * @param x    {@code [rows, d]}
     * @param y    {@code [rows, d]} out; may be {@code x}
     * @param rstd {@code [rows]} out
     */
    public static void forward(float[] x, float[] w, float eps, int rows, int d, float[] y, float[] rstd) {
        Forward f = FORWARD.get();
        f.x = x;
        f.w = w;
        f.eps = eps;
        f.d = d;
        f.y = y;
        f.rstd = rstd;
        try {
            Parallel.forRange(rows, Math.max(1, ROWS_PER_CHUNK_FLOATS / d), f);
        } finally {
            f.x = f.w = f.y = f.rstd = null;
        }
    }

    /** The forward body with its arguments in fields, one per thread (no capturing lambda per call). */
    private static final class Forward implements Parallel.RangeBody {
        float[] x, w, y, rstd;
        float eps;
        int d;

        @Override
        public void run(int r0, int r1) {
            for (int r = r0; r < r1; r++) {
                int o = r * d;
                double ss = 0;
                for (int i = 0; i < d; i++) ss += (double) x[o + i] * x[o + i];
                float s = (float) (1.0 / Math.sqrt((float) (ss / d) + eps));
                rstd[r] = s;
                for (int i = 0; i < d; i++) y[o + i] = w[i] * (x[o + i] * s);
            }
        }
    }

    /**
     * {@code dx += rstd·(w⊙dy) − x·rstd³/d·Σ(w⊙dy⊙x)}: the derivative of {@code x·rstd(x)} applied to the
     * weighted output gradient. Accumulates, because the input of every norm is a residual stream (or a fresh
     * zeroed buffer).
     *
     * @param x    {@code [rows, d]} the forward input
     * @param rstd {@code [rows]} from the forward pass
     * @param dy   {@code [rows, d]}
     * @param dx   {@code [rows, d]} accumulated into
     */
    public static void backward(float[] x, float[] w, float[] rstd, float[] dy, int rows, int d, float[] dx) {
        Parallel.forRange(rows, Math.max(1, ROWS_PER_CHUNK_FLOATS / d), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * d;
                double dot = 0;
                for (int i = 0; i < d; i++) dot += (double) w[i] * dy[o + i] * x[o + i];
                float s = rstd[r];
                float c = (float) (dot * s * s * s / d);
                for (int i = 0; i < d; i++) dx[o + i] += s * w[i] * dy[o + i] - c * x[o + i];
            }
        });
    }
}
