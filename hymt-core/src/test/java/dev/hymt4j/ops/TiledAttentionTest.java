package dev.hymt4j.ops;

import dev.hymt4j.tensor.Parallel;
import dev.hymt4j.tensor.VectorWidth;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link TiledAttention} (the inference path of {@link Attention#forward}: paged storage, no probabilities kept)
 * against a float64 softmax-attention reference within an error bound derived from its arithmetic, bit-exact
 * against a scalar model of the order its javadoc defines (written here from that text), and batch-invariant:
 * a query's output does not change with how its prompt was cut into steps, the other sequences of the step, the
 * cache's block size and block placement, or the thread count. Head sizes 1…130 (odd ones, and ones that are no
 * multiple of the vector length), GQA groups 1…8, prompts across several key tiles and query tiles.
 * The surefire executions {@code kernels-*} run it again at every vector width.
 */
class TiledAttentionTest {
    static final int L = VectorWidth.FLOAT.length(), T = TiledAttention.KEY_TILE;

    /** One attention problem: per sequence, the keys/values of all its slots and which slots are queried. */
    record Problem(int heads, int kvHeads, int hd, int[] length, int[] first, float[][] q, float[][] k, float[][] v) {
        int qDim() {
            return heads * hd;
        }

        int kvDim() {
            return kvHeads * hd;
        }
    }

    /**
     * Random problem; {@code growth} > 0 makes later keys larger, so the running max grows from tile to tile
     * (the rescaling path); q is scaled so that softmax rows range from flat to peaked.
     */
    static Problem problem(SplittableRandom rng, int heads, int kvHeads, int hd, int[] length, int[] first, double qScale,
                           double growth) {
        int s = length.length;
        float[][] q = new float[s][], k = new float[s][], v = new float[s][];
        for (int i = 0; i < s; i++) {
            q[i] = new float[length[i] * heads * hd];
            k[i] = new float[length[i] * kvHeads * hd];
            v[i] = new float[length[i] * kvHeads * hd];
            for (int j = 0; j < q[i].length; j++) q[i][j] = (float) (rng.nextGaussian() * qScale);
            for (int j = 0; j < k[i].length; j++) {
                int slot = j / (kvHeads * hd);
                k[i][j] = (float) (rng.nextGaussian() * (1 + growth * slot));
            }
            for (int j = 0; j < v[i].length; j++) v[i][j] = (float) rng.nextGaussian();
        }
        return new Problem(heads, kvHeads, hd, length, first, q, k, v);
    }

    /**
     * Runs one step over paged storage of {@code blockSize}: sequence {@code i} has slots {@code 0 … end[i]-1}
     * stored (slots before {@code from[i]} by earlier steps) and queries {@code from[i] … end[i]-1}; blocks are
     * handed out in a shuffled order. Returns per sequence the outputs of its queries {@code [queries, qDim]}.
     */
    static float[][] run(Problem p, int[] from, int[] end, int blockSize, long placementSeed) {
        int seqs = from.length, kvDim = p.kvDim(), qDim = p.qDim();
        int blocks = 0;
        for (int i = 0; i < seqs; i++) blocks += (end[i] + blockSize - 1) / blockSize;
        List<Integer> ids = new ArrayList<>();
        for (int b = 0; b < blocks; b++) ids.add(b);
        java.util.Collections.shuffle(ids, new java.util.Random(placementSeed));
        float[][] storage = new float[blocks][2 * blockSize * kvDim + 3];
        int[] bases = new int[blocks];
        for (int b = 0; b < blocks; b++) bases[b] = b % 3;   // blocks not starting at index 0 of their arrays
        int[][] tables = new int[seqs][];
        int next = 0;
        for (int i = 0; i < seqs; i++) {
            tables[i] = new int[(end[i] + blockSize - 1) / blockSize];
            for (int j = 0; j < tables[i].length; j++) tables[i][j] = ids.get(next++);
        }
        // earlier steps: the slots before from[i], written straight into their blocks
        for (int i = 0; i < seqs; i++) {
            for (int slot = 0; slot < from[i]; slot++) {
                int b = tables[i][slot / blockSize], at = bases[b] + (slot % blockSize) * kvDim;
                System.arraycopy(p.k[i], slot * kvDim, storage[b], at, kvDim);
                System.arraycopy(p.v[i], slot * kvDim, storage[b], at + blockSize * kvDim, kvDim);
            }
        }
        int[] queryStart = new int[seqs + 1];
        for (int i = 0; i < seqs; i++) queryStart[i + 1] = queryStart[i] + end[i] - from[i];
        int tokens = queryStart[seqs];
        float[] q = new float[tokens * qDim], k = new float[tokens * kvDim], v = new float[tokens * kvDim];
        for (int i = 0; i < seqs; i++) {
            int n = end[i] - from[i];
            System.arraycopy(p.q[i], from[i] * qDim, q, queryStart[i] * qDim, n * qDim);
            System.arraycopy(p.k[i], from[i] * kvDim, k, queryStart[i] * kvDim, n * kvDim);
            System.arraycopy(p.v[i], from[i] * kvDim, v, queryStart[i] * kvDim, n * kvDim);
        }
        KvLayout kv = new KvLayout();
        kv.setPaged(storage, bases, blockSize, seqs, tables, queryStart, from.clone());
        kv.setOffsets(0, blockSize * kvDim);
        kv.store(k, v, kvDim);
        float[] out = new float[tokens * qDim];
        java.util.Arrays.fill(out, Float.NaN);   // every output element must be written
        Attention.forward(q, kv, p.heads, p.kvHeads, p.hd, null, 0, out);
        float[][] bySeq = new float[seqs][];
        for (int i = 0; i < seqs; i++) {
            bySeq[i] = java.util.Arrays.copyOfRange(out, queryStart[i] * qDim, queryStart[i + 1] * qDim);
        }
        return bySeq;
    }

    /** Float64 attention of query (sequence i, slot j, head h), and the bound its float arithmetic stays within. */
    static double[] reference(Problem p, int i, int j, int h, double[] bound) {
        int hd = p.hd, g = h / (p.heads / p.kvHeads), qo = j * p.qDim() + h * hd;
        double scale = 1.0 / Math.sqrt(hd), max = Double.NEGATIVE_INFINITY, scoreErr = 0, vmax = 0;
        double[] s = new double[j + 1];
        for (int key = 0; key <= j; key++) {
            int ko = key * p.kvDim() + g * hd;
            double dot = 0, abs = 0;
            for (int d = 0; d < hd; d++) {
                dot += (double) p.q[i][qo + d] * p.k[i][ko + d];
                abs += Math.abs((double) p.q[i][qo + d] * p.k[i][ko + d]);
            }
            s[key] = dot * scale;
            // an fma chain of hd terms, then a rounded product by a rounded scale
            scoreErr = Math.max(scoreErr, (hd + 3) * 0x1p-24 * abs * scale);
            max = Math.max(max, s[key]);
            for (int d = 0; d < hd; d++) vmax = Math.max(vmax, Math.abs(p.v[i][key * p.kvDim() + g * hd + d]));
        }
        double sum = 0;
        for (int key = 0; key <= j; key++) sum += s[key] = Math.exp(s[key] - max);
        double[] out = new double[hd];
        for (int key = 0; key <= j; key++) {
            int vo = key * p.kvDim() + g * hd;
            for (int d = 0; d < hd; d++) out[d] += s[key] / sum * p.v[i][vo + d];
        }
        // weights: each e_j is off by the score errors (twice: its own and the max's), the rounding of s − m (|s − m|·u),
        // exp's 2 ulp and the rescaling factors' roundings (one per key tile); the weighted sum adds one rounding per key
        double spread = 0;
        for (int key = 0; key <= j; key++) spread = Math.max(spread, -Math.log(Math.max(s[key], Double.MIN_NORMAL)));
        double tiles = j / T + 1, weightErr = 4 * scoreErr + (spread + 4 + 2 * tiles) * 0x1p-24;
        bound[0] = vmax * (2 * weightErr + (j + 4 + tiles) * 0x1p-24) + 1e-30;
        return out;
    }

    @Test
    void matchesFloat64ReferenceOverShapes() {
        SplittableRandom rng = new SplittableRandom(14);
        int[][] heads = {{1, 1}, {2, 1}, {4, 2}, {8, 1}, {6, 3}, {3, 3}};
        int[] hds = {1, 3, 8, L, L + 1, 2 * L - 1, 2 * L, 17, 64, 128, 130};
        int[] blocks = {1, 3, 16, 64};
        int cases = 0;
        for (int[] hh : heads) {
            for (int hd : hds) {
                int bs = blocks[cases % blocks.length];
                // lengths across query tiles and key tiles, tails included; some sequences start mid-prompt
                int[] length = {1 + rng.nextInt(3), T + 1 + rng.nextInt(3 * T), TiledAttention.QUERY_TILE + 1 + rng.nextInt(40)};
                int[] from = {0, rng.nextInt(length[1]), rng.nextInt(length[2])};
                double qScale = cases % 3 == 0 ? 0.1 : cases % 3 == 1 ? 1 : 4, growth = cases % 2 == 0 ? 0 : 0.05;
                Problem p = problem(rng, hh[0], hh[1], hd, length, from, qScale, growth);
                float[][] out = run(p, from, length, bs, cases);
                for (int i = 0; i < length.length; i++) {
                    for (int j = from[i]; j < length[i]; j++) {
                        for (int h = 0; h < hh[0]; h++) {
                            double[] bound = new double[1];
                            double[] ref = reference(p, i, j, h, bound);
                            int oo = (j - from[i]) * p.qDim() + h * hd;
                            for (int d = 0; d < hd; d++) {
                                double err = Math.abs(out[i][oo + d] - ref[d]);
                                if (!(err <= bound[0])) {
                                    fail("heads " + hh[0] + "/" + hh[1] + " hd " + hd + " block " + bs + ": seq " + i + " slot " + j
                                            + " head " + h + " dim " + d + ": " + out[i][oo + d] + " vs " + ref[d] + " (error " + err
                                            + " > bound " + bound[0] + ")");
                                }
                            }
                        }
                    }
                }
                cases++;
            }
        }
        assertEquals(heads.length * hds.length, cases);
    }

    @Test
    void bitExactAgainstScalarModelOfItsOrder() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int hd : new int[]{1, 5, 2 * L + 3, 64}) {
            int[] length = {3 * T + 5, 2, TiledAttention.QUERY_TILE * 2 + 3};
            int[] from = {T - 1, 0, 5};
            Problem p = problem(rng, 4, 2, hd, length, from, 2, 0.08);
            float[][] out = run(p, from, length, 7, hd);
            for (int i = 0; i < length.length; i++) {
                for (int j = from[i]; j < length[i]; j++) {
                    for (int h = 0; h < 4; h++) {
                        float[] model = scalarModel(p, i, j, h);
                        int oo = (j - from[i]) * p.qDim() + h * hd;
                        for (int d = 0; d < hd; d++) {
                            if (Float.floatToRawIntBits(model[d]) != Float.floatToRawIntBits(out[i][oo + d])) {
                                fail("hd " + hd + " seq " + i + " slot " + j + " head " + h + " dim " + d + ": " + out[i][oo + d]
                                        + " vs the model's " + model[d]);
                            }
                        }
                    }
                }
            }
        }
    }

    /** The order of {@link TiledAttention}'s javadoc, one query at a time, in scalar float/double arithmetic. */
    static float[] scalarModel(Problem p, int i, int pos, int h) {
        int hd = p.hd, g = h / (p.heads / p.kvHeads), qo = pos * p.qDim() + h * hd;
        float scale = (float) (1.0 / Math.sqrt(hd));
        float m = Float.NEGATIVE_INFINITY;
        double l = 0;
        float[] o = new float[hd];
        for (int j0 = 0; j0 <= pos; j0 += T) {
            int visible = Math.min(T, pos - j0 + 1);
            float[] s = new float[visible];
            float tileMax = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < visible; j++) {
                int ko = (j0 + j) * p.kvDim() + g * hd;
                float acc = 0f;
                for (int d = 0; d < hd; d++) acc = Math.fma(p.q[i][qo + d], p.k[i][ko + d], acc);
                s[j] = acc * scale;
                tileMax = Math.max(tileMax, s[j]);
            }
            float mNew = Math.max(m, tileMax);
            float c = m == Float.NEGATIVE_INFINITY ? 0f : (float) Math.exp(m - mNew);
            float[] lanes = new float[L];   // e of lane j and of lane j + L, added: the vector e0 + e1
            float[] e = new float[visible];
            for (int j = 0; j < visible; j++) {
                e[j] = cephesExp(s[j] - mNew);
                lanes[j % L] += e[j];   // at most two terms per lane: 0 + a + b rounds as a + b
            }
            for (int step = L / 2; step >= 1; step /= 2) {
                float[] folded = new float[L];
                for (int lane = 0; lane < L; lane++) folded[lane] = lanes[lane] + lanes[lane ^ step];
                lanes = folded;
            }
            l = l * c + lanes[0];
            for (int d = 0; d < hd; d++) {
                float x = o[d] * c;
                for (int j = 0; j < visible; j++) x = Math.fma(e[j], p.v[i][(j0 + j) * p.kvDim() + g * hd + d], x);
                o[d] = x;
            }
            m = mNew;
        }
        float inv = (float) (1.0 / l);
        for (int d = 0; d < hd; d++) o[d] *= inv;
        return o;
    }

    /** Cephes' expf as the javadoc of {@link TiledAttention#exp} states it, in scalar IEEE operations. */
    static float cephesExp(float x) {
        final float round = 12582912f;
        x = Math.max(x, -87f);
        float n = Math.fma(x, 1.44269504088896341f, round) - round;
        float r = Math.fma(n, -0.693359375f, x);
        r = Math.fma(n, 2.12194440e-4f, r);
        float q = Math.fma(r, 1.9875691500e-4f, 1.3981999507e-3f);
        q = Math.fma(q, r, 8.3334519073e-3f);
        q = Math.fma(q, r, 4.1665795894e-2f);
        q = Math.fma(q, r, 1.6666665459e-1f);
        q = Math.fma(q, r, 5.0000001201e-1f);
        q = Math.fma(q * r, r, r) + 1f;
        return q * Float.intBitsToFloat(((int) n + 127) << 23);
    }

    @Test
    void expWithinTwoUlpOfMathExp() {
        for (int k = 0; k <= 200_000; k++) {
            float x = (float) (-88.0 * k / 200_000);
            float ours = TiledAttention.exp(jdk.incubator.vector.FloatVector.broadcast(VectorWidth.FLOAT, x)).lane(0);
            double exact = Math.exp(x);
            assertEquals(Float.floatToRawIntBits(cephesExp(x)), Float.floatToRawIntBits(ours), "x = " + x);
            if (exact >= Float.MIN_NORMAL * 2) {
                assertTrue(Math.abs(ours - exact) <= 2 * Math.ulp((float) exact), "exp(" + x + ") = " + ours + ", exact " + exact);
            }
        }
    }

    /**
     * The same three prompts prefilled in one step, one token per step, and in random chunks; next to other
     * sequences or alone; with blocks of 1, 5, 16 and 64 slots placed in shuffled order; on 1, 2 and 3 threads:
     * every query's output has the same bits.
     */
    @Test
    void batchInvariantOverStepsNeighboursBlocksAndThreads() {
        SplittableRandom rng = new SplittableRandom(8);
        int[] length = {TiledAttention.QUERY_TILE + 9, 3 * T + 2, 4};
        int hd = 2 * L + 3;
        Problem p = problem(rng, 6, 2, hd, length, new int[3], 1.5, 0.05);
        int seqs = length.length, qDim = p.qDim();
        float[][] expected = run(p, new int[seqs], length, 16, 0);
        int threads = Parallel.threads();
        try {
            for (int th = 1; th <= 3; th++) {
                Parallel.setThreads(th);
                for (int bs : new int[]{1, 5, 16, 64}) {
                    // all together, in one step
                    check(expected, run(p, new int[seqs], length, bs, th * 31L + bs), new int[seqs], "one step, block " + bs + ", " + th + " threads");
                    // each alone, cut into chunks (one token at a time for bs = 1)
                    for (int i = 0; i < seqs; i++) {
                        int at = 0;
                        while (at < length[i]) {
                            int n = bs == 1 ? 1 : 1 + rng.nextInt(Math.max(1, length[i] / 2));
                            int to = Math.min(length[i], at + n);
                            float[] got = run(subProblem(p, i), new int[]{at}, new int[]{to}, bs, at)[0];
                            float[] want = java.util.Arrays.copyOfRange(expected[i], at * qDim, to * qDim);
                            assertSameBits(want, got, "sequence " + i + " slots " + at + "…" + (to - 1) + " alone, block " + bs + ", " + th + " threads");
                            at = to;
                        }
                    }
                    // mixed: every sequence mid-prompt at once, different cut points
                    int[] from = new int[seqs], to = new int[seqs];
                    for (int i = 0; i < seqs; i++) {
                        from[i] = rng.nextInt(length[i]);
                        to[i] = from[i] + 1 + rng.nextInt(length[i] - from[i]);
                    }
                    float[][] got = run(p, from, to, bs, bs * 7L + th);
                    for (int i = 0; i < seqs; i++) {
                        float[] want = java.util.Arrays.copyOfRange(expected[i], from[i] * qDim, to[i] * qDim);
                        assertSameBits(want, got[i], "sequence " + i + " slots " + from[i] + "…" + (to[i] - 1) + " next to others, block " + bs + ", " + th + " threads");
                    }
                }
            }
        } finally {
            Parallel.setThreads(threads);
        }
    }

    private static Problem subProblem(Problem p, int i) {
        return new Problem(p.heads, p.kvHeads, p.hd, new int[]{p.length[i]}, new int[1], new float[][]{p.q[i]},
                new float[][]{p.k[i]}, new float[][]{p.v[i]});
    }

    private static void check(float[][] expected, float[][] got, int[] from, String what) {
        for (int i = 0; i < expected.length; i++) assertSameBits(expected[i], got[i], what + ", sequence " + i);
    }

    private static void assertSameBits(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int x = 0; x < want.length; x++) {
            if (Float.floatToRawIntBits(want[x]) != Float.floatToRawIntBits(got[x])) {
                fail(what + ": element " + x + " is " + got[x] + ", expected " + want[x]);
            }
        }
    }
}
