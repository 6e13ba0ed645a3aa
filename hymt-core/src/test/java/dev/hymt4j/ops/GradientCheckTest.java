package dev.hymt4j.ops;

import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.lora.LoraConfig;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.model.Training;
import dev.hymt4j.model.TrainingBatch;
import dev.hymt4j.tensor.Parameter;
import dev.hymt4j.testing.TinyModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Central-difference gradient checks of every operation's backward pass and of the whole model.
 *
 * <p>The kernels are float32, so the checks run the float path with a carefully chosen step instead of a
 * separate double-precision implementation: the scalar probe loss {@code L = Σ c ⊙ y} (random {@code c}) is
 * summed in double, the steps are {@code ε = 1e-2} and {@code ε/2} relative to the values' scale along a
 * direction {@code d} (random signs on every element, and single coordinates), and we compare the Richardson-extrapolated central difference
 * {@code (4·D(ε/2) − D(ε))/3}, {@code D(ε) = (L(x+εd) − L(x−εd))/2ε}, with {@code ∇L·d}. Extrapolation leaves
 * an O(ε⁴) truncation error; float round-off in L (≈ 1e-7 of |L|) becomes ≈ 1e-5·|L| after dividing by ε, so the
 * test allows 2e-3 relative plus a round-off floor of 1e-6·(|L|+1)/ε. Moving every element at once makes the
 * directional derivative large compared with that floor; smaller steps would drown in round-off, larger ones in
 * curvature. A real mistake shows up as an O(1) relative error.
 */
class GradientCheckTest {
    static final double EPS = 1e-2, TOL = 2e-3;

    /**
     * Checks {@code grad} (analytic ∂L/∂x) against central differences of {@code loss}: along a random ±1 direction
     * scaled to the values' RMS (every element moves by ε relative), then along the largest-gradient coordinate and
     * two random ones (each moved by ε·max(|x_i|, rms)).
     */
    static void check(String what, float[] x, float[] grad, Supplier<Double> loss, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double ms = 0;
        for (float v : x) ms += (double) v * v;
        float rms = (float) Math.sqrt(ms / x.length);
        double l0 = Math.abs(loss.get());
        float[] d = new float[x.length];
        for (int i = 0; i < d.length; i++) d[i] = rng.nextBoolean() ? rms : -rms;
        assertClose(what + " along a random direction", central(x, d, loss), dot(grad, d), l0);
        int arg = 0;
        for (int i = 1; i < grad.length; i++) if (Math.abs(grad[i]) > Math.abs(grad[arg])) arg = i;
        for (int i : new int[]{arg, rng.nextInt(x.length), rng.nextInt(x.length)}) {
            float[] e = new float[x.length];
            e[i] = Math.max(Math.abs(x[i]), rms);
            assertClose(what + "[" + i + "]", central(x, e, loss), dot(grad, e), l0);
        }
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
        return s;
    }

    /** Richardson-extrapolated central difference: {@code (4·D(ε/2) − D(ε)) / 3} cancels the ε² term. */
    private static double central(float[] x, float[] d, Supplier<Double> loss) {
        return (4 * central(x, d, loss, EPS / 2) - central(x, d, loss, EPS)) / 3;
    }

    private static double central(float[] x, float[] d, Supplier<Double> loss, double eps) {
        float[] saved = x.clone();
        for (int i = 0; i < x.length; i++) x[i] = saved[i] + (float) eps * d[i];
        double plus = loss.get();
        for (int i = 0; i < x.length; i++) x[i] = saved[i] - (float) eps * d[i];
        double minus = loss.get();
        System.arraycopy(saved, 0, x, 0, x.length);
        return (plus - minus) / (2 * eps);
    }

    /** Relative tolerance, plus the float round-off of the loss (≈ 1e-7·|L| per evaluation) divided by the step. */
    private static void assertClose(String what, double numeric, double analytic, double lossMagnitude) {
        double err = Math.abs(numeric - analytic);
        double noise = 1e-6 * (lossMagnitude + 1) / EPS;
        assertTrue(err <= TOL * Math.max(Math.abs(numeric), Math.abs(analytic)) + noise,
                what + ": numeric " + numeric + " vs analytic " + analytic + " (noise floor " + noise + ")");
    }

    static double probe(float[] y, float[] c) {
        double s = 0;
        for (int i = 0; i < y.length; i++) s += (double) c[i] * y[i];
        return s;
    }

    // ---------------------------------------------------------------- per operation

    @Test
    void rmsNorm() {
        SplittableRandom rng = new SplittableRandom(1);
        int rows = 5, d = 13;
        float[] x = TinyModels.randn(rng, rows * d, 1), w = TinyModels.norm(rng, d), c = TinyModels.randn(rng, rows * d, 1);
        float[] y = new float[rows * d], rstd = new float[rows], dx = new float[rows * d];
        RmsNorm.forward(x, w, 1e-5f, rows, d, y, rstd);
        RmsNorm.backward(x, w, rstd, c, rows, d, dx);
        check("rmsnorm dx", x, dx, () -> {
            float[] yy = new float[rows * d];
            RmsNorm.forward(x, w, 1e-5f, rows, d, yy, new float[rows]);
            return probe(yy, c);
        }, 2);
    }

