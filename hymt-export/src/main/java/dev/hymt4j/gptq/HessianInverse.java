package dev.hymt4j.gptq;

import dev.hymt4j.tensor.Parallel;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * GPTQ's {@code Hinv}: the upper Cholesky factor {@code U} of {@code H⁻¹} ({@code H⁻¹ = UᵀU}), in float64.
 *
 * <p>The reference computes {@code chol(cholesky_inverse(chol(H)), upper)}: three cubic steps. The same factor
 * comes from two: factor {@code H = R·Rᵀ} with {@code R} upper triangular (Cholesky run from the last column
 * back), then {@code U = R⁻¹} — because {@code H⁻¹ = R⁻ᵀR⁻¹} and the upper Cholesky factor with positive
 * diagonal is unique. Both steps work in place in the upper triangle of a row-major {@code [n, n]} array, on
 * contiguous row suffixes (vector dots and axpys), and leave the strictly lower triangle — a copy of {@code H},
 * which is symmetric — untouched, so a failed factorization can be retried with more damping and the
 * reconstruction error can still be measured against the undamped {@code H}.
 */
final class HessianInverse {
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final int BLOCK = 32;

    private HessianInverse() {}

    /**
     * Replaces the upper triangle and diagonal of {@code h} by {@code U}. The diagonal holds {@code H}'s (damped)
     * diagonal on entry and its strictly upper triangle {@code H}'s upper triangle.
     *
     * @return false when {@code H} is not positive definite (nothing useful is left in the upper triangle)
     */
    static boolean upperCholeskyOfInverse(double[] h, int n) {
        if (!reverseCholesky(h, n)) return false;
        invertUpper(h, n);
        return true;
    }

    /** Copies the strictly lower triangle onto the upper one and restores {@code diagonal} (before a retry). */
    static void restoreUpper(double[] h, int n, double[] diagonal) {
        Parallel.forRange(n, 16, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                for (int j = i + 1; j < n; j++) h[i * n + j] = h[j * n + i];
                h[i * n + i] = diagonal[i];
            }
        });
    }

    /** {@code H = R·Rᵀ}, {@code R} upper, columns from the last: {@code R[i][j] = (H[i][j] − R[i][j+1:]·R[j][j+1:]) / R[j][j]}. */
    private static boolean reverseCholesky(double[] h, int n) {
        for (int j = n - 1; j >= 0; j--) {
            int jo = j * n;
            double d = h[jo + j] - dot(h, jo + j + 1, h, jo + j + 1, n - j - 1);
            if (!(d > 0)) return false;
            double rjj = Math.sqrt(d);
            h[jo + j] = rjj;
            int col = j;
            Parallel.forRange(j, 64, (i0, i1) -> {
                for (int i = i0; i < i1; i++) {
                    int io = i * n;
                    h[io + col] = (h[io + col] - dot(h, io + col + 1, h, jo + col + 1, n - col - 1)) / rjj;
                }
            });
        }
        return true;
    }

    /**
     * {@code U = R⁻¹} row by row: row i solves {@code u·R = e_i} by forward substitution as axpys of R's rows.
     * Rows of a block are computed in parallel into a buffer and written back together, because each reads the
     * rows of R below it.
     */
    private static void invertUpper(double[] h, int n) {
        double[] block = new double[BLOCK * n];
        for (int i0 = 0; i0 < n; i0 += BLOCK) {
            int first = i0, count = Math.min(BLOCK, n - i0);
            Parallel.forRange(count, 1, (b0, b1) -> {
                for (int b = b0; b < b1; b++) {
                    int i = first + b, off = b * n;
                    java.util.Arrays.fill(block, off + i, off + n, 0.0);
                    for (int k = i; k < n; k++) {
                        // block[off + k] accumulated Σ u_m R[m][k] over m < k; u_k closes the equation for column k.
                        double u = ((k == i ? 1.0 : 0.0) - block[off + k]) / h[k * n + k];
                        block[off + k] = u;
                        axpy(u, h, k * n + k + 1, block, off + k + 1, n - k - 1);
                    }
                }
            });
            for (int b = 0; b < count; b++) {
                int i = first + b;
                System.arraycopy(block, b * n + i, h, i * n + i, n - i);
            }
        }
    }

    static double dot(double[] a, int ao, double[] b, int bo, int len) {
        DoubleVector acc = DoubleVector.zero(D);
        int i = 0, upper = D.loopBound(len);
        for (; i < upper; i += D.length()) {
            acc = DoubleVector.fromArray(D, a, ao + i).fma(DoubleVector.fromArray(D, b, bo + i), acc);
        }
        double s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < len; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    /** {@code y[yo + i] += a · x[xo + i]}. */
    static void axpy(double a, double[] x, int xo, double[] y, int yo, int len) {
        DoubleVector av = DoubleVector.broadcast(D, a);
        int i = 0, upper = D.loopBound(len);
        for (; i < upper; i += D.length()) {
            DoubleVector.fromArray(D, x, xo + i).fma(av, DoubleVector.fromArray(D, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < len; i++) y[yo + i] += a * x[xo + i];
    }
}
