package dev.hymt4j.ops;

import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.tensor.Parallel;

/**
 * Rotary position embedding, NeoX/rotate-half pairing {@code (i, i + d/2)}, with HunYuan's alpha-rescaled base
 * (spec §2.5). The angles are computed as transformers computes them: {@code inv_freq} rounded to float, the
 * angle {@code pos · inv_freq} as a float product, then float cos and sin.
 */
public final class Rope {
    private final float[] inverseFrequencies;
    private final int half;

    public Rope(ModelConfig c) {
        this.inverseFrequencies = inverseFrequencies(c);
        this.half = inverseFrequencies.length;
    }

    /**
     * RoPE inverse frequencies {@code 1 / base^(2i/d)} for the configured type: computed in double from the
     * effective base (alpha-rescaled for HunYuan's dynamic type) and rounded once to float; the linear type
     * divides them by its factor, which is the same as dividing positions.
     */
    public static float[] inverseFrequencies(ModelConfig c) {
        double base = c.effectiveRopeBase();
        double divisor = c.ropeType().equals("linear") ? c.ropeFactor() : 1.0;
        float[] f = new float[c.headDim() / 2];
        for (int i = 0; i < f.length; i++) f[i] = (float) (1.0 / Math.pow(base, 2.0 * i / c.headDim()) / divisor);
        return f;
    }

    /** Fills {@code cos, sin [tokens, d/2]} with the rotation of each token's position. */
    public void angles(int[] positions, int tokens, float[] cos, float[] sin) {
        for (int t = 0; t < tokens; t++) {
            float p = positions[t];
            int o = t * half;
            for (int i = 0; i < half; i++) {
                float angle = p * inverseFrequencies[i];
                cos[o + i] = (float) Math.cos(angle);
                sin[o + i] = (float) Math.sin(angle);
            }
        }
    }

    /** Rotates every head of {@code x [tokens, heads·d]} in place by its token's angles {@code cos, sin [tokens, d/2]}. */
    public void forward(float[] x, int tokens, int heads, float[] cos, float[] sin) {
        Forward f = FORWARD.get();
        f.x = x;
        f.heads = heads;
        f.half = half;
        f.cos = cos;
        f.sin = sin;
        try {
            Parallel.forRange(tokens, 16, f);
        } finally {
            f.x = f.cos = f.sin = null;
        }
    }

    private static final ThreadLocal<Forward> FORWARD = ThreadLocal.withInitial(Forward::new);

    /** The forward body with its arguments in fields, one per thread (no capturing lambda per call). */
    private static final class Forward implements Parallel.RangeBody {
        float[] x, cos, sin;
        int heads, half;

        @Override
        public void run(int t0, int t1) {
            int d = 2 * half;
            for (int t = t0; t < t1; t++) {
                int a = t * half;
                for (int h = 0; h < heads; h++) {
                    int o = (t * heads + h) * d;
                    for (int i = 0; i < half; i++) {
                        float c = cos[a + i], s = sin[a + i];
                        float x0 = x[o + i], x1 = x[o + i + half];
                        x[o + i] = x0 * c - x1 * s;
                        x[o + i + half] = x1 * c + x0 * s;
                    }
                }
            }
        }
    }

    /** The transpose (inverse) rotation, applied in place to the output gradient {@code dx [tokens, heads·d]}. */
    public void backward(float[] dx, int tokens, int heads, float[] cos, float[] sin) {
        int d = 2 * half;
        Parallel.forRange(tokens, 16, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                int a = t * half;
                for (int h = 0; h < heads; h++) {
                    int o = (t * heads + h) * d;
                    for (int i = 0; i < half; i++) {
                        float c = cos[a + i], s = sin[a + i];
                        float g0 = dx[o + i], g1 = dx[o + i + half];
                        dx[o + i] = g0 * c + g1 * s;
                        dx[o + i + half] = g1 * c - g0 * s;
                    }
                }
            }
        });
    }
}
