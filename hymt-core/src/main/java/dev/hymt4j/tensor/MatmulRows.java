package dev.hymt4j.tensor;

/**
 * The row-parallel body of {@link Matrix#matmul}, its arguments in fields and one instance per thread: a
 * capturing lambda would allocate on every product (hundreds per decoded token). Bodies never nest on one
 * thread (a pool worker waiting for its own job only helps that job's leaf chunks), so reuse is safe.
 */
final class MatmulRows implements Parallel.RangeBody {
    private static final ThreadLocal<MatmulRows> BODY = ThreadLocal.withInitial(MatmulRows::new);

    private Matrix w;
    private float[] x, out;
    private int n;

    static void run(Matrix w, float[] x, int n, float[] out) {
        MatmulRows b = BODY.get();
        b.w = w;
        b.x = x;
        b.n = n;
        b.out = out;
        try {
            Parallel.forRange(w.rows(), 64, b);
        } finally {
            b.w = null;
            b.x = b.out = null;
        }
    }

    @Override
    public void run(int r0, int r1) {
        w.matmulRows(x, n, out, r0, r1);
    }
}
