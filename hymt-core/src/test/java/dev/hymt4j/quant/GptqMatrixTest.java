package dev.hymt4j.quant;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The GPTQ int Matrix against a float64 product of the dequantization formula written here (spec §4.6). */
class GptqMatrixTest {

    /** A random quantized linear: codes, F16-exact scales, zeros, and optionally a shuffled act-order g_idx. */
    record Case(int rows, int cols, int bits, int groupSize, int[] codes, double[] scales, int[] zeros, int[] gIdx, boolean v2) {
        int group(int c) {
            return gIdx == null ? c / (groupSize < 0 ? cols : groupSize) : gIdx[c];
        }

        /** {@code scales[g][o] · (q[o][i] − zero[g][o])}, in double. */
        double weight(int o, int i) {
            int g = group(i);
            return scales[g * rows + o] * (codes[o * cols + i] - zeros[g * rows + o]);
        }

        GptqMatrix matrix() {
            return GptqMatrix.pack(rows, cols, bits, groupSize, codes, scales, zeros, gIdx, v2);
        }
    }

    static Case randomCase(Random random, int rows, int cols, int bits, int groupSize, boolean actOrder, boolean v2) {
        int gs = groupSize < 0 ? cols : groupSize, groups = (cols + gs - 1) / gs, maxq = (1 << bits) - 1;
        int[] codes = new int[rows * cols], zeros = new int[groups * rows];
        double[] scales = new double[groups * rows];
        for (int i = 0; i < codes.length; i++) codes[i] = random.nextInt(maxq + 1);
        for (int i = 0; i < scales.length; i++) {
            scales[i] = Float.float16ToFloat(Float.floatToFloat16((float) (0.001 + 0.01 * random.nextDouble())));
            zeros[i] = (v2 ? 0 : 1) + random.nextInt(maxq);
        }
        int[] gIdx = null;
        if (actOrder) {
            // As act-order writes it: a random column order, split into consecutive groups of gs.
            int[] perm = shuffled(random, cols);
            gIdx = new int[cols];
            for (int rank = 0; rank < cols; rank++) gIdx[perm[rank]] = rank / gs;
        }
        return new Case(rows, cols, bits, groupSize, codes, scales, zeros, gIdx, v2);
    }

    static int[] shuffled(Random random, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1), t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    static float[] randomVector(Random random, int length) {
        float[] x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float) random.nextGaussian();
        return x;
    }

    @Test
    void readRowIsTheDequantizationFormulaExactly() {
        Random random = new Random(1);
        for (int bits : GptqConfig.SUPPORTED_BITS) {
            for (boolean actOrder : new boolean[]{false, true}) {
                Case c = randomCase(random, 48, 96, bits, 32, actOrder, bits == 2);
                GptqMatrix m = c.matrix();
                float[] row = new float[c.cols()];
                for (int o = 0; o < c.rows(); o++) {
                    m.readRow(o, row, 0);
                    // F16 scale × small integer is exact in float32.
                    for (int i = 0; i < c.cols(); i++) assertEquals((float) c.weight(o, i), row[i], 0f, "bits " + bits + " (" + o + ", " + i + ")");
                }
                assertEquals(!actOrder, m.naturalOrder());
            }
        }
    }

    @Test
    void matmulMatchesFloat64ReferenceOnManyShapes() {
        Random random = new Random(2);
        int[][] shapes = {{8, 16}, {16, 32}, {24, 64}, {40, 128}, {72, 160}, {136, 256}, {8, 384}};
        for (int[] shape : shapes) {
            for (int bits : GptqConfig.SUPPORTED_BITS) {
                int pf = 32 / bits;
                if (shape[0] % pf != 0 || shape[1] % pf != 0) continue;
                for (int groupSize : new int[]{-1, 16, 32, 128}) {
                    for (boolean actOrder : new boolean[]{false, true}) {
                        Case c = randomCase(random, shape[0], shape[1], bits, groupSize, actOrder, false);
                        GptqMatrix m = c.matrix();
                        int n = 1 + random.nextInt(9);
                        float[] x = randomVector(random, n * c.cols()), out = new float[n * c.rows()];
                        m.matmul(x, n, out);
                        double err = 0, norm = 0;
                        for (int t = 0; t < n; t++) {
                            for (int o = 0; o < c.rows(); o++) {
                                double ref = 0;
                                for (int i = 0; i < c.cols(); i++) ref += c.weight(o, i) * x[t * c.cols() + i];
                                err += (ref - out[t * c.rows() + o]) * (ref - out[t * c.rows() + o]);
                                norm += ref * ref;
                            }
                        }
                        assertTrue(Math.sqrt(err / norm) < 1e-6, "rel L2 " + Math.sqrt(err / norm) + " shape " + shape[0] + "x" + shape[1]
                                + " bits " + bits + " gs " + groupSize + " act " + actOrder);
                    }
                }
            }
        }
    }

    @Test
    void everyTokenAndRowIsBitIdenticalWhateverTheBatchAndRowSplit() {
        Random random = new Random(3);
        for (boolean actOrder : new boolean[]{false, true}) {
            Case c = randomCase(random, 88, 256, 4, 64, actOrder, false);
            GptqMatrix m = c.matrix();
            int n = 11;
            float[] x = randomVector(random, n * c.cols());
            float[] all = new float[n * c.rows()];
            m.matmulRows(x, n, all, 0, c.rows());
            for (int t = 0; t < n; t++) {
                float[] one = new float[c.rows()];
                float[] xt = java.util.Arrays.copyOfRange(x, t * c.cols(), (t + 1) * c.cols());
                // Odd row splits put different rows into the vector lanes and the scalar tail.
                int split = 1 + random.nextInt(c.rows() - 1);
                m.matmulRows(xt, 1, one, 0, split);
                m.matmulRows(xt, 1, one, split, c.rows());
                assertArrayEquals(java.util.Arrays.copyOfRange(all, t * c.rows(), (t + 1) * c.rows()), one, "token " + t);
            }
        }
    }

    @Test
    void accumulateTransposedMatchesFloat64Reference() {
        Random random = new Random(4);
        for (boolean actOrder : new boolean[]{false, true}) {
            Case c = randomCase(random, 40, 96, 4, 32, actOrder, true);
            GptqMatrix m = c.matrix();
            int n = 3;
            float[] g = randomVector(random, n * c.rows()), out = new float[n * c.cols()];
            m.matmulTransposedAccumulate(g, n, out);
            for (int t = 0; t < n; t++) {
                for (int i = 0; i < c.cols(); i++) {
                    double ref = 0;
                    for (int o = 0; o < c.rows(); o++) ref += g[t * c.rows() + o] * c.weight(o, i);
                    assertEquals(ref, out[t * c.cols() + i], 1e-5 * (1 + Math.abs(ref)));
                }
            }
        }
    }

    @Test
    void groupOfEachColumnFollowsGIdx() {
        Case c = randomCase(new Random(5), 16, 64, 4, 16, true, false);
        GptqMatrix m = c.matrix();
        for (int i = 0; i < c.cols(); i++) assertEquals(c.gIdx()[i], m.group(i));
        assertFalse(m.naturalOrder());
        assertEquals("GPTQ-INT4", m.format());
    }
}
