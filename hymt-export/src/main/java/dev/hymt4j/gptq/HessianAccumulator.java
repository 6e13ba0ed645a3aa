package dev.hymt4j.gptq;

import dev.hymt4j.tensor.Lanes;
import dev.hymt4j.tensor.Parallel;
import dev.hymt4j.tensor.VectorWidth;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * GPTQ's Hessian of one linear's inputs (formats spec §4.2): {@code H = (2/n) Σ x xᵀ} over every calibration
 * token vector seen. Calibration sequences are run one by one without padding, so AutoGPTQ's per-sequence and
 * GPTQModel's per-token normalizations both reduce to this (the running rescale {@code n_old/(n_old+m)} of the
 * reference only applies a global factor, which changes nothing in GPTQ).
 *
 * <p>Tokens are taken in chunks: a chunk is transposed to {@code [cols, m]}, each lower-triangle entry is a float
 * dot product over the chunk (fixed order), added into the float64 sum.
 */
public final class HessianAccumulator {
    private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    private static final int CHUNK = 128;
    /** Lanes.sum's fold, written inline: a call taking the vector can box it where C2 does not inline it. */
    private static final VectorShuffle<Float>[] FOLDS = Lanes.folds();

    private final int n;
    private final double[] sum;   // [n, n], lower triangle
    private long tokens;

    public HessianAccumulator(int n) {
        this.n = n;
        this.sum = new double[Math.multiplyExact(n, n)];
    }

    public int size() {
        return n;
    }

    public long tokens() {
        return tokens;
    }

    /** Adds the token vectors {@code x [m, n]} (row-major, m = x.length / n). */
    public void add(float[] x, int m) {
        if (tokens < 0) throw new IllegalStateException("the Hessian was already taken");
        float[] xt = new float[n * CHUNK];
        for (int t0 = 0; t0 < m; t0 += CHUNK) {
            int width = Math.min(CHUNK, m - t0);
            for (int t = 0; t < width; t++) {
                for (int i = 0; i < n; i++) xt[i * CHUNK + t] = x[(t0 + t) * n + i];
            }
            if (width < CHUNK) for (int i = 0; i < n; i++) java.util.Arrays.fill(xt, i * CHUNK + width, (i + 1) * CHUNK, 0f);
            // Rows i of the lower triangle cost i + 1 dots: small chunks of row blocks keep the threads balanced.
            Parallel.forRange(n / 4, 4, (b0, b1) -> {
                for (int b = b0; b < b1; b++) rows4(xt, 4 * b);
            });
            for (int i = n / 4 * 4; i < n; i++) row(xt, i, 0);
        }
        tokens += m;
    }

