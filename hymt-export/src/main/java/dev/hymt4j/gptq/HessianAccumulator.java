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
            // Row i of the lower triangle costs i + 1 dots: small chunks keep the threads balanced.
            Parallel.forRange(n, 16, (i0, i1) -> {
                for (int i = i0; i < i1; i++) row(xt, i);
            });
        }
        tokens += m;
    }

    /** Row i of the lower triangle: dots of Xt row i with rows 0..i, four at a time (five loads per four FMAs). */
    private void row(float[] xt, int i) {
        int io = i * CHUNK, so = i * n, j = 0;
        for (; j + 3 <= i; j += 4) {
            int b0 = j * CHUNK, b1 = b0 + CHUNK, b2 = b1 + CHUNK, b3 = b2 + CHUNK;
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            for (int k = 0; k < CHUNK; k += F.length()) {
                FloatVector x = FloatVector.fromArray(F, xt, io + k);
                s0 = x.fma(FloatVector.fromArray(F, xt, b0 + k), s0);
                s1 = x.fma(FloatVector.fromArray(F, xt, b1 + k), s1);
                s2 = x.fma(FloatVector.fromArray(F, xt, b2 + k), s2);
                s3 = x.fma(FloatVector.fromArray(F, xt, b3 + k), s3);
            }
            for (VectorShuffle<Float> fold : FOLDS) {
                s0 = s0.add(s0.rearrange(fold));
                s1 = s1.add(s1.rearrange(fold));
                s2 = s2.add(s2.rearrange(fold));
                s3 = s3.add(s3.rearrange(fold));
            }
            sum[so + j] += s0.lane(0);
            sum[so + j + 1] += s1.lane(0);
            sum[so + j + 2] += s2.lane(0);
            sum[so + j + 3] += s3.lane(0);
        }
        for (; j <= i; j++) {
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
