package dev.hymt4j.lora;

import dev.hymt4j.model.ModelConfig;

/**
 * Rotary position embedding, NeoX/rotate-half pairing {@code (i, i + d/2)}, with HunYuan's alpha-rescaled base
 * (spec §2.5). cos/sin are tabulated per position as transformers computes them: {@code inv_freq} rounded to
 * float, the angle {@code pos · inv_freq} as a float product.
 */
final class Rope {
    private final int half;
    private float[] cos = new float[0], sin = new float[0];
    private final float[] invFreq;

    Rope(ModelConfig c) {
        int hd = c.headDim();
        half = hd / 2;
        invFreq = new float[half];
        double base = c.effectiveRopeBase();
        double factor = c.ropeType().equals("linear") ? c.ropeFactor() : 1.0;
        for (int i = 0; i < half; i++) invFreq[i] = (float) (1.0 / Math.pow(base, 2.0 * i / hd) / factor);
    }

    private void ensure(int positions) {
        if (cos.length >= positions * half) return;
        int n = Math.max(positions, 2 * cos.length / Math.max(1, half));
        cos = new float[n * half];
        sin = new float[n * half];
        for (int p = 0; p < n; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * invFreq[i];
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
    }

    /** Rotates every head of {@code x [tokens, heads·2·half]} in place by its token's position. */
    void forward(float[] x, int tokens, int heads, int[] pos) {
        rotate(x, tokens, heads, pos, 1f);
    }

    /** The transpose (inverse) rotation, applied in place to the output gradient. */
    void backward(float[] dx, int tokens, int heads, int[] pos) {
        rotate(dx, tokens, heads, pos, -1f);
    }

    private void rotate(float[] x, int tokens, int heads, int[] pos, float sign) {
        int max = 0;
        for (int t = 0; t < tokens; t++) max = Math.max(max, pos[t]);
        ensure(max + 1);
        int hd = 2 * half;
        for (int t = 0; t < tokens; t++) {
            int co = pos[t] * half;
            for (int h = 0; h < heads; h++) {
                int o = (t * heads + h) * hd;
                for (int i = 0; i < half; i++) {
                    float c = cos[co + i], s = sign * sin[co + i];
                    float x1 = x[o + i], x2 = x[o + i + half];
                    x[o + i] = x1 * c + (-x2) * s;
                    x[o + i + half] = x2 * c + x1 * s;
                }
            }
        }
    }
}
