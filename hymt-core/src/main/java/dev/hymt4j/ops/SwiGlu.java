package dev.hymt4j.ops;

import dev.hymt4j.tensor.Parallel;

/**
 * The SwiGLU gate of the MLP: {@code act = silu(gate) ⊙ up}, {@code silu(x) = x·σ(x)}. Element-wise and
 * parallel; {@code Math.exp} per element (a vector exp may round differently from the scalar one).
 */
public final class SwiGlu {
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
            for (int i = i0; i < i1; i++) {
                float g = gate[i];
                float sig = (float) (1.0 / (1.0 + Math.exp(-g)));
                act[i] = g * sig * up[i];
            }
        }
    }

    /** {@code dgate = dact·up·σ(g)(1 + g(1−σ(g)))}, {@code dup = dact·silu(g)}; both {@code [n]}, overwritten. */
    public static void backward(float[] gate, float[] up, float[] dact, float[] dgate, float[] dup, int n) {
        Parallel.forRange(n, Vec.ELEMENTWISE_CHUNK, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                float g = gate[i];
                float sig = (float) (1.0 / (1.0 + Math.exp(-g)));
                dup[i] = dact[i] * g * sig;
                dgate[i] = dact[i] * up[i] * sig * (1f + g * (1f - sig));
            }
        });
    }
}
