package dev.hymt4j.lora;

/** The SwiGLU gate of the MLP: {@code act = silu(gate) ⊙ up}, {@code silu(x) = x·σ(x)}. */
final class SwiGlu {
    private SwiGlu() {}

    static void forward(float[] gate, float[] up, float[] act, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[i];
            float sig = (float) (1.0 / (1.0 + Math.exp(-g)));
            act[i] = g * sig * up[i];
        }
    }

    /** {@code dgate = dact·up·σ(g)(1 + g(1−σ(g)))}, {@code dup = dact·silu(g)}; both overwritten. */
    static void backward(float[] gate, float[] up, float[] dact, float[] dgate, float[] dup, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[i];
            float sig = (float) (1.0 / (1.0 + Math.exp(-g)));
            dup[i] = dact[i] * g * sig;
            dgate[i] = dact[i] * up[i] * sig * (1f + g * (1f - sig));
        }
    }
}
