package dev.hymt4j.ops;

import dev.hymt4j.tensor.Parallel;

import java.util.Arrays;

/**
 * Causal grouped-query attention (spec §2.4 step 6): query head {@code h} reads KV head
 * {@code h / (heads/kvHeads)}; a query at slot {@code j} of its sequence sees the slots {@code ≤ j} that its
 * {@link KvLayout} makes visible. Scores {@code q·k · d^-½}, float32 softmax with the sum in double, weighted
 * sum of values. A query that sees no key at all (a left-pad position of a training batch) gets a zero output
 * and passes no gradient; nothing downstream reads it.
 *
 * <p>Each (query token, head) is computed alone, in a fixed order over its keys, so its output does not depend
 * on the other tokens of the step or on the thread split: the attention half of batch invariance. Inference
 * (no probabilities kept, no key mask: the paged cache) runs {@link TiledAttention} instead, flash-attention style,
 * whose order is fixed per (query, key tile) likewise.
 */
public final class Attention {
    private static final ThreadLocal<float[]> SCORES = ThreadLocal.withInitial(() -> new float[256]);

    private Attention() {}

    /**
     * @param q          {@code [tokens, heads·hd]} (after RoPE and query norm)
     * @param kv         where each token's keys and values are (keys after RoPE and key norm)
     * @param probs      {@code [tokens, heads, probStride]} out: softmax rows, zero above the last visible slot and
     *                   at masked keys (kept for the backward pass); null when no backward pass follows
     * @param probStride row length of {@code probs} (≥ the longest sequence); ignored without probs
     * @param out        {@code [tokens, heads·hd]} out
     */
    public static void forward(float[] q, KvLayout kv, int heads, int kvHeads, int hd, float[] probs, int probStride,
                               float[] out) {
        if (probs == null && kv.keyMask == null) {   // inference: no score rows to keep
            TiledAttention.forward(q, kv, heads, kvHeads, hd, out);
            return;
        }
        Forward f = FORWARD.get();
        f.q = q;
        f.kv = kv;
        f.heads = heads;
        f.group = heads / kvHeads;
        f.hd = hd;
        f.kvDim = kvHeads * hd;
        f.probs = probs;
        f.probStride = probStride;
        f.out = out;
        f.scale = (float) (1.0 / Math.sqrt(hd));
        try {
            Parallel.forRange(kv.tokens() * heads, 4, f);
        } finally {
            f.q = f.probs = f.out = null;
            f.kv = null;
        }
    }

    private static final ThreadLocal<Forward> FORWARD = ThreadLocal.withInitial(Forward::new);

    /** The forward body over (token, head) units, its arguments in fields, one per thread (no lambda per call). */
    private static final class Forward implements Parallel.RangeBody {
        float[] q, probs, out;
        KvLayout kv;
        int heads, group, hd, kvDim, probStride;
        float scale;