    /**
     * Rows {@code i..i+3} of the lower triangle: a 4 × 4 register block of dots (Xt rows i..i+3 against rows
     * j..j+3; eight loads per sixteen FMAs) while the block lies below the diagonal, then the rest one by one.
     * Each entry is one vector accumulator over the chunk, folded, then added in float64, whichever path.
     */
    private void rows4(float[] xt, int i) {
        int i0 = i * CHUNK, i1 = i0 + CHUNK, i2 = i1 + CHUNK, i3 = i2 + CHUNK;
        int r0 = i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n, j = 0;
        for (; j + 3 <= i; j += 4) {
            int b0 = j * CHUNK, b1 = b0 + CHUNK, b2 = b1 + CHUNK, b3 = b2 + CHUNK;
            FloatVector s00 = FloatVector.zero(F), s01 = s00, s02 = s00, s03 = s00, s10 = s00, s11 = s00, s12 = s00, s13 = s00;
            FloatVector s20 = s00, s21 = s00, s22 = s00, s23 = s00, s30 = s00, s31 = s00, s32 = s00, s33 = s00;
            for (int k = 0; k < CHUNK; k += F.length()) {
                FloatVector x0 = FloatVector.fromArray(F, xt, i0 + k), x1 = FloatVector.fromArray(F, xt, i1 + k);
                FloatVector x2 = FloatVector.fromArray(F, xt, i2 + k), x3 = FloatVector.fromArray(F, xt, i3 + k);
                FloatVector y = FloatVector.fromArray(F, xt, b0 + k);
                s00 = x0.fma(y, s00);
                s10 = x1.fma(y, s10);
                s20 = x2.fma(y, s20);
                s30 = x3.fma(y, s30);
                y = FloatVector.fromArray(F, xt, b1 + k);
                s01 = x0.fma(y, s01);
                s11 = x1.fma(y, s11);
                s21 = x2.fma(y, s21);
                s31 = x3.fma(y, s31);
                y = FloatVector.fromArray(F, xt, b2 + k);
                s02 = x0.fma(y, s02);
                s12 = x1.fma(y, s12);
                s22 = x2.fma(y, s22);
                s32 = x3.fma(y, s32);
                y = FloatVector.fromArray(F, xt, b3 + k);
                s03 = x0.fma(y, s03);
                s13 = x1.fma(y, s13);
                s23 = x2.fma(y, s23);
                s33 = x3.fma(y, s33);
            }
            for (VectorShuffle<Float> fold : FOLDS) {
                s00 = s00.add(s00.rearrange(fold));
                s01 = s01.add(s01.rearrange(fold));
                s02 = s02.add(s02.rearrange(fold));
                s03 = s03.add(s03.rearrange(fold));
                s10 = s10.add(s10.rearrange(fold));
                s11 = s11.add(s11.rearrange(fold));
                s12 = s12.add(s12.rearrange(fold));
                s13 = s13.add(s13.rearrange(fold));
                s20 = s20.add(s20.rearrange(fold));
                s21 = s21.add(s21.rearrange(fold));
                s22 = s22.add(s22.rearrange(fold));
                s23 = s23.add(s23.rearrange(fold));
                s30 = s30.add(s30.rearrange(fold));
                s31 = s31.add(s31.rearrange(fold));
                s32 = s32.add(s32.rearrange(fold));
                s33 = s33.add(s33.rearrange(fold));
            }
            sum[r0 + j] += s00.lane(0);
            sum[r0 + j + 1] += s01.lane(0);
            sum[r0 + j + 2] += s02.lane(0);
            sum[r0 + j + 3] += s03.lane(0);
            sum[r1 + j] += s10.lane(0);
            sum[r1 + j + 1] += s11.lane(0);
            sum[r1 + j + 2] += s12.lane(0);
            sum[r1 + j + 3] += s13.lane(0);
            sum[r2 + j] += s20.lane(0);
            sum[r2 + j + 1] += s21.lane(0);
            sum[r2 + j + 2] += s22.lane(0);
            sum[r2 + j + 3] += s23.lane(0);
            sum[r3 + j] += s30.lane(0);
            sum[r3 + j + 1] += s31.lane(0);
            sum[r3 + j + 2] += s32.lane(0);
            sum[r3 + j + 3] += s33.lane(0);
        }
        for (int a = 0; a < 4; a++) row(xt, i + a, j);
    }

    /** Entries {@code j0..i} of row i of the lower triangle, one dot at a time. */
    private void row(float[] xt, int i, int j0) {
        int io = i * CHUNK, so = i * n;
        for (int j = j0; j <= i; j++) {
            FloatVector s0 = FloatVector.zero(F);
            for (int k = 0; k < CHUNK; k += F.length()) s0 = FloatVector.fromArray(F, xt, io + k).fma(FloatVector.fromArray(F, xt, j * CHUNK + k), s0);
            for (VectorShuffle<Float> fold : FOLDS) s0 = s0.add(s0.rearrange(fold));
            sum[so + j] += s0.lane(0);
        }
    }

    /**
     * {@code H = 2/n Σ x xᵀ}, full and symmetric, built in place in the accumulator's own array (a 6144-wide
     * Hessian is 300 MB): the accumulator must not be used afterwards.
     */
    public double[] hessian() {
        if (tokens == 0) throw new IllegalStateException("no calibration tokens were seen");
        double f = 2.0 / tokens;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double v = sum[i * n + j] * f;
                sum[i * n + j] = v;
                sum[j * n + i] = v;
            }
        }
        tokens = -1;
        return sum;
    }
}
