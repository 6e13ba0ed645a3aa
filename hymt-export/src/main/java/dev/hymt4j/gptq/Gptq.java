package dev.hymt4j.gptq;

import dev.hymt4j.tensor.Matrix;
import dev.hymt4j.tensor.Parallel;

import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * GPTQ for one linear layer (Frantar et al. 2022; formats spec §4.4 — AutoGPTQ's {@code fasterquant}), in
 * float64, and round-to-nearest with the same quantizer as the baseline it is judged against.
 *
 * <p>Steps as the reference: per-row quantizer over the whole row first (what group size −1 uses); dead
 * columns ({@code H[j][j] = 0}) get {@code H[j][j] = 1} and zero weights; static groups fitted before any
 * update; act-order permutes columns by the Hessian diagonal, descending (ties: lower column first — PyTorch's
 * argsort leaves them unspecified); damping {@code damp · mean(diag H)}; {@code Hinv} = upper Cholesky factor of
 * {@code H⁻¹}; columns in blocks with in-block error feedback and a lazy update of the columns after the block;
 * non-static groups refitted at {@code c % group_size == 0} from the weights as the <em>global</em> matrix holds
 * them then (previous blocks' updates, not this block's — as the reference does for group sizes below the block
 * size).
 *
 * <p>Output rows are independent given {@code Hinv}, so rows are processed in tiles in parallel; a tile streams
 * each row of {@code Hinv} once for all its rows.
 */
public final class Gptq {
    /** Rows processed together: each Hinv row is read once per tile. */
    private static final int TILE = 32;
    /**
     * The output error is measured on every row of matrices up to this many rows, and on an evenly strided sample
     * of about this many rows beyond (it costs rows × cols² / 2 multiply-adds per measured row set).
     */
    private static final int ERROR_ROWS = 256;

    private Gptq() {}

    /**
     * The quantized linear.
     *
     * @param codes        integer codes {@code [rows, cols]} in the original column order
     * @param scales       {@code [groups, rows]}, exactly representable in F16 when {@code f16Scales}
     * @param zeros        true zero points {@code [groups, rows]}
     * @param gIdx         the group of each input column {@code [cols]}
     * @param preRounding  {@code [rows, cols]}: each weight as it entered the quantizer (after the error feedback
     *                     of earlier columns), if asked for; else null
     * @param damp         the damping fraction that gave a positive definite H (≥ the requested one)
     * @param error        relative output error {@code Σ (w−q)ᵀH(w−q) / Σ wᵀHw} over the rows (a strided sample of
     *                     about 256 rows for larger matrices), with the undamped H: the mean squared error of the
     *                     layer's outputs on the calibration tokens, relative
     */
    public record Result(int rows, int cols, int groupSize, int[] codes, double[] scales, int[] zeros, int[] gIdx,
                         double[] preRounding, double damp, double error) {
        public int groups() {
            return scales.length / rows;
        }

        /** The fake-quantized weight (o, i): {@code scale · (code − zero)} of its group. */
        public double dequantized(int o, int i) {
            int g = gIdx[i];
            return Quantizer.dequantize(codes[o * cols + i], scales[g * rows + o], zeros[g * rows + o]);
        }

        /** True when {@code g_idx[i] = i / group_size} (no act-order permutation to store). */
        public boolean naturalGroups() {
            for (int i = 0; i < cols; i++) if (gIdx[i] != i / groupSize) return false;
            return true;
        }
    }

    /**
     * Quantizes {@code w [rows, cols]} given the Hessian {@code h [cols, cols]} (row-major, symmetric,
     * {@code 2/n Σ x xᵀ}); {@code h} is used as workspace and holds garbage afterwards.
     */
    public static Result quantize(Matrix w, double[] h, GptqOptions o, boolean keepPreRounding) {
        int rows = w.rows(), n = w.cols();
        if (h.length != (long) n * n) throw new IllegalArgumentException("Hessian has " + h.length + " entries for " + n + " columns");
        boolean wholeRow = o.groupSize() < 0;
        int gs = wholeRow ? n : o.groupSize(), groups = (n + gs - 1) / gs;
        Quantizer quantizer = o.quantizer();

        double[] original = new double[n];
        boolean[] dead = new boolean[n];
        for (int j = 0; j < n; j++) {
            original[j] = h[j * n + j];
            dead[j] = original[j] == 0;
            if (dead[j]) h[j * n + j] = 1;
        }
        int[] perm = o.actOrder() ? descendingDiagonal(h, n) : IntStream.range(0, n).toArray();
        if (o.actOrder()) permuteSymmetric(h, n, perm);
        double[] base = new double[n], originalPermuted = new double[n];
        double mean = 0;
        for (int j = 0; j < n; j++) {
            base[j] = h[j * n + j];
            originalPermuted[j] = original[perm[j]];
            mean += base[j];
        }
        mean /= n;
        double damp = o.damp();
        while (true) {
            for (int j = 0; j < n; j++) h[j * n + j] = base[j] + damp * mean;
            if (HessianInverse.upperCholeskyOfInverse(h, n)) break;
            HessianInverse.restoreUpper(h, n, base);
            damp += o.dampIncrement();
            if (o.dampIncrement() <= 0 || damp >= 1) {
                throw new ArithmeticException("the Hessian is not positive definite even with damp " + damp
                        + " (too few or degenerate calibration tokens?)");
            }
        }

        int[] codes = new int[rows * n], zeros = new int[groups * rows], gIdx = new int[n];
        double[] scales = new double[groups * rows];
        double[] pre = keepPreRounding ? new double[rows * n] : null;
        for (int c = 0; c < n; c++) {
            // Non-static groups follow processing order; static groups (and act-order off) the natural one.
            gIdx[perm[c]] = o.staticGroups() ? perm[c] / gs : c / gs;
        }
        double[] errorParts = new double[2];
        Parallel.forRange(rows, TILE, (r0, r1) -> {
            double[] part = new double[2];
            for (int t0 = r0; t0 < r1; t0 += TILE) {
                quantizeTile(w, t0, Math.min(TILE, r1 - t0), h, n, wholeRow, gs, groups, perm, gIdx, dead, quantizer, o,
                        codes, scales, zeros, pre, originalPermuted, part);
            }
            synchronized (errorParts) {
                errorParts[0] += part[0];
                errorParts[1] += part[1];
            }
        });
        double error = errorParts[1] == 0 ? 0 : errorParts[0] / errorParts[1];
        return new Result(rows, n, gs, codes, scales, zeros, gIdx, pre, damp, error);
    }

    /** Rows {@code [t0, t0 + count)} through the whole column loop; adds their output error to {@code errorParts}. */
    private static void quantizeTile(Matrix w, int t0, int count, double[] hinv, int n, boolean wholeRow, int gs, int groups,
                                     int[] perm, int[] gIdx, boolean[] dead, Quantizer quantizer, GptqOptions o, int[] codes, double[] scales,
                                     int[] zeros, double[] pre, double[] hDiagonal, double[] errorParts) {
        int rows = w.rows(), bs = o.blockSize();
        float[] row = new float[n];
        double[][] wp = new double[count][n], original = new double[count][n];
        double[] scale = new double[count], staticScale = new double[count * groups];
        int[] zero = new int[count], staticZero = new int[count * groups];
        double[] natural = new double[n];
        for (int t = 0; t < count; t++) {
            w.readRow(t0 + t, row, 0);
            for (int j = 0; j < n; j++) natural[j] = row[j];
            quantizer.fit(natural, 0, n, scale, zero, t);              // the whole-row quantizer, before dead columns go
            for (int j = 0; j < n; j++) if (dead[j]) natural[j] = 0;
            if (o.staticGroups()) {
                for (int g = 0; g < groups; g++) {
                    quantizer.fit(natural, g * gs, Math.min(gs, n - g * gs), staticScale, staticZero, t * groups + g);
                }
            }
            for (int c = 0; c < n; c++) {
                wp[t][c] = natural[perm[c]];
                original[t][c] = wp[t][c];
            }
        }
        if (wholeRow) {
            for (int t = 0; t < count; t++) {
                scales[t0 + t] = scale[t];
                zeros[t0 + t] = zero[t];
            }
        }
        double[][] block = new double[count][bs], err = new double[count][bs];
        for (int i1 = 0; i1 < n; i1 += bs) {
            int i2 = Math.min(i1 + bs, n), width = i2 - i1;
            for (int t = 0; t < count; t++) System.arraycopy(wp[t], i1, block[t], 0, width);
            for (int i = 0; i < width; i++) {
                int c = i1 + i;
                if (!wholeRow && !o.staticGroups() && c % gs == 0) {
                    int g = c / gs;
                    for (int t = 0; t < count; t++) {
                        quantizer.fit(wp[t], c, Math.min(gs, n - c), scale, zero, t);
                        scales[g * rows + t0 + t] = scale[t];
                        zeros[g * rows + t0 + t] = zero[t];
                    }
                }
                double d = hinv[c * n + c];
                int hRow = c * n;
                for (int t = 0; t < count; t++) {
                    double s;
                    int z;
                    if (o.staticGroups()) {
                        int g = perm[c] / gs;
                        s = staticScale[t * groups + g];
                        z = staticZero[t * groups + g];
                    } else {
                        s = scale[t];
                        z = zero[t];
                    }
                    double v = block[t][i];
                    int q = quantizer.code(v, s, z);
                    int col = perm[c];
                    codes[(t0 + t) * n + col] = q;
                    if (pre != null) pre[(t0 + t) * n + col] = v;
                    double e = (v - Quantizer.dequantize(q, s, z)) / d;
                    err[t][i] = e;
                    HessianInverse.axpy(-e, hinv, hRow + c + 1, block[t], i + 1, width - i - 1);
                }
            }
            // Lazy batch update of the columns after the block: W[:, i2:] −= Err1 · Hinv[i1:i2, i2:].
            for (int i = 0; i < width; i++) {
                int hRow = (i1 + i) * n;
                for (int t = 0; t < count; t++) HessianInverse.axpy(-err[t][i], hinv, hRow + i2, wp[t], i2, n - i2);
            }
        }
        if (o.staticGroups()) {
            for (int t = 0; t < count; t++) {
                for (int g = 0; g < groups; g++) {
                    scales[g * rows + t0 + t] = staticScale[t * groups + g];
                    zeros[g * rows + t0 + t] = staticZero[t * groups + g];
                }
            }
        }
        // Output error in processing order: the strictly lower triangle of hinv is still the (permuted) H.
        double[][] diff = new double[count][n];
        for (int t = 0; t < count; t++) {
            for (int c = 0; c < n; c++) {
                int col = perm[c], g = gIdx[col], r = t0 + t;
                diff[t][c] = original[t][c] - Quantizer.dequantize(codes[r * n + col], scales[g * rows + r], zeros[g * rows + r]);
            }
        }
        addError(hinv, hDiagonal, n, diff, original, t0, rows, errorParts);
    }

    /** Adds {@code Σ dᵀHd} and {@code Σ wᵀHw} of the tile's measured rows (all, or every stride-th beyond ERROR_ROWS). */
    private static void addError(double[] h, double[] diagonal, int n, double[][] diff, double[][] weights, int t0, int rows,
                                 double[] parts) {
        int stride = (rows + ERROR_ROWS - 1) / ERROR_ROWS;
        java.util.List<double[]> d = new java.util.ArrayList<>(), w = new java.util.ArrayList<>();
        for (int t = 0; t < diff.length; t++) {
            if ((t0 + t) % stride != 0) continue;
            d.add(diff[t]);
            w.add(weights[t]);
        }
        if (d.isEmpty()) return;
        double[] e = quadraticForms(h, diagonal, n, d.toArray(new double[0][])), ref = quadraticForms(h, diagonal, n, w.toArray(new double[0][]));
        for (int t = 0; t < e.length; t++) {
            parts[0] += e[t];
            parts[1] += ref[t];
        }
    }

    /**
     * Round-to-nearest with the same quantizer, groups and storage rules: the baseline GPTQ must beat. {@code h}
     * (the same Hessian, unmodified) only measures the output error; null skips that (error NaN).
     */
    public static Result roundToNearest(Matrix w, double[] h, GptqOptions o) {
        int rows = w.rows(), n = w.cols();
        int gs = o.groupSize() < 0 ? n : o.groupSize(), groups = (n + gs - 1) / gs;
        Quantizer quantizer = o.quantizer();
        int[] codes = new int[rows * n], zeros = new int[groups * rows], gIdx = new int[n];
        double[] scales = new double[groups * rows];
        for (int c = 0; c < n; c++) gIdx[c] = c / gs;
        double[] diagonal = new double[n];
        if (h != null) for (int j = 0; j < n; j++) diagonal[j] = h[j * n + j];
        double[] errorParts = new double[2];
        Parallel.forRange(rows, TILE, (r0, r1) -> {
            float[] row = new float[n];
            double[] part = new double[2];
            for (int t0 = r0; t0 < r1; t0 += TILE) {
                int count = Math.min(TILE, r1 - t0);
                double[][] weights = new double[count][n], diff = new double[count][n];
                double[] s = new double[1];
                int[] z = new int[1];
                for (int t = 0; t < count; t++) {
                    int r = t0 + t;
                    w.readRow(r, row, 0);
                    for (int j = 0; j < n; j++) weights[t][j] = row[j];
                    for (int g = 0; g < groups; g++) {
                        int c0 = g * gs, c1 = Math.min(n, c0 + gs);
                        quantizer.fit(weights[t], c0, c1 - c0, s, z, 0);
                        scales[g * rows + r] = s[0];
                        zeros[g * rows + r] = z[0];
                        for (int c = c0; c < c1; c++) {
                            int q = quantizer.code(weights[t][c], s[0], z[0]);
                            codes[r * n + c] = q;
                            diff[t][c] = weights[t][c] - Quantizer.dequantize(q, s[0], z[0]);
                        }
                    }
                }
                if (h != null) addError(h, diagonal, n, diff, weights, t0, rows, part);
            }
            synchronized (errorParts) {
                errorParts[0] += part[0];
                errorParts[1] += part[1];
            }
        });
        double error = h == null ? Double.NaN : errorParts[1] == 0 ? 0 : errorParts[0] / errorParts[1];
        return new Result(rows, n, gs, codes, scales, zeros, gIdx, null, 0, error);
    }

    /**
     * {@code vᵀHv} for each vector, from H's strictly lower triangle (row-major in {@code h}) and {@code diagonal}:
     * {@code Σ_i v_i (H_ii v_i + 2 Σ_{j<i} H_ij v_j)}. Rows of H are the outer loop so each is read once for all vectors.
     */
    static double[] quadraticForms(double[] h, double[] diagonal, int n, double[][] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < v.length; t++) {
                double vi = v[t][i];
                if (vi == 0) continue;
                out[t] += vi * (diagonal[i] * vi + 2 * HessianInverse.dot(h, i * n, v[t], 0, i));
            }
        }
        return out;
    }

    /** Columns by Hessian diagonal, descending; ties keep the lower column first. */
    private static int[] descendingDiagonal(double[] h, int n) {
        return IntStream.range(0, n).boxed()
                .sorted(Comparator.comparingDouble((Integer j) -> -h[j * n + j]).thenComparingInt(j -> j))
                .mapToInt(Integer::intValue).toArray();
    }

    /** {@code H ← H[perm][:, perm]} in place, with one spare row. */
    private static void permuteSymmetric(double[] h, int n, int[] perm) {
        double[] spare = new double[n];
        boolean[] done = new boolean[n];
        // Rows: new row r = old row perm[r], following the permutation's cycles.
        for (int start = 0; start < n; start++) {
            if (done[start]) continue;
            System.arraycopy(h, start * n, spare, 0, n);
            int r = start;
            while (true) {
                done[r] = true;
                int from = perm[r];
                if (from == start) {
                    System.arraycopy(spare, 0, h, r * n, n);
                    break;
                }
                System.arraycopy(h, from * n, h, r * n, n);
                r = from;
            }
        }
        for (int r = 0; r < n; r++) {
            System.arraycopy(h, r * n, spare, 0, n);
            for (int c = 0; c < n; c++) h[r * n + c] = spare[perm[c]];
        }
    }
}
