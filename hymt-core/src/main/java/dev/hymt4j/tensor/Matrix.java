package dev.hymt4j.tensor;

/**
 * A frozen weight matrix {@code W [rows, cols]} (PyTorch's Linear layout: rows = out features) in whatever
 * storage format (F32, BF16, F16 mapped from a checkpoint; quantized formats later). This is the seam
 * between the model and the kernels: the forward and backward passes only ever ask for {@code x·Wᵀ},
 * {@code g·W} and single rows, so a new format or backend implements these three and nothing else changes.
 */
public interface Matrix {
    int rows();

    int cols();

    /** A short name of the storage format, e.g. "BF16". */
    String format();

    /**
     * {@code out[t·rows + r] = Σ_c x[t·cols + c] · W[r, c]} for tokens {@code t < n} and rows
     * {@code r ∈ [r0, r1)}; single-threaded — callers split row ranges across threads.
     */
    void matmulRows(float[] x, int n, float[] out, int r0, int r1);

    /**
     * {@code out[t·cols + c] += Σ_{r∈[r0,r1)} g[t·rows + r] · W[r, c]} for columns {@code c ∈ [c0, c1)}: the
     * input-gradient product of the backward pass (and of embedding-style lookups); single-threaded.
     */
    void accumulateTransposed(float[] g, int n, float[] out, int c0, int c1);

    /** Decodes row {@code r} into {@code dst[off, off + cols)}. */
    void readRow(int r, float[] dst, int off);

    /** {@code out [n, rows] = x [n, cols] · Wᵀ}, multi-threaded over rows. */
    default void matmul(float[] x, int n, float[] out) {
        MatmulRows.run(this, x, n, out);
    }

    /** {@code out [n, cols] += g [n, rows] · W}, multi-threaded over columns. */
    default void matmulTransposedAccumulate(float[] g, int n, float[] out) {
        Parallel.forRange(cols(), 64, (c0, c1) -> accumulateTransposed(g, n, out, c0, c1));
    }
}
