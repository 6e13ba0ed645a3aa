package dev.hymt4j.gptq;

import dev.hymt4j.tensor.MappedMatrix;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our GPTQ against a float64 transcription of the reference {@code fasterquant} (AutoGPTQ {@code gptq.py},
 * formats spec §4.3–4.4) written here with plain loops in the reference's own shape: {@code W} and {@code W1}
 * as [rows, cols] copies, {@code Hinv = chol(cholesky_inverse(chol(H)), upper)} in three steps, the per-column
 * outer-product update and the lazy {@code Err1 · Hinv} block update. Same Hessian, same column order; the
 * weights entering the quantizer must agree to 1e-6 and every code, scale, zero and g_idx exactly.
 */
class GptqOracleTest {

    // ---------------------------------------------------------------- the oracle

    /** Quantizer parameters of one row (spec §4.3) with our documented storage rules (F16 scale, v1 zero ≥ 1). */
    record Params(double[] scale, int[] zero) {}

    static Params findParams(double[][] w, int c0, int c1, GptqOptions o) {
        int rows = w.length, maxq = (1 << o.bits()) - 1;
        double[] scale = new double[rows];
        int[] zero = new int[rows];
        for (int r = 0; r < rows; r++) {
            double xmin = 0, xmax = 0;
            for (int c = c0; c < c1; c++) {
                xmin = Math.min(xmin, w[r][c]);
                xmax = Math.max(xmax, w[r][c]);
            }
            if (o.sym()) {
                xmax = Math.max(Math.abs(xmin), xmax);
                if (xmin < 0) xmin = -xmax;
            }
            if (xmin == 0 && xmax == 0) {
                xmin = -1;
                xmax = 1;
            }
            double s = (xmax - xmin) / maxq;
            if (o.f16Scales()) s = Float.float16ToFloat(Float.floatToFloat16((float) s));
            int z = o.sym() ? (maxq + 1) / 2 : (int) Math.rint(-xmin / s);
            if (!o.sym() && !o.v2()) z = Math.max(1, z);
            scale[r] = s;
            zero[r] = z;
        }
        return new Params(scale, zero);
    }

    static int quantize(double x, double scale, int zero, int maxq) {
        return (int) Math.min(maxq, Math.max(0, Math.rint(x / scale) + zero));
    }

    record Oracle(int[][] codes, double[][] pre, List<Params> groups, int[] gIdx) {}

    static Oracle fasterquant(double[][] w0, double[][] h0, GptqOptions o) {
        int rows = w0.length, cols = w0[0].length, maxq = (1 << o.bits()) - 1, gs = o.groupSize(), bs = o.blockSize();
        double[][] W = deepCopy(w0), H = deepCopy(h0);
        Params quantizer = findParams(W, 0, cols, o);
        for (int j = 0; j < cols; j++) {
            if (H[j][j] == 0) {
                H[j][j] = 1;
                for (int r = 0; r < rows; r++) W[r][j] = 0;
            }
        }
        List<Params> staticGroups = new ArrayList<>();
        if (o.staticGroups()) for (int i = 0; i < cols; i += gs) staticGroups.add(findParams(W, i, Math.min(cols, i + gs), o));
        int[] perm = IntStream.range(0, cols).toArray();
        if (o.actOrder()) {
            double[][] hh = H;
            perm = IntStream.range(0, cols).boxed().sorted(Comparator.comparingDouble((Integer j) -> -hh[j][j]).thenComparingInt(j -> j))
                    .mapToInt(Integer::intValue).toArray();
            double[][] Wp = new double[rows][cols], Hp = new double[cols][cols];
            for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) Wp[r][c] = W[r][perm[c]];
            for (int a = 0; a < cols; a++) for (int b = 0; b < cols; b++) Hp[a][b] = H[perm[a]][perm[b]];
            W = Wp;
            H = Hp;
        }
        double mean = 0;
        for (int j = 0; j < cols; j++) mean += H[j][j];
        mean /= cols;
        for (int j = 0; j < cols; j++) H[j][j] += o.damp() * mean;
        double[][] Hinv = upper(choleskyLower(cholesky_inverse(choleskyLower(H))));

