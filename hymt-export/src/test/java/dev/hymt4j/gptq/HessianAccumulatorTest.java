package dev.hymt4j.gptq;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The Hessian against {@code (2/m) Σ x xᵀ} summed in float64 here, over sizes that hit every block and tail path. */
class HessianAccumulatorTest {
    @Test
    void equalsFloat64SumOverBlockAndTailSizes() {
        SplittableRandom random = new SplittableRandom(7);
        for (int n : new int[]{1, 2, 3, 4, 5, 7, 8, 11, 13, 16, 37, 67}) {
            // Token counts below, at and across the 128-token chunk; added in two calls of different sizes.
            for (int m : new int[]{1, 5, 127, 128, 129, 300}) {
                float[] x = new float[m * n];
                for (int i = 0; i < x.length; i++) x[i] = (float) random.nextDouble(-2, 2);
                int first = m / 3;
                HessianAccumulator acc = new HessianAccumulator(n);
                acc.add(java.util.Arrays.copyOfRange(x, 0, first * n), first);
                acc.add(java.util.Arrays.copyOfRange(x, first * n, m * n), m - first);
                assertEquals(m, acc.tokens());
                double[] h = acc.hessian();
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        double expected = 0, scale = 0;
                        for (int t = 0; t < m; t++) {
                            expected += (double) x[t * n + i] * x[t * n + j];
                            scale += Math.abs((double) x[t * n + i] * x[t * n + j]);
                        }
                        expected *= 2.0 / m;
                        scale *= 2.0 / m;
                        // Float dots over 128-token chunks: error ~ chunk · ulp of the absolute sum.
                        assertEquals(expected, h[i * n + j], 1e-6 * scale + 1e-30, "n " + n + ", m " + m + ", H[" + i + ", " + j + "]");
                    }
                }
            }
        }
    }

    @Test
    void isTakenOnce() {
        HessianAccumulator acc = new HessianAccumulator(3);
        assertThrows(IllegalStateException.class, acc::hessian);
        acc.add(new float[]{1, 2, 3}, 1);
        acc.hessian();
        assertThrows(IllegalStateException.class, () -> acc.add(new float[]{1, 2, 3}, 1));
    }
}