        @Override
        public void run(int u0, int u1) {
            int qDim = heads * hd, bs = kv.blockSize;
            float[] scratch = SCORES.get();
            for (int u = u0; u < u1; u++) {
                int t = u / heads, h = u % heads, g = h / group, s = kv.querySeq[t], last = kv.slotOf(t);
                int[] table = kv.tables[s];
                int qo = t * qDim + h * hd, mo = s * kv.maskStride;
                float[] row;
                int ro;
                if (probs != null) {
                    row = probs;
                    ro = (t * heads + h) * probStride;
                } else {
                    if (scratch.length <= last) SCORES.set(scratch = new float[Math.max(last + 1, 2 * scratch.length)]);
                    row = scratch;
                    ro = 0;
                }
                float max = Float.NEGATIVE_INFINITY;
                for (int first = 0, blk = 0; first <= last; first += bs, blk++) {
                    int b = table[blk], base = kv.blockBase[b] + kv.keyOffset + g * hd, end = Math.min(last, first + bs - 1);
                    float[] keys = kv.keyArrays[b];
                    for (int j = first; j <= end; j++) {
                        if (kv.keyMask != null && kv.keyMask[mo + j] == 0) continue;
                        float score = Vec.dot(q, qo, keys, base + (j - first) * kvDim, hd) * scale;
                        row[ro + j] = score;
                        max = Math.max(max, score);
                    }
                }
                Arrays.fill(out, qo, qo + hd, 0f);
                if (max == Float.NEGATIVE_INFINITY) {
                    if (probs != null) Arrays.fill(probs, ro, ro + probStride, 0f);
                    continue;
                }
                double sum = 0;
                for (int j = 0; j <= last; j++) {
                    if (kv.keyMask != null && kv.keyMask[mo + j] == 0) {
                        row[ro + j] = 0f;
                        continue;
                    }
                    float e = (float) Math.exp(row[ro + j] - max);
                    row[ro + j] = e;
                    sum += e;
                }
                if (probs != null) Arrays.fill(probs, ro + last + 1, ro + probStride, 0f);
                float inv = (float) (1.0 / sum);
                for (int first = 0, blk = 0; first <= last; first += bs, blk++) {
                    int b = table[blk], base = kv.blockBase[b] + kv.valueOffset + g * hd, end = Math.min(last, first + bs - 1);
                    float[] values = kv.valueArrays[b];
                    for (int j = first; j <= end; j++) {
                        float p = row[ro + j] * inv;
                        row[ro + j] = p;
                        if (p != 0f) Vec.axpy(p, values, base + (j - first) * kvDim, out, qo, hd);
                    }
                }
            }
        }
    }

    /**
     * Accumulates {@code dq}, {@code dk}, {@code dv} from {@code dout}: {@code dv_j += p_ij·do_i},
     * {@code ds_ij = p_ij(do_i·v_j − do_i·o_i)}, {@code dq_i += scale·Σ ds_ij k_j}, {@code dk_j += scale·ds_ij q_i}.
     * For layouts whose keys and values are one array each ({@link KvLayout#ofBatch}): {@code dk}, {@code dv}
     * have the layout of those arrays. Work is split by (sequence, KV head) so that the query heads sharing a
     * KV head never race on dk/dv.
     *
     * @param dout {@code [tokens, heads·hd]}; dq {@code [tokens, heads·hd]}, dk, dv {@code [tokens, kvHeads·hd]} accumulated
     */
    public static void backward(float[] q, KvLayout kv, int heads, int kvHeads, int hd, float[] probs, int probStride,
                                float[] out, float[] dout, float[] dq, float[] dk, float[] dv) {
        int group = heads / kvHeads, qDim = heads * hd, kvDim = kvHeads * hd, bs = kv.blockSize;
        float scale = (float) (1.0 / Math.sqrt(hd));
        Parallel.forRange(kv.sequences * kvHeads, 1, (p0, p1) -> {
            float[] dp = new float[probStride];
            for (int sg = p0; sg < p1; sg++) {
                int s = sg / kvHeads, g = sg % kvHeads;
                int[] table = kv.tables[s];
                for (int h = g * group; h < (g + 1) * group; h++) {
                    for (int t = kv.queryStart[s]; t < kv.queryStart[s + 1]; t++) {
                        int qo = t * qDim + h * hd, po = (t * heads + h) * probStride, last = kv.slotOf(t);
                        float rowDot = Vec.dot(dout, qo, out, qo, hd);
                        for (int j = 0; j <= last; j++) {
                            float p = probs[po + j];
                            if (p == 0f) {
                                dp[j] = 0f;
                                continue;
                            }
                            int b = table[j / bs], at = kv.blockBase[b] + (j % bs) * kvDim + g * hd;
                            Vec.axpy(p, dout, qo, dv, at + kv.valueOffset, hd);
                            dp[j] = p * (Vec.dot(dout, qo, kv.valueArrays[b], at + kv.valueOffset, hd) - rowDot) * scale;
                        }
                        for (int j = 0; j <= last; j++) {
                            if (dp[j] == 0f) continue;
                            int b = table[j / bs], at = kv.blockBase[b] + (j % bs) * kvDim + g * hd;
                            Vec.axpy(dp[j], kv.keyArrays[b], at + kv.keyOffset, dq, qo, hd);
                            Vec.axpy(dp[j], q, qo, dk, at + kv.keyOffset, hd);
                        }
                    }
                }
            }
        });
    }
}
