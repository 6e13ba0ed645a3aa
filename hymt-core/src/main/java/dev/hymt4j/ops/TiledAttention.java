package dev.hymt4j.ops;

import dev.hymt4j.tensor.Lanes;
import dev.hymt4j.tensor.Parallel;
import dev.hymt4j.tensor.VectorWidth;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * Causal grouped-query attention for inference (no probabilities kept), tiled as flash attention: a unit of
 * work is up to {@link #QUERY_TILE} query tokens of one sequence × the query heads of one KV head; it walks the
 * keys in tiles of {@link #KEY_TILE} slots, loading each key and value once for all its query rows, with an online
 * softmax (running max and sum per row, the output rescaled when the max grows). No score row is materialised.
 *
 * <p><b>The order of the arithmetic</b>, per query (sequence, slot p, head h) — what keeps it batch-invariant:
 * key tiles start at absolute slots 0, T, 2T, … (T = {@link #KEY_TILE}) and are taken in that order up to p, the
 * last one cut at p; within a tile, with m the running max (−∞ before the first tile), l the running sum, o the
 * running output:
 * <ul>
 *   <li>{@code s_j = (Σ_d q_d·k_jd as an fma chain in d order) · d^-½};</li>
 *   <li>{@code m' = max(m, max_j s_j)}, {@code c = exp(m − m')} in double rounded to float (0 for the first tile);</li>
 *   <li>{@code e_j = exp(s_j − m')} by {@link #exp} (lanes past p are 0);</li>
 *   <li>{@code l = l·c + Σ_j e_j} (double; the e vectors added, then {@link Lanes#sum}'s fixed fold);</li>
 *   <li>{@code o_d = o_d·c}, then {@code o_d = fma(e_j, v_jd, o_d)} for j in order;</li>
 * </ul>
 * and {@code out = o · (float) (1/l)}. None of it depends on the other queries of the step, on which tile of
 * queries the query ran in (so on how a prompt was split into steps), on the cache's block size, or on the
 * thread split. Training keeps the probabilities for its backward pass and runs {@link Attention}'s other path.
 */
final class TiledAttention {
    private static final VectorSpecies<Float> F = VectorWidth.FLOAT;
    private static final int L = F.length();
    private static final VectorShuffle<Float>[] FOLDS = Lanes.folds();
    /** Key slots per tile: two vectors of scores (eight independent FMA chains for four query rows). */
    static final int KEY_TILE = 2 * L;
    /** Query tokens per unit of work. */
    static final int QUERY_TILE = 16;
    private static final ThreadLocal<Body> BODY = ThreadLocal.withInitial(Body::new);
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private TiledAttention() {}

    /**
     * @param q   {@code [tokens, heads·hd]} (after RoPE and query norm)
     * @param kv  where each token's keys and values are; no key mask (paged inference storage)
     * @param out {@code [tokens, heads·hd]} out
     */
    static void forward(float[] q, KvLayout kv, int heads, int kvHeads, int hd, float[] out) {
        Body b = BODY.get();
        if (b.unitStart.length < kv.sequences + 1) b.unitStart = new int[Math.max(kv.sequences + 1, 2 * b.unitStart.length)];
        for (int s = 0; s < kv.sequences; s++) {
            int tiles = (kv.queryStart[s + 1] - kv.queryStart[s] + QUERY_TILE - 1) / QUERY_TILE;
            b.unitStart[s + 1] = b.unitStart[s] + tiles * kvHeads;
        }
        b.q = q;
        b.kv = kv;
        b.kvHeads = kvHeads;
        b.group = heads / kvHeads;
        b.hd = hd;
        b.qDim = heads * hd;
        b.scale = (float) (1.0 / Math.sqrt(hd));
        b.out = out;
        try {
            Parallel.forRange(b.unitStart[kv.sequences], 1, b);
        } finally {
            b.q = b.out = null;
            b.kv = null;
        }
    }

    /** The loop body over units, its arguments in fields (one per calling thread: no lambda per call). */
    private static final class Body implements Parallel.RangeBody {
        float[] q, out;
        KvLayout kv;
        int kvHeads, group, hd, qDim;
        float scale;
        /** [sequences + 1]: the first unit of each sequence; units of a sequence are (query tile, KV head). */
        int[] unitStart = new int[1];

        @Override
        public void run(int u0, int u1) {
            Scratch s = SCRATCH.get();
            for (int u = u0; u < u1; u++) unit(u, s);
        }

        private void unit(int u, Scratch sc) {
            int s = 0;
            while (unitStart[s + 1] <= u) s++;
            int local = u - unitStart[s], g = local % kvHeads;
            int t0 = kv.queryStart[s] + (local / kvHeads) * QUERY_TILE, t1 = Math.min(t0 + QUERY_TILE, kv.queryStart[s + 1]);
            int rows = (t1 - t0) * group, padded = (rows + 3) & ~3, maxLast = kv.slotOf(t1 - 1);
            sc.fit(padded, hd);
            float[] qs = sc.q, o = sc.o, m = sc.max, corr = sc.corr, e = sc.e;
            int[] last = sc.last;
            double[] l = sc.sum;
            for (int r = 0; r < padded; r++) {
                if (r < rows) {
                    int t = t0 + r / group, h = g * group + r % group;
                    System.arraycopy(q, t * qDim + h * hd, qs, r * hd, hd);
                    last[r] = kv.slotOf(t);
                } else {
                    Arrays.fill(qs, r * hd, (r + 1) * hd, 0f);
                    last[r] = -1;
                }
            }
            Arrays.fill(m, 0, padded, Float.NEGATIVE_INFINITY);
            Arrays.fill(l, 0, padded, 0.0);
            Arrays.fill(o, 0, padded * hd, 0f);
            int[] table = kv.tables[s];
            int bs = kv.blockSize, kvDim = kvHeads * hd;
            for (int j0 = 0; j0 <= maxLast; j0 += KEY_TILE) {
                int width = Math.min(KEY_TILE, maxLast - j0 + 1);
                for (int jj = 0; jj < KEY_TILE; jj++) {
                    if (jj >= width) {
                        for (int d = 0; d < hd; d++) sc.kt[d * KEY_TILE + jj] = 0f;
                        continue;
                    }
                    int j = j0 + jj, b = table[j / bs], at = kv.blockBase[b] + (j % bs) * kvDim + g * hd;
                    float[] keys = kv.keyArrays[b];
                    for (int d = 0; d < hd; d++) sc.kt[d * KEY_TILE + jj] = keys[at + kv.keyOffset + d];
                    sc.values[jj] = kv.valueArrays[b];
                    sc.valueAt[jj] = at + kv.valueOffset;
                }
                for (int r = 0; r < padded; r += 4) {
                    if (last[r] < j0 && last[r + 1] < j0 && last[r + 2] < j0 && last[r + 3] < j0) continue;
                    scores4(qs, r * hd, hd, sc.kt, scale, sc.scores);
                    for (int i = 0; i < 4; i++) softmaxStep(r + i, i, j0, sc);
                    values4(o, r * hd, hd, e, r * KEY_TILE, width, corr, r, last, j0, sc.values, sc.valueAt);
                }
            }
            for (int r = 0; r < rows; r++) {
                int t = t0 + r / group, h = g * group + r % group, oo = t * qDim + h * hd;
                float inv = m[r] == Float.NEGATIVE_INFINITY ? 0f : (float) (1.0 / l[r]);
                for (int d = 0; d < hd; d++) out[oo + d] = o[r * hd + d] * inv;
            }
        }
    }

    /**
     * The online-softmax step of row {@code r} for the key tile at {@code j0}: its scores are
     * {@code scores[i·T …]}; sets {@code e[r·T …]} (0 past the row's slot), {@code corr[r]}, and updates max and sum.
     */
    private static void softmaxStep(int r, int i, int j0, Scratch sc) {
        int visible = sc.last[r] - j0 + 1, eo = r * KEY_TILE;
        if (visible <= 0) {   // the tile is past this query: no change
            sc.corr[r] = 1f;
            Arrays.fill(sc.e, eo, eo + KEY_TILE, 0f);
            return;
        }
        VectorMask<Float> in0 = F.indexInRange(0, visible), in1 = F.indexInRange(L, visible);
        FloatVector ninf = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        FloatVector s0 = FloatVector.fromArray(F, sc.scores, i * KEY_TILE).blend(ninf, in0.not());
        FloatVector s1 = FloatVector.fromArray(F, sc.scores, i * KEY_TILE + L).blend(ninf, in1.not());
        float tileMax = Math.max(s0.reduceLanes(VectorOperators.MAX), s1.reduceLanes(VectorOperators.MAX));
        float old = sc.max[r], mNew = Math.max(old, tileMax);
        float c = old == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(old - mNew);
        FloatVector zero = FloatVector.zero(F);
        FloatVector e0 = exp(s0.sub(mNew)).blend(zero, in0.not()), e1 = exp(s1.sub(mNew)).blend(zero, in1.not());
        e0.intoArray(sc.e, eo);
        e1.intoArray(sc.e, eo + L);
        FloatVector tileSum = e0.add(e1);   // Lanes.sum's fold written inline: a call taking the vector can box it
        for (VectorShuffle<Float> fold : FOLDS) tileSum = tileSum.add(tileSum.rearrange(fold));
        sc.sum[r] = sc.sum[r] * c + tileSum.lane(0);
        sc.max[r] = mNew;
        sc.corr[r] = c;
    }

    /**
     * Scores of 4 query rows against one key tile: {@code scores[i·T + j] = (Σ_d q[qo + i·hd + d]·kt[d·T + j]) · scale},
     * each an fma chain in d order (8 independent chains: 4 rows × 2 key vectors).
     */
    private static void scores4(float[] q, int qo, int hd, float[] kt, float scale, float[] scores) {
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        int q1 = qo + hd, q2 = q1 + hd, q3 = q2 + hd;
        for (int d = 0; d < hd; d++) {
            FloatVector k0 = FloatVector.fromArray(F, kt, d * KEY_TILE), k1 = FloatVector.fromArray(F, kt, d * KEY_TILE + L);
            FloatVector b = FloatVector.broadcast(F, q[qo + d]);
            a00 = b.fma(k0, a00);
            a01 = b.fma(k1, a01);
            b = FloatVector.broadcast(F, q[q1 + d]);
            a10 = b.fma(k0, a10);
            a11 = b.fma(k1, a11);
            b = FloatVector.broadcast(F, q[q2 + d]);
            a20 = b.fma(k0, a20);
            a21 = b.fma(k1, a21);
            b = FloatVector.broadcast(F, q[q3 + d]);
            a30 = b.fma(k0, a30);
            a31 = b.fma(k1, a31);
        }
        a00.mul(scale).intoArray(scores, 0);
        a01.mul(scale).intoArray(scores, L);
        a10.mul(scale).intoArray(scores, KEY_TILE);
        a11.mul(scale).intoArray(scores, KEY_TILE + L);
        a20.mul(scale).intoArray(scores, 2 * KEY_TILE);
        a21.mul(scale).intoArray(scores, 2 * KEY_TILE + L);
        a30.mul(scale).intoArray(scores, 3 * KEY_TILE);
        a31.mul(scale).intoArray(scores, 3 * KEY_TILE + L);
    }

    /**
     * {@code o[row] = o[row]·corr[row]}, then {@code o[row] = fma(e[row][j], v_j, o[row])} for keys {@code j < width}
     * in order, for 4 rows from {@code oo} (row stride hd), by pairs of L-column chunks (8 independent chains), then
     * scalar columns where hd is not a multiple of 2L. A row whose slot is before the tile ({@code last < j0}) is left
     * exactly as it was (not even the sign of a zero may depend on the other rows of the tile).
     */
    private static void values4(float[] o, int oo, int hd, float[] e, int eo, int width, float[] corr, int r, int[] last, int j0,
                                float[][] values, int[] valueAt) {
        float c0 = corr[r], c1 = corr[r + 1], c2 = corr[r + 2], c3 = corr[r + 3];
        boolean w0 = last[r] >= j0, w1 = last[r + 1] >= j0, w2 = last[r + 2] >= j0, w3 = last[r + 3] >= j0;
        int o1 = oo + hd, o2 = o1 + hd, o3 = o2 + hd, e1 = eo + KEY_TILE, e2 = e1 + KEY_TILE, e3 = e2 + KEY_TILE;
        int d = 0;
        for (; d + 2 * L <= hd; d += 2 * L) {
            FloatVector x0 = FloatVector.fromArray(F, o, oo + d).mul(c0), y0 = FloatVector.fromArray(F, o, oo + d + L).mul(c0);
            FloatVector x1 = FloatVector.fromArray(F, o, o1 + d).mul(c1), y1 = FloatVector.fromArray(F, o, o1 + d + L).mul(c1);
            FloatVector x2 = FloatVector.fromArray(F, o, o2 + d).mul(c2), y2 = FloatVector.fromArray(F, o, o2 + d + L).mul(c2);
            FloatVector x3 = FloatVector.fromArray(F, o, o3 + d).mul(c3), y3 = FloatVector.fromArray(F, o, o3 + d + L).mul(c3);
            for (int j = 0; j < width; j++) {
                float[] v = values[j];
                int at = valueAt[j] + d;
                FloatVector v0 = FloatVector.fromArray(F, v, at), v1 = FloatVector.fromArray(F, v, at + L);
                FloatVector b = FloatVector.broadcast(F, e[eo + j]);
                x0 = b.fma(v0, x0);
                y0 = b.fma(v1, y0);
                b = FloatVector.broadcast(F, e[e1 + j]);
                x1 = b.fma(v0, x1);
                y1 = b.fma(v1, y1);
                b = FloatVector.broadcast(F, e[e2 + j]);
                x2 = b.fma(v0, x2);
                y2 = b.fma(v1, y2);
                b = FloatVector.broadcast(F, e[e3 + j]);
                x3 = b.fma(v0, x3);
                y3 = b.fma(v1, y3);
            }
            if (w0) {
                x0.intoArray(o, oo + d);
                y0.intoArray(o, oo + d + L);
            }
            if (w1) {
                x1.intoArray(o, o1 + d);
                y1.intoArray(o, o1 + d + L);
            }
            if (w2) {
                x2.intoArray(o, o2 + d);
                y2.intoArray(o, o2 + d + L);
            }
            if (w3) {
                x3.intoArray(o, o3 + d);
                y3.intoArray(o, o3 + d + L);
            }
        }
        for (; d < hd; d++) {   // columns past the last pair of chunks, one at a time: the same fma chain per column
            float x0 = o[oo + d] * c0, x1 = o[o1 + d] * c1, x2 = o[o2 + d] * c2, x3 = o[o3 + d] * c3;
            for (int j = 0; j < width; j++) {
                float v = values[j][valueAt[j] + d];
                x0 = Math.fma(e[eo + j], v, x0);
                x1 = Math.fma(e[e1 + j], v, x1);
                x2 = Math.fma(e[e2 + j], v, x2);
                x3 = Math.fma(e[e3 + j], v, x3);
            }
            if (w0) o[oo + d] = x0;
            if (w1) o[o1 + d] = x1;
            if (w2) o[o2 + d] = x2;
            if (w3) o[o3 + d] = x3;
        }
    }

    private static final float LOG2E = 1.44269504088896341f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /** Adding and subtracting 1.5·2²³ rounds a float of magnitude below 2²² to the nearest integer (ties to even). */
    private static final float ROUND = 12582912f;

    /**
     * {@code exp(x)} for {@code x ≤ 0} in float lanes (Cephes' expf: x = n·ln2 + r, a degree-6 polynomial in r,
     * then 2ⁿ through the exponent bits; within 2 ulp of the exact value; inputs below −87 give about 1e-38).
     * Only IEEE operations, so the bits are the same in every execution mode of the Vector API (its vectorised
     * EXP is not: compiled it calls SVML, interpreted it calls Math.exp per lane).
     */
    static FloatVector exp(FloatVector x) {
        x = x.max(-87f);
        FloatVector n = x.fma(LOG2E, ROUND).sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(F, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(F, -LN2_LO), r);
        FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
        p = p.fma(r, FloatVector.broadcast(F, 8.3334519073e-3f));
        p = p.fma(r, FloatVector.broadcast(F, 4.1665795894e-2f));
        p = p.fma(r, FloatVector.broadcast(F, 1.6666665459e-1f));
        p = p.fma(r, FloatVector.broadcast(F, 5.0000001201e-1f));
        p = p.mul(r).fma(r, r).add(1f);
        FloatVector scale = ((IntVector) n.convert(VectorOperators.F2I, 0)).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(scale);
    }

    /** Per-thread buffers of a unit, grown on demand. */
    private static final class Scratch {
        float[] q = new float[0], o = new float[0], max = new float[0], corr = new float[0], e = new float[0];
        double[] sum = new double[0];
        int[] last = new int[0];
        final float[][] values = new float[KEY_TILE][];
        final int[] valueAt = new int[KEY_TILE];
        float[] kt = new float[0], scores = new float[4 * KEY_TILE];

        void fit(int rows, int hd) {
            if (q.length < rows * hd) {
                q = new float[rows * hd];
                o = new float[rows * hd];
            }
            if (max.length < rows) {
                max = new float[rows];
                corr = new float[rows];
                sum = new double[rows];
                last = new int[rows];
                e = new float[rows * KEY_TILE];
            }
            if (kt.length < hd * KEY_TILE) kt = new float[hd * KEY_TILE];
        }
    }
}
