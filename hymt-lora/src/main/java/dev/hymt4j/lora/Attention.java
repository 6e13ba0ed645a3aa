package dev.hymt4j.lora;

import dev.hymt4j.tensor.Parallel;

/**
 * Causal grouped-query attention over a padded batch (spec §2.4 step 6): query head {@code h} reads KV head
 * {@code h / (heads/kvHeads)}; query {@code i} of row {@code b} sees keys {@code j ≤ i} whose attention-mask
 * entry is 1. Softmax probabilities are kept for the backward pass ({@code [B, heads, T, T]}). A query that sees
 * no key at all (a left-pad position) gets a zero output and passes no gradient; nothing downstream reads it.
 */
final class Attention {
    private Attention() {}

    /**
     * @param q     {@code [B·T, heads·hd]} (after RoPE and query norm)
     * @param k     {@code [B·T, kvHeads·hd]}
     * @param v     {@code [B·T, kvHeads·hd]}
     * @param mask  {@code [B·T]} attention mask, 1 = real token
     * @param probs {@code [B, heads, T, T]} out: softmax rows (zeros above the diagonal and at masked keys)
     * @param out   {@code [B·T, heads·hd]} out
     */
    static void forward(float[] q, float[] k, float[] v, int[] mask, int batch, int len, int heads, int kvHeads, int hd,
                        float[] probs, float[] out) {
        int group = heads / kvHeads, qw = heads * hd, kw = kvHeads * hd;
        float scale = (float) (1.0 / Math.sqrt(hd));
        Parallel.forRange(batch * heads, 1, (p0, p1) -> {
            for (int bh = p0; bh < p1; bh++) {
                int b = bh / heads, h = bh % heads, g = h / group;
                for (int i = 0; i < len; i++) {
                    int qo = (b * len + i) * qw + h * hd;
                    int po = (bh * len + i) * len;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        if (mask[b * len + j] == 0) continue;
                        float s = Vec.dot(q, qo, k, (b * len + j) * kw + g * hd, hd) * scale;
                        probs[po + j] = s;
                        max = Math.max(max, s);
                    }
                    java.util.Arrays.fill(out, qo, qo + hd, 0f);
                    if (max == Float.NEGATIVE_INFINITY) {
                        java.util.Arrays.fill(probs, po, po + len, 0f);
                        continue;
                    }
                    double sum = 0;
                    for (int j = 0; j <= i; j++) {
                        if (mask[b * len + j] == 0) {
                            probs[po + j] = 0f;
                            continue;
                        }
                        float e = (float) Math.exp(probs[po + j] - max);
                        probs[po + j] = e;
                        sum += e;
                    }
                    java.util.Arrays.fill(probs, po + i + 1, po + len, 0f);
                    float inv = (float) (1.0 / sum);
                    for (int j = 0; j <= i; j++) {
                        float p = probs[po + j] * inv;
                        probs[po + j] = p;
                        if (p != 0f) Vec.axpy(p, v, (b * len + j) * kw + g * hd, out, qo, hd);
                    }
                }
            }
        });
    }

    /**
     * Accumulates {@code dq}, {@code dk}, {@code dv} from {@code dout}: {@code dv_j += p_ij·do_i},
     * {@code ds_ij = p_ij(do_i·v_j − do_i·o_i)}, {@code dq_i += scale·Σ ds_ij k_j}, {@code dk_j += scale·ds_ij q_i}.
     * Work is split by (row, KV head) so that the query heads sharing a KV head never race on dk/dv.
     */
    static void backward(float[] q, float[] k, float[] v, float[] probs, float[] out, float[] dout,
                         int batch, int len, int heads, int kvHeads, int hd, float[] dq, float[] dk, float[] dv) {
        int group = heads / kvHeads, qw = heads * hd, kw = kvHeads * hd;
        float scale = (float) (1.0 / Math.sqrt(hd));
        Parallel.forRange(batch * kvHeads, 1, (p0, p1) -> {
            float[] dp = new float[len];
            for (int bg = p0; bg < p1; bg++) {
                int b = bg / kvHeads, g = bg % kvHeads;
                for (int h = g * group; h < (g + 1) * group; h++) {
                    int bh = b * heads + h;
                    for (int i = 0; i < len; i++) {
                        int qo = (b * len + i) * qw + h * hd;
                        int po = (bh * len + i) * len;
                        float rowDot = Vec.dot(dout, qo, out, qo, hd);
                        for (int j = 0; j <= i; j++) {
                            float p = probs[po + j];
                            if (p == 0f) {
                                dp[j] = 0f;
                                continue;
                            }
                            int ko = (b * len + j) * kw + g * hd;
                            Vec.axpy(p, dout, qo, dv, ko, hd);
                            dp[j] = p * (Vec.dot(dout, qo, v, ko, hd) - rowDot) * scale;
                        }
                        for (int j = 0; j <= i; j++) {
                            if (dp[j] == 0f) continue;
                            int ko = (b * len + j) * kw + g * hd;
                            Vec.axpy(dp[j], k, ko, dq, qo, hd);
                            Vec.axpy(dp[j], q, qo, dk, ko, hd);
                        }
                    }
                }
            }
        });
    }
}
