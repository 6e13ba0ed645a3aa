package dev.hymt4j.model;

import dev.hymt4j.tensor.Lanes;
import dev.hymt4j.tensor.Matrix;
import dev.hymt4j.tensor.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The HunYuan dense causal LM forward pass (spec §2), in float32 over mapped F32/BF16/F16 weights.
 *
 * <p>Input is a batch {@code ids [B, T]} with an optional attention mask {@code [B, T]} for the new tokens;
 * padding may be on either side. Position ids come from the mask (cumsum − 1, clamped at 0, continuing from
 * what the cache has seen), and keys whose mask is 0 are never attended to. A query with no visible key at
 * all (a left-padding position) gets a zero attention output; its logits are meaningless, as in transformers.
 *
 * <p>Matrix products are parallel over weight rows ({@link Matrix#matmul}), attention over (row, token,
 * head) units, all on the shared {@link Parallel} pool. Thread-safe for concurrent calls with distinct caches.
 */
public final class HunyuanModel implements AutoCloseable {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private final ModelWeights weights;
    private final ModelConfig config;
    /** The checkpoint this model mapped its weights from, when it opened it itself; else null. */
    private final Checkpoint ownedCheckpoint;
    private final float[] inverseFrequencies;
    private final float attentionScale;

    public HunyuanModel(ModelWeights weights) {
        this(weights, null);
    }

    private HunyuanModel(ModelWeights weights, Checkpoint ownedCheckpoint) {
        this.weights = weights;
        this.config = weights.config();
        this.ownedCheckpoint = ownedCheckpoint;
        this.inverseFrequencies = inverseFrequencies(config);
        this.attentionScale = (float) (1.0 / Math.sqrt(config.headDim()));
    }

    /** Opens a model directory (config.json + model.safetensors or shards); {@link #close()} unmaps it. */
    public static HunyuanModel load(Path dir) throws IOException {
        Checkpoint checkpoint = Checkpoint.open(dir);
        try {
            return new HunyuanModel(ModelWeights.load(checkpoint), checkpoint);
        } catch (IOException | RuntimeException e) {
            checkpoint.close();
            throw e;
        }
    }

    /**
     * RoPE inverse frequencies {@code 1 / base^(2i/d)} for the configured type (spec §2.5): computed in double
     * from the effective base (alpha-rescaled for HunYuan's dynamic type) and rounded once to float; the
     * linear type divides them by its factor, which is the same as dividing positions.
     */
    public static float[] inverseFrequencies(ModelConfig c) {
        double base = c.effectiveRopeBase();
        double divisor = c.ropeType().equals("linear") ? c.ropeFactor() : 1.0;
        float[] f = new float[c.headDim() / 2];
        for (int i = 0; i < f.length; i++) f[i] = (float) (1.0 / Math.pow(base, 2.0 * i / c.headDim()) / divisor);
        return f;
    }

    public ModelConfig config() {
        return config;
    }

    public ModelWeights weights() {
        return weights;
    }

    /** A cache for {@code batch} sequences that grows on demand up to {@code max_position_embeddings}. */
    public KvCache newCache(int batch) {
        return new KvCache(config, batch, config.maxPositionEmbeddings());
    }

    /** A cache for {@code batch} sequences that grows on demand up to {@code maxTokens} positions. */
    public KvCache newCache(int batch, int maxTokens) {
        return new KvCache(config, batch, maxTokens);
    }

    /** One unpadded sequence without a cache: logits {@code [T, vocab]} (and hidden states if asked). */
    public ForwardResult forward(int[] ids, ForwardOptions options) {
        return forward(new int[][]{ids}, null, null, options);
    }

    /**
     * Runs the new tokens {@code ids [B, T]} through the model, appending them to {@code cache}.
     *
     * @param mask    1 for real tokens, 0 for padding, per new token; null means all 1
     * @param cache   the sequences so far (its batch must be B), or null for a one-off pass
     */
    public ForwardResult forward(int[][] ids, int[][] mask, KvCache cache, ForwardOptions options) {
        int batch = ids.length;
        if (batch == 0 || ids[0].length == 0) throw new IllegalArgumentException("empty input: need at least one token");
        int tokens = ids[0].length;
        mask = checkedMask(ids, mask, tokens);
        if (cache == null) cache = new KvCache(config, batch, tokens);
        if (cache.batch() != batch) {
            throw new IllegalArgumentException("input has " + batch + " rows but the cache holds " + cache.batch());
        }
        int hidden = config.hiddenSize(), layersCount = config.numLayers(), n = batch * tokens;
        int half = config.headDim() / 2;

        // Positions continue from the real tokens the cache has seen; cos/sin are shared by all layers.
        float[] cos = new float[n * half], sin = new float[n * half];
        for (int b = 0; b < batch; b++) {
            int seen = cache.realTokens(b);
            for (int t = 0; t < tokens; t++) {
                seen += mask[b][t];
                float position = Math.max(seen - 1, 0);
                int off = (b * tokens + t) * half;
                for (int i = 0; i < half; i++) {
                    float angle = position * inverseFrequencies[i];
                    cos[off + i] = (float) Math.cos(angle);
                    sin[off + i] = (float) Math.sin(angle);
                }
            }
        }
        int past = cache.length();
        cache.append(mask, tokens);

        float[] x = new float[n * hidden];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < tokens; t++) weights.embedding().readRow(ids[b][t], x, (b * tokens + t) * hidden);
        }
        float[][] hiddenStates = options.hiddenStates() ? new float[layersCount + 1][] : null;
        if (hiddenStates != null) hiddenStates[0] = x.clone();

        float[] a = new float[n * hidden], projected = new float[n * hidden];
        float[] q = new float[n * config.qDim()], attended = new float[n * config.qDim()];
        float[] k = new float[n * config.kvDim()], v = new float[n * config.kvDim()];
        float[] gate = new float[n * config.intermediateSize()], up = new float[n * config.intermediateSize()];
        for (int l = 0; l < layersCount; l++) {
            LayerWeights w = weights.layers()[l];
            rmsNorm(x, w.inputNorm(), a, n, hidden);
            w.q().matmul(a, n, q);
            w.k().matmul(a, n, k);
            w.v().matmul(a, n, v);
            // RoPE first, then the per-head norms (spec §2.4 step 4, §8.1).
            rotate(q, n * config.numHeads(), config.numHeads(), cos, sin);
            rotate(k, n * config.numKvHeads(), config.numKvHeads(), cos, sin);
            if (config.useQkNorm()) {
                rmsNorm(q, w.queryNorm(), q, n * config.numHeads(), config.headDim());
                rmsNorm(k, w.keyNorm(), k, n * config.numKvHeads(), config.headDim());
            }
            store(cache, l, k, v, past, batch, tokens);
            final int layer = l;
            final KvCache c = cache;
            Parallel.forRange(n * config.numHeads(), 2, (u0, u1) -> attend(c, layer, q, attended, past, tokens, u0, u1));
            w.o().matmul(attended, n, projected);
            addInPlace(x, projected);
            rmsNorm(x, w.postAttentionNorm(), a, n, hidden);
            w.gate().matmul(a, n, gate);
            w.up().matmul(a, n, up);
            swiGlu(gate, up);
            w.down().matmul(gate, n, projected);
            addInPlace(x, projected);
            if (hiddenStates != null && l < layersCount - 1) hiddenStates[l + 1] = x.clone();
        }
        rmsNorm(x, weights.finalNorm(), a, n, hidden);
        if (hiddenStates != null) hiddenStates[layersCount] = a.clone();

        int vocab = config.vocabSize();
        float[] logits;
        int positions;
        if (options.allLogits()) {
            positions = tokens;
            logits = new float[n * vocab];
            weights.lmHead().matmul(a, n, logits);
        } else {
            positions = 1;
            float[] last = new float[batch * hidden];
            for (int b = 0; b < batch; b++) System.arraycopy(a, (b * tokens + tokens - 1) * hidden, last, b * hidden, hidden);
            logits = new float[batch * vocab];
            weights.lmHead().matmul(last, batch, logits);
        }
        return new ForwardResult(batch, positions, vocab, logits, hiddenStates);
    }

    private int[][] checkedMask(int[][] ids, int[][] mask, int tokens) {
        int vocab = config.vocabSize();
        for (int b = 0; b < ids.length; b++) {
            if (ids[b].length != tokens) {
                throw new IllegalArgumentException("row " + b + " has " + ids[b].length + " tokens, row 0 has " + tokens
                        + " (pad rows to one length and mask the padding)");
            }
            for (int t = 0; t < tokens; t++) {
                if (ids[b][t] < 0 || ids[b][t] >= vocab) {
                    throw new IllegalArgumentException("token id " + ids[b][t] + " at [" + b + ", " + t
                            + "] is outside the vocabulary [0, " + vocab + ")");
                }
            }
        }
        if (mask == null) {
            mask = new int[ids.length][tokens];
            for (int[] row : mask) Arrays.fill(row, 1);
            return mask;
        }
        if (mask.length != ids.length) throw new IllegalArgumentException("mask has " + mask.length + " rows, ids " + ids.length);
        for (int b = 0; b < mask.length; b++) {
            if (mask[b].length != tokens) throw new IllegalArgumentException("mask row " + b + " has " + mask[b].length + " entries, ids " + tokens);
            for (int m : mask[b]) if (m != 0 && m != 1) throw new IllegalArgumentException("mask values must be 0 or 1, got " + m);
        }
        return mask;
    }

    /**
     * RMSNorm of {@code count} vectors of {@code dim} (spec §2.3): statistics in double, the normalized value in
     * float, then times the weight. {@code out} may be {@code in}.
     */
    private void rmsNorm(float[] in, float[] weight, float[] out, int count, int dim) {
        float eps = config.rmsNormEps();
        for (int r = 0; r < count; r++) {
            int off = r * dim;
            double sumSquares = 0;
            for (int i = 0; i < dim; i++) sumSquares += (double) in[off + i] * in[off + i];
            float variance = (float) (sumSquares / dim);
            float inverseRms = (float) (1.0 / Math.sqrt(variance + eps));
            for (int i = 0; i < dim; i++) out[off + i] = weight[i] * (in[off + i] * inverseRms);
        }
    }

    /** NeoX rotate-half RoPE on {@code vectors} head vectors, {@code heads} per token, pairs (i, i + d/2). */
    private void rotate(float[] x, int vectors, int heads, float[] cos, float[] sin) {
        int dim = config.headDim(), half = dim / 2;
        for (int h = 0; h < vectors; h++) {
            int off = h * dim, angles = (h / heads) * half;
            for (int i = 0; i < half; i++) {
                float x0 = x[off + i], x1 = x[off + i + half];
                float c = cos[angles + i], s = sin[angles + i];
                x[off + i] = x0 * c - x1 * s;
                x[off + i + half] = x1 * c + x0 * s;
            }
        }
    }

    private void store(KvCache cache, int layer, float[] k, float[] v, int past, int batch, int tokens) {
        int kvDim = config.kvDim();
        for (int b = 0; b < batch; b++) {
            float[] keys = cache.keys(layer, b), values = cache.values(layer, b);
            int src = b * tokens * kvDim, dst = past * kvDim, len = tokens * kvDim;
            System.arraycopy(k, src, keys, dst, len);
            System.arraycopy(v, src, values, dst, len);
        }
    }

    /**
     * Causal attention for units {@code [u0, u1)}, unit = (token n of the flattened batch, query head h):
     * scores {@code q·k · d^-½} over the visible cached positions, float32 softmax, weighted sum of values.
     * Query head h reads KV head {@code h / group} (GQA).
     */
    private void attend(KvCache cache, int layer, float[] q, float[] out, int past, int tokens, int u0, int u1) {
        int heads = config.numHeads(), dim = config.headDim(), qDim = config.qDim(), kvDim = config.kvDim();
        int group = config.kvGroup(), upper = F.loopBound(dim);
        float[] scores = new float[past + tokens];
        for (int u = u0; u < u1; u++) {
            int n = u / heads, h = u % heads, b = n / tokens, last = past + n % tokens;
            float[] keys = cache.keys(layer, b), values = cache.values(layer, b);
            byte[] mask = cache.mask(b);
            int qo = n * qDim + h * dim, kvo = (h / group) * dim;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j <= last; j++) {
                if (mask[j] == 0) continue;
                int ko = j * kvDim + kvo;
                FloatVector acc = FloatVector.zero(F);
                int i = 0;
                for (; i < upper; i += F.length()) {
                    acc = FloatVector.fromArray(F, q, qo + i).fma(FloatVector.fromArray(F, keys, ko + i), acc);
                }
                float dot = Lanes.sum(acc);
                for (; i < dim; i++) dot += q[qo + i] * keys[ko + i];
                float s = dot * attentionScale;
                scores[j] = s;
                if (s > max) max = s;
            }
            Arrays.fill(out, qo, qo + dim, 0f);
            if (max == Float.NEGATIVE_INFINITY) continue; // nothing visible: a padding query
            float sum = 0;
            for (int j = 0; j <= last; j++) {
                if (mask[j] == 0) continue;
                float e = (float) Math.exp(scores[j] - max);
                scores[j] = e;
                sum += e;
            }
            for (int j = 0; j <= last; j++) {
                if (mask[j] == 0) continue;
                FloatVector p = FloatVector.broadcast(F, scores[j] / sum);
                int vo = j * kvDim + kvo;
                int i = 0;
                for (; i < upper; i += F.length()) {
                    FloatVector.fromArray(F, values, vo + i).fma(p, FloatVector.fromArray(F, out, qo + i)).intoArray(out, qo + i);
                }
                for (; i < dim; i++) out[qo + i] += scores[j] / sum * values[vo + i];
            }
        }
    }

    /** {@code gate ← silu(gate) ⊙ up}, silu(x) = x·σ(x). */
    private static void swiGlu(float[] gate, float[] up) {
        for (int i = 0; i < gate.length; i++) {
            float g = gate[i];
            float sigmoid = (float) (1.0 / (1.0 + Math.exp(-g)));
            gate[i] = g * sigmoid * up[i];
        }
    }

    private static void addInPlace(float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) x[i] += y[i];
    }

    /** Unmaps the checkpoint if this model opened it; weights must not be used afterwards. */
    @Override
    public void close() {
        if (ownedCheckpoint != null) ownedCheckpoint.close();
    }
}
