package dev.hymt4j.ops;

import dev.hymt4j.tensor.Parallel;
import dev.hymt4j.tensor.VectorWidth;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SwiGLU gate of the MLP: {@code act = silu(gate) ⊙ up}, {@code silu(x) = x·σ(x)}. Element-wise and
 * parallel; {@code σ} in double, rounded to float ({@link Sigmoid}), then the products in float, left to right,
 * alike in the vector lanes and the scalar tails.
 */
public final class SwiGlu {
    private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    /** Elements per pass over a range: their σ fills a per-thread buffer that stays in L1. */
    private static final int BLOCK = 2048;
    private static final ThreadLocal<float[]> SIGMOID = ThreadLocal.withInitial(() -> new float[BLOCK]);

    private SwiGlu() {}

    private static final ThreadLocal<Forward> FORWARD = ThreadLocal.withInitial(Forward::new);

    /** @param gate {@code [n]}, @param up {@code [n]}, @param act {@code [n]} out (may be {@code gate}) */
    public static void forward(float[] gate, float[] up, float[] act, int n) {
        Forward f = FORWARD.get();
        f.gate = gate;
        f.up = up;
        f.act = act;
        try {
            Parallel.forRange(n, Vec.ELEMENTWISE_CHUNK, f);
        } finally {
            f.gate = f.up = f.act = null;
        }
    }

    /** The forward body with its arguments in fields, one per thread (no capturing lambda per call). */
    private static final class Forward implements Parallel.RangeBody {
        float[] gate, up, act;

        @Override
        public void run(int i0, int i1) {
            float[] sig = SIGMOID.get();
            for (int b0 = i0; b0 < i1; b0 += BLOCK) {
                int count = Math.min(BLOCK, i1 - b0), i = 0;
                Sigmoid.of(gate, b0, sig, 0, count);
                for (int upper = F.loopBound(count); i < upper; i += F.length()) {
                    FloatVector g = FloatVector.fromArray(F, gate, b0 + i);
                    g.mul(FloatVector.fromArray(F, sig, i)).mul(FloatVector.fromArray(F, up, b0 + i)).intoArray(act, b0 + i);
                }
                for (; i < count; i++) act[b0 + i] = gate[b0 + i] * sig[i] * up[b0 + i];
            }
        }
    }

    /** {@code dgate = dact·up·σ(g)(1 + g(1−σ(g)))}, {@code dup = dact·silu(g)}; both {@code [n]}, overwritten. */
    public static void backward(float[] gate, float[] up, float[] dact, float[] dgate, float[] dup, int n) {
        Parallel.forRange(n, Vec.ELEMENTWISE_CHUNK, (i0, i1) -> {
            float[] sig = SIGMOID.get();
            for (int b0 = i0; b0 < i1; b0 += BLOCK) {
                int count = Math.min(BLOCK, i1 - b0), i = 0;
                Sigmoid.of(gate, b0, sig, 0, count);
                for (int upper = F.loopBound(count); i < upper; i += F.length()) {
                    FloatVector g = FloatVector.fromArray(F, gate, b0 + i), s = FloatVector.fromArray(F, sig, i);
                    FloatVector d = FloatVector.fromArray(F, dact, b0 + i);
                    d.mul(g).mul(s).intoArray(dup, b0 + i);
                    d.mul(FloatVector.fromArray(F, up, b0 + i)).mul(s).mul(g.mul(s.neg().add(1f)).add(1f)).intoArray(dgate, b0 + i);
                }
                for (; i < count; i++) {
                    float g = gate[b0 + i], s = sig[i], d = dact[b0 + i];
                    dup[b0 + i] = d * g * s;
                    dgate[b0 + i] = d * up[b0 + i] * s * (1f + g * (1f - s));
                }
            }
        });
    }
}
