package dev.hymt4j.ops;

import dev.hymt4j.tensor.Parallel;
import jdk.incubator.vector.FloatVector;

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
    private static final ThreadLocal<float[]> SCORE_GRADIENTS = ThreadLocal.withInitial(() -> new float[0]);

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
     * <p>Two passes per (sequence, KV head): by query, the {@code ds} row and {@code dq_i} (accumulated in
     * registers over the keys); then by key, {@code dv_j} and {@code dk_j} (accumulated in registers over the
     * group's heads and the queries that see the key). Each element takes the same fused multiply-adds in the
     * same order as one axpy per (head, query, key) would — over keys for {@code dq}, over (head, query) for
     * {@code dk} and {@code dv} — but reads its row once instead of reading and writing it per term.
     *
     * @param dout {@code [tokens, heads·hd]}; dq {@code [tokens, heads·hd]}, dk, dv {@code [tokens, kvHeads·hd]} accumulated
     */
    public static void backward(float[] q, KvLayout kv, int heads, int kvHeads, int hd, float[] probs, int probStride,
                                float[] out, float[] dout, float[] dq, float[] dk, float[] dv) {
        int group = heads / kvHeads, qDim = heads * hd, kvDim = kvHeads * hd, bs = kv.blockSize;
        float scale = (float) (1.0 / Math.sqrt(hd));
        Parallel.forRange(kv.sequences * kvHeads, 1, (p0, p1) -> {
            for (int sg = p0; sg < p1; sg++) {
                int s = sg / kvHeads, g = sg % kvHeads, t0 = kv.queryStart[s], t1 = kv.queryStart[s + 1];
                if (t1 == t0) continue;
                int[] table = kv.tables[s];
                // ds[(i·queries + t − t0)·probStride + j] for head g·group + i: the scaled score gradients of this group
                float[] ds = scoreGradients(group * (t1 - t0) * probStride);
                for (int i = 0; i < group; i++) {
                    int h = g * group + i;
                    for (int t = t0; t < t1; t++) {
                        int qo = t * qDim + h * hd, po = (t * heads + h) * probStride, dso = (i * (t1 - t0) + t - t0) * probStride;
                        int last = kv.slotOf(t);
                        float rowDot = Vec.dot(dout, qo, out, qo, hd);
                        for (int j = 0; j <= last; j++) {
                            float p = probs[po + j];
                            if (p == 0f) {
                                ds[dso + j] = 0f;
                                continue;
                            }
                            int b = table[j / bs], at = kv.blockBase[b] + (j % bs) * kvDim + g * hd;
                            ds[dso + j] = p * (Vec.dot(dout, qo, kv.valueArrays[b], at + kv.valueOffset, hd) - rowDot) * scale;
                        }
                        for (int first = 0, blk = 0; first <= last; first += bs, blk++) {   // dq over the keys, block by block
                            int b = table[blk], end = Math.min(last, first + bs - 1);
                            rowGradient(ds, dso, 0, 1, kv.keyArrays[b], kv.blockBase[b] + kv.keyOffset + g * hd - first * kvDim, 0, kvDim,
                                    hd, 1, first, end + 1, dq, qo);
                        }
                    }
                }
                int firstSlot = kv.slotOf(t0), lastSlot = kv.slotOf(t1 - 1), queries = t1 - t0, h0 = g * group;
                for (int j = 0; j <= lastSlot; j++) {
                    int b = table[j / bs], at = kv.blockBase[b] + (j % bs) * kvDim + g * hd;
                    int tFirst = t0 + Math.max(0, j - firstSlot);   // the first query that sees slot j
                    rowGradient(probs, h0 * probStride + j, probStride, heads * probStride, dout, h0 * hd, hd, qDim, hd, group, tFirst, t1, dv, at + kv.valueOffset);
                    rowGradient(ds, j - t0 * probStride, queries * probStride, probStride, q, h0 * hd, hd, qDim, hd, group, tFirst, t1, dk, at + kv.keyOffset);
                }
            }
        });
    }

    /** A reusable buffer of at least {@code floats} floats (the score gradients of one sequence and KV head). */
    private static float[] scoreGradients(int floats) {
        float[] buffer = SCORE_GRADIENTS.get();
        if (buffer.length < floats) SCORE_GRADIENTS.set(buffer = new float[floats]);
        return buffer;
    }

    /**
     * One gradient row: {@code acc[ao … ao+hd) += Σ_{i < count} Σ_{t ∈ [t0, t1)} w·src[s0 + i·si + t·st …]} with
     * {@code w = coef[c0 + i·ci + t·ct]}, over i then t in that order (terms with {@code w = 0} skipped), four
     * vectors of the row in registers at a time. {@code dq} runs it over the keys of one block (count 1), {@code dk}
     * and {@code dv} over the group's heads and the queries that see the key.
     */
    private static void rowGradient(float[] coef, int c0, int ci, int ct, float[] src, int s0, int si, int st, int hd,
                                    int count, int t0, int t1, float[] acc, int ao) {
        int lanes = Vec.F.length(), c = 0;
        for (; c + 4 * lanes <= hd; c += 4 * lanes) {
            FloatVector a0 = FloatVector.fromArray(Vec.F, acc, ao + c), a1 = FloatVector.fromArray(Vec.F, acc, ao + c + lanes);
            FloatVector a2 = FloatVector.fromArray(Vec.F, acc, ao + c + 2 * lanes), a3 = FloatVector.fromArray(Vec.F, acc, ao + c + 3 * lanes);
            for (int i = 0; i < count; i++) {
                for (int t = t0; t < t1; t++) {
                    float w = coef[c0 + i * ci + t * ct];
                    if (w == 0f) continue;
                    int so = s0 + i * si + t * st + c;
                    FloatVector wv = FloatVector.broadcast(Vec.F, w);
                    a0 = FloatVector.fromArray(Vec.F, src, so).fma(wv, a0);
                    a1 = FloatVector.fromArray(Vec.F, src, so + lanes).fma(wv, a1);
                    a2 = FloatVector.fromArray(Vec.F, src, so + 2 * lanes).fma(wv, a2);
                    a3 = FloatVector.fromArray(Vec.F, src, so + 3 * lanes).fma(wv, a3);
                }
            }
            a0.intoArray(acc, ao + c);
            a1.intoArray(acc, ao + c + lanes);
            a2.intoArray(acc, ao + c + 2 * lanes);
            a3.intoArray(acc, ao + c + 3 * lanes);
        }
        for (; c + lanes <= hd; c += lanes) {
            FloatVector a = FloatVector.fromArray(Vec.F, acc, ao + c);
            for (int i = 0; i < count; i++) {
                for (int t = t0; t < t1; t++) {
                    float w = coef[c0 + i * ci + t * ct];
                    if (w == 0f) continue;
                    a = FloatVector.fromArray(Vec.F, src, s0 + i * si + t * st + c).fma(FloatVector.broadcast(Vec.F, w), a);
                }
            }
            a.intoArray(acc, ao + c);
        }
        for (; c < hd; c++) {
            float a = acc[ao + c];
            for (int i = 0; i < count; i++) {
                for (int t = t0; t < t1; t++) {
                    float w = coef[c0 + i * ci + t * ct];
                    if (w != 0f) a = Math.fma(src[s0 + i * si + t * st + c], w, a);
                }
            }
            acc[ao + c] = a;
        }
    }
}