    @Test
    void rope() {
        SplittableRandom rng = new SplittableRandom(3);
        ModelConfig cfg = TinyModels.config(11, 12, 1, 3, 1, 10, 8, true, true);
        Rope rope = new Rope(cfg);
        int tokens = 6, heads = 3, width = heads * 10;
        int[] pos = {0, 1, 2, 5, 17, 300};
        float[] cos = new float[tokens * 5], sin = new float[tokens * 5];
        rope.angles(pos, tokens, cos, sin);
        float[] x = TinyModels.randn(rng, tokens * width, 1), c = TinyModels.randn(rng, tokens * width, 1);
        float[] dx = c.clone();
        rope.backward(dx, tokens, heads, cos, sin);
        check("rope dx", x, dx, () -> {
            float[] y = x.clone();
            rope.forward(y, tokens, heads, cos, sin);
            return probe(y, c);
        }, 4);
    }

    @Test
    void swiGlu() {
        SplittableRandom rng = new SplittableRandom(5);
        int n = 37;
        float[] g = TinyModels.randn(rng, n, 2), u = TinyModels.randn(rng, n, 1), c = TinyModels.randn(rng, n, 1);
        float[] dg = new float[n], du = new float[n];
        SwiGlu.backward(g, u, c, dg, du, n);
        Supplier<Double> loss = () -> {
            float[] act = new float[n];
            SwiGlu.forward(g, u, act, n);
            return probe(act, c);
        };
        check("swiglu dgate", g, dg, loss, 6);
        check("swiglu dup", u, du, loss, 7);
    }

    @Test
    void crossEntropy() {
        SplittableRandom rng = new SplittableRandom(8);
        int rows = 4, vocab = 29;
        int[] targets = {3, 0, 28, 11};
        float[] logits = TinyModels.randn(rng, rows * vocab, 2);
        float[] grad = logits.clone();
        CrossEntropy.forwardBackward(grad, rows, vocab, targets, 1f);
        check("cross-entropy dlogits", logits, grad, () -> CrossEntropy.forward(logits, rows, vocab, targets), 9);
    }

    @Test
    void dropout() {
        SplittableRandom rng = new SplittableRandom(10);
        int n = 40;
        float[] x = TinyModels.randn(rng, n, 1), c = TinyModels.randn(rng, n, 1), dx = new float[n];
        Dropout.backward(c, n, 0.3f, 77, dx);
        check("dropout dx", x, dx, () -> {
            float[] y = new float[n];
            Dropout.forward(x, n, 0.3f, 77, y);
            return probe(y, c);
        }, 11);
    }

    @ParameterizedTest(name = "heads {0}, kv heads {1} (group {2}), head_dim {3}, len {4}")
    @CsvSource({"4,4,1,6,7", "4,2,2,8,5", "4,1,4,6,9", "6,3,2,10,3"})
    void attention(int heads, int kvHeads, int group, int hd, int len) {
        SplittableRandom rng = new SplittableRandom(heads * 31L + kvHeads);
        int batch = 3, n = batch * len;
        int[] mask = new int[n];
        for (int t = 0; t < len; t++) {
            mask[t] = 1;                          // full row
            mask[len + t] = t < len - 2 ? 1 : 0;  // right-padded
            mask[2 * len + t] = t >= 1 ? 1 : 0;   // left-padded
        }
        float[] q = TinyModels.randn(rng, n * heads * hd, 1), k = TinyModels.randn(rng, n * kvHeads * hd, 1),
                v = TinyModels.randn(rng, n * kvHeads * hd, 1), c = TinyModels.randn(rng, n * heads * hd, 1);
        float[] probs = new float[n * heads * len], out = new float[n * heads * hd];
        KvLayout kv = KvLayout.ofBatch(k, v, mask, batch, len, kvHeads * hd);
        Attention.forward(q, kv, heads, kvHeads, hd, probs, len, out);
        float[] dq = new float[q.length], dk = new float[k.length], dv = new float[v.length];
        Attention.backward(q, kv, heads, kvHeads, hd, probs, len, out, c, dq, dk, dv);
        Supplier<Double> loss = () -> {
            float[] o = new float[n * heads * hd];
            Attention.forward(q, kv, heads, kvHeads, hd, new float[probs.length], len, o);
            return probe(o, c);
        };
        check("attention dq", q, dq, loss, 12);
        check("attention dk", k, dk, loss, 13);
        check("attention dv", v, dv, loss, 14);
    }

    // ---------------------------------------------------------------- whole model

    @ParameterizedTest(name = "heads {0}/{1}, head_dim {2}, hidden {3}, ff {4}, tied {5}, qk-norm {6}, rsLoRA {7}")
    @CsvSource({
            "4,4,6,20,37,true,true,false",
            "4,2,8,24,30,false,true,true",
            "4,1,6,18,23,true,true,false",
            "2,2,4,9,11,false,false,false"})
    void wholeModelLoraGradients(int heads, int kvHeads, int hd, int hidden, int ff, boolean tied, boolean qkNorm, boolean rslora) {
        ModelConfig cfg = TinyModels.config(61, hidden, 2, heads, kvHeads, hd, ff, tied, qkNorm);
        ModelWeights w = TinyModels.random(cfg, 100 + heads * 10L + kvHeads);
        LoraAdapter adapter = LoraAdapter.create(cfg, LoraConfig.of(3, 6, 0.0, "q_proj", "k_proj", "v_proj", "o_proj",
                "gate_proj", "up_proj", "down_proj").withRslora(rslora), 7);
        TinyModels.randomizeB(adapter, 8);
        Training model = new Training(new HunyuanModel(w), adapter);
        TrainingBatch batch = TinyModels.batch(61, 3, 7, 9);
        model.forwardBackward(batch, 1f);
        long seed = 20;
        for (Parameter p : adapter.parameters()) {
            check(p.name(), p.value(), p.grad(), () -> model.loss(batch), seed++);
        }
    }
}
