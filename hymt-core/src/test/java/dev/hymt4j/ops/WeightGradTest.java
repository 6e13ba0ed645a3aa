package dev.hymt4j.ops;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WeightGradTest {

    /**
     * Against a float64 sum and, bit for bit, against one scalar fma chain per element over the tokens in order: row
     * counts below, at and past the 8-row tile, column counts at and past one and two vectors (16 lanes at 512 bits),
     * and sizes large enough to be split across threads.
     */
    @Test
    void matchesTheReferenceOnOddAndTailShapes() {
        SplittableRandom rng = new SplittableRandom(7);
        int[] rowCounts = {1, 3, 4, 5, 8, 9, 16, 17, 24, 41};
        int[] colCounts = {1, 7, 15, 16, 17, 31, 32, 33, 47, 48, 64, 100, 200};
        int[] tokenCounts = {0, 1, 2, 5, 13, 40};
        for (int rows : rowCounts) {
            for (int cols : colCounts) {
                for (int n : tokenCounts) {
                    float[] g = random(rng, n * rows), x = random(rng, n * cols), dW = random(rng, rows * cols);
                    float[] chain = dW.clone();
                    double[] exact = new double[rows * cols];
                    for (int r = 0; r < rows; r++) {
                        for (int c = 0; c < cols; c++) {
                            double sum = dW[r * cols + c];
                            float acc = dW[r * cols + c];
                            for (int t = 0; t < n; t++) {
                                sum += (double) g[t * rows + r] * x[t * cols + c];
                                acc = Math.fma(x[t * cols + c], g[t * rows + r], acc);
                            }
                            exact[r * cols + c] = sum;
                            chain[r * cols + c] = acc;
                        }
                    }
                    WeightGrad.accumulate(g, x, n, rows, cols, dW);
                    for (int i = 0; i < dW.length; i++) {
                        String at = "rows " + rows + " cols " + cols + " n " + n + " element " + i;
                        assertEquals(Float.floatToRawIntBits(chain[i]), Float.floatToRawIntBits(dW[i]), at);
                        assertEquals(exact[i], dW[i], 1e-5 * (1 + Math.abs(exact[i])), at);
                    }
                }
            }
        }
    }

    private static float[] random(SplittableRandom rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rng.nextDouble() * 2 - 1);
        return a;
    }
}