        int[][] codes = new int[rows][cols];
        double[][] pre = new double[rows][cols];
        List<Params> groups = new ArrayList<>();
        for (int i1 = 0; i1 < cols; i1 += bs) {
            int i2 = Math.min(i1 + bs, cols), count = i2 - i1;
            double[][] W1 = new double[rows][count], Err1 = new double[rows][count];
            for (int r = 0; r < rows; r++) for (int i = 0; i < count; i++) W1[r][i] = W[r][i1 + i];
            for (int i = 0; i < count; i++) {
                int c = i1 + i;
                double d = Hinv[c][c];
                if (gs != -1) {
                    if (!o.staticGroups()) {
                        if (c % gs == 0) {
                            quantizer = findParams(W, c, Math.min(cols, c + gs), o);    // the global W
                            groups.add(quantizer);
                        }
                    } else {
                        quantizer = staticGroups.get((o.actOrder() ? perm[c] : c) / gs);
                    }
                }
                for (int r = 0; r < rows; r++) {
                    double x = W1[r][i];
                    pre[r][c] = x;
                    int q = quantize(x, quantizer.scale[r], quantizer.zero[r], maxq);
                    codes[r][c] = q;
                    double err1 = (x - quantizer.scale[r] * (q - quantizer.zero[r])) / d;
                    for (int j = i; j < count; j++) W1[r][j] -= err1 * Hinv[c][i1 + j];
                    Err1[r][i] = err1;
                }
            }
            for (int r = 0; r < rows; r++) {
                for (int j = i2; j < cols; j++) {
                    double s = 0;
                    for (int i = 0; i < count; i++) s += Err1[r][i] * Hinv[i1 + i][j];
                    W[r][j] -= s;
                }
            }
        }
        if (gs == -1) groups.add(quantizer);
        if (o.staticGroups()) groups = staticGroups;
        int[] gIdx = new int[cols];
        int g = gs == -1 ? cols : gs;
        for (int c = 0; c < cols; c++) gIdx[c] = c / g;
        // Un-permute: Q = Q[:, invperm]; g_idx = g_idx[invperm] (static groups keep the natural g_idx).
        int[][] codesNatural = new int[rows][cols];
        double[][] preNatural = new double[rows][cols];
        int[] gIdxNatural = new int[cols];
        for (int c = 0; c < cols; c++) {
            for (int r = 0; r < rows; r++) {
                codesNatural[r][perm[c]] = codes[r][c];
                preNatural[r][perm[c]] = pre[r][c];
            }
            gIdxNatural[perm[c]] = o.staticGroups() ? perm[c] / g : gIdx[c];
        }
        return new Oracle(codesNatural, preNatural, groups, gIdxNatural);
    }

    /** torch.linalg.cholesky: lower L with H = L Lᵀ. */
    static double[][] choleskyLower(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int j = 0; j < n; j++) {
            double s = a[j][j];
            for (int k = 0; k < j; k++) s -= l[j][k] * l[j][k];
            l[j][j] = Math.sqrt(s);
            for (int i = j + 1; i < n; i++) {
                double t = a[i][j];
                for (int k = 0; k < j; k++) t -= l[i][k] * l[j][k];
                l[i][j] = t / l[j][j];
            }
        }
        return l;
    }

    /** torch.cholesky_inverse: (L Lᵀ)⁻¹ = L⁻ᵀ L⁻¹. */
    static double[][] cholesky_inverse(double[][] l) {
        int n = l.length;
        double[][] inv = new double[n][n];          // L⁻¹, lower
        for (int c = 0; c < n; c++) {
            for (int r = c; r < n; r++) {
                double s = r == c ? 1 : 0;
                for (int k = c; k < r; k++) s -= l[r][k] * inv[k][c];
                inv[r][c] = s / l[r][r];
            }
        }
        double[][] out = new double[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                double s = 0;
                for (int k = Math.max(a, b); k < n; k++) s += inv[k][a] * inv[k][b];
                out[a][b] = s;
            }
        }
        return out;
    }

    /** torch.linalg.cholesky(A, upper=True) = Lᵀ. */
    static double[][] upper(double[][] l) {
        int n = l.length;
        double[][] u = new double[n][n];
        for (int a = 0; a < n; a++) for (int b = 0; b < n; b++) u[a][b] = l[b][a];
        return u;
    }

    static double[][] deepCopy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) c[i] = a[i].clone();
        return c;
    }

    // ---------------------------------------------------------------- fixtures and checks

    /** Correlated calibration inputs (a random mixing of Gaussian sources), some columns always zero ("dead"). */
    static float[] calibration(Random random, int tokens, int cols, int... deadColumns) {
        int sources = cols / 2 + 3;
        double[][] mix = new double[sources][cols];
        for (double[] row : mix) for (int c = 0; c < cols; c++) row[c] = random.nextGaussian() * (0.2 + (c % 7) / 7.0);
        float[] x = new float[tokens * cols];
        for (int t = 0; t < tokens; t++) {
            double[] z = new double[sources];
            for (int s = 0; s < sources; s++) z[s] = random.nextGaussian();
            for (int c = 0; c < cols; c++) {
                double v = 0.3 * random.nextGaussian();
                for (int s = 0; s < sources; s++) v += z[s] * mix[s][c];
                x[t * cols + c] = (float) v;
            }
            for (int d : deadColumns) x[t * cols + d] = 0;
        }
        return x;
    }

    static float[] weights(Random random, int rows, int cols) {
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) (0.05 * random.nextGaussian() + (i % 11 == 0 ? 0.02 : 0));
        return w;
    }

    /** Calibration in batches of different lengths, through our accumulator: the Hessian both sides use. */
    static double[] hessian(float[] x, int tokens, int cols, int... batches) {
        HessianAccumulator acc = new HessianAccumulator(cols);
        int done = 0;
        for (int b : batches) {
            acc.add(java.util.Arrays.copyOfRange(x, done * cols, (done + b) * cols), b);
            done += b;
        }
        acc.add(java.util.Arrays.copyOfRange(x, done * cols, tokens * cols), tokens - done);
        return acc.hessian();
    }

    static void check(GptqOptions o, int rows, int cols, long seed, int... dead) {
        Random random = new Random(seed);
        int tokens = 2 * cols + 37;
        float[] x = calibration(random, tokens, cols, dead), w = weights(random, rows, cols);
        double[] h = hessian(x, tokens, cols, 100, 57, 3);
        // The oracle's own Hessian: 2/n Σ x xᵀ in plain float64 loops; ours must be the same matrix.
        double[][] h2 = new double[cols][cols], w2 = new double[rows][cols];
        for (int t = 0; t < tokens; t++) for (int a = 0; a < cols; a++) for (int b = 0; b < cols; b++) h2[a][b] += (double) x[t * cols + a] * x[t * cols + b];
        for (int a = 0; a < cols; a++) {
            for (int b = 0; b < cols; b++) {
                h2[a][b] *= 2.0 / tokens;
                assertEquals(h2[a][b], h[a * cols + b], 1e-5 * (1 + Math.abs(h2[a][b])), "H[" + a + "][" + b + "]");
            }
        }
        double[][] hSame = new double[cols][cols];
        for (int a = 0; a < cols; a++) for (int b = 0; b < cols; b++) hSame[a][b] = h[a * cols + b];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) w2[r][c] = w[r * cols + c];
        Oracle ref = fasterquant(w2, hSame, o);

        Gptq.Result ours = Gptq.quantize(MappedMatrix.ofFloats(w, rows, cols), h.clone(), o, true);
        String what = o.toString();
        double maxDiff = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) maxDiff = Math.max(maxDiff, Math.abs(ref.pre()[r][c] - ours.preRounding()[r * cols + c]));
        }
        assertTrue(maxDiff < 1e-6, "weights before rounding differ by " + maxDiff + " for " + what);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) assertEquals(ref.codes()[r][c], ours.codes()[r * cols + c], "code (" + r + ", " + c + ") " + what);
        }
        assertArrayEquals(ref.gIdx(), ours.gIdx(), "g_idx " + what);
        assertEquals(ref.groups().size(), ours.groups(), "groups " + what);
        for (int g = 0; g < ref.groups().size(); g++) {
            for (int r = 0; r < rows; r++) {
                assertEquals(ref.groups().get(g).scale()[r], ours.scales()[g * rows + r], 0.0, "scale g" + g + " r" + r + " " + what);
                assertEquals(ref.groups().get(g).zero()[r], ours.zeros()[g * rows + r], "zero g" + g + " r" + r + " " + what);
            }
        }
        assertEquals(o.damp(), ours.damp(), 0.0);
        assertTrue(ours.error() > 0 && ours.error() < 0.1, "relative output error " + ours.error());
    }

    @Test
    void defaultsFourBitGroup128() {
        check(GptqOptions.DEFAULT, 24, 256, 1);
    }

    @Test
    void groupSmallerThanBlockRefitsFromTheGlobalWeights() {
        check(GptqOptions.DEFAULT.withGroupSize(32), 16, 192, 2);
    }

    @Test
    void wholeRowGroupWithDeadColumns() {
        check(GptqOptions.DEFAULT.withGroupSize(-1).withBlockSize(48), 16, 160, 3, 5, 77);
    }

    @Test
    void actOrder() {
        check(GptqOptions.DEFAULT.withGroupSize(32).withActOrder(true), 16, 128, 4, 9);
    }

    @Test
    void staticGroupsWithAndWithoutActOrder() {
        check(GptqOptions.DEFAULT.withGroupSize(32).withStaticGroups(true), 16, 128, 5);
        check(GptqOptions.DEFAULT.withGroupSize(32).withStaticGroups(true).withActOrder(true), 16, 128, 6, 3);
    }

    @Test
    void asymmetricV1AndV2() {
        check(GptqOptions.DEFAULT.withSym(false).withGroupSize(64), 16, 128, 7);
        check(GptqOptions.DEFAULT.withSym(false).withGroupSize(64).withV2(true), 16, 128, 8);
    }

    @Test
    void twoAndEightBitsAndReferenceFloatScales() {
        check(GptqOptions.DEFAULT.withBits(2).withGroupSize(32), 16, 128, 9);
        check(GptqOptions.DEFAULT.withBits(8).withGroupSize(64), 16, 128, 10);
        check(GptqOptions.DEFAULT.withF16Scales(false).withGroupSize(64), 16, 128, 11);
    }

    @Test
    void gptqBeatsRoundToNearestOnOutputError() {
        Random random = new Random(12);
        int rows = 32, cols = 256, tokens = 700;
        float[] x = calibration(random, tokens, cols), w = weights(random, rows, cols);
        double[] h = hessian(x, tokens, cols);
        Gptq.Result rtn = Gptq.roundToNearest(MappedMatrix.ofFloats(w, rows, cols), h, GptqOptions.DEFAULT);
        Gptq.Result gptq = Gptq.quantize(MappedMatrix.ofFloats(w, rows, cols), h.clone(), GptqOptions.DEFAULT, false);
        // The output error measured directly on the calibration tokens, written here: Σ ((w − q)·x)² / Σ (w·x)².
        double[] direct = new double[2];
        for (Gptq.Result r : new Gptq.Result[]{rtn, gptq}) {
            double e = 0, ref = 0;
            for (int t = 0; t < tokens; t++) {
                for (int o = 0; o < rows; o++) {
                    double y = 0, yq = 0;
                    for (int i = 0; i < cols; i++) {
                        y += w[o * cols + i] * x[t * cols + i];
                        yq += r.dequantized(o, i) * x[t * cols + i];
                    }
                    e += (y - yq) * (y - yq);
                    ref += y * y;
                }
            }
            assertEquals(e / ref, r.error(), 1e-6 * (1 + e / ref), "error measure");
            direct[r == rtn ? 0 : 1] = e / ref;
        }
        assertTrue(direct[1] < 0.8 * direct[0], "GPTQ " + direct[1] + " vs RTN " + direct[0]);
    }
}
