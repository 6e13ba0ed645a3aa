package dev.hymt4j.model;

import dev.hymt4j.kv.BlockTable;
import dev.hymt4j.kv.PagedKvCache;
import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.lora.LoraTarget;
import dev.hymt4j.ops.Attention;
import dev.hymt4j.ops.KvLayout;
import dev.hymt4j.ops.Linear;
import dev.hymt4j.ops.LoraBatch;
import dev.hymt4j.ops.RmsNorm;
import dev.hymt4j.ops.Rope;
import dev.hymt4j.ops.SwiGlu;
import dev.hymt4j.ops.Vec;
import dev.hymt4j.tensor.Parallel;
import dev.hymt4j.weights.WeightSource;
import dev.hymt4j.weights.WeightSources;

import java.io.IOException;
import java.nio.file.Path;

import static dev.hymt4j.lora.LoraTarget.DOWN_PROJ;
import static dev.hymt4j.lora.LoraTarget.GATE_PROJ;
import static dev.hymt4j.lora.LoraTarget.K_PROJ;
import static dev.hymt4j.lora.LoraTarget.O_PROJ;
import static dev.hymt4j.lora.LoraTarget.Q_PROJ;
import static dev.hymt4j.lora.LoraTarget.UP_PROJ;
import static dev.hymt4j.lora.LoraTarget.V_PROJ;

/**
 * The HunYuan dense causal LM (spec §2) in float32 over frozen weights of any {@link dev.hymt4j.tensor.Matrix}
 * format: the one implementation of the network. Inference ({@link #forward(StepBatch, PagedKvCache)}, an
 * engine step over a ragged batch with a paged KV cache) and training ({@link Training}, a padded batch with a
 * tape of activations and an explicit backward pass) run the same layer: {@link DecoderLayer}, the description
 * the ONNX exporter also generates its graph from, computed here on float buffers with the {@code ops} package.
 *
 * <p>Every output of a step depends only on its own sequence: matrix products sum each (row, token) in a fixed
 * order, attention and norms work per token, so a sequence's logits are bit-identical whatever else is in the
 * batch and whenever it joined (batch invariance). Thread-safe for concurrent calls with distinct batches and
 * caches; parallel work runs on the shared {@link Parallel} pool within the caller's thread budget.
 */
public final class HunyuanModel implements CausalLm {
    private final ModelWeights weights;
    private final ModelConfig config;
    /** What this model mapped its weights from, when it opened it itself; else null. */
    private final WeightSource owned;
    private final Rope rope;

    public HunyuanModel(ModelWeights weights) {
        this(weights, null);
    }

    private HunyuanModel(ModelWeights weights, WeightSource owned) {
        this.weights = weights;
        this.config = weights.config();
        this.owned = owned;
        this.rope = new Rope(config);
    }

    /** Opens a model directory (config.json + model.safetensors or shards) or a GGUF file; {@link #close()} unmaps it. */
    public static HunyuanModel load(Path model) throws IOException {
        return load(WeightSources.open(model));
    }

    /** A model over the weights of {@code source}, which it owns from now on ({@link #close()} closes it). */
    public static HunyuanModel load(WeightSource source) throws IOException {
        try {
            return new HunyuanModel(ModelWeights.load(source), source);
        } catch (IOException | RuntimeException e) {
            source.close();
            throw e;
        }
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    public ModelWeights weights() {
        return weights;
    }

    Rope rope() {
        return rope;
    }

    // ---------------------------------------------------------------- inference

    @Override
    public StepOutput forward(StepBatch batch, PagedKvCache cache) {
        if (batch.tokens() == 0) throw new IllegalArgumentException("empty step: need at least one token");
        if (Parallel.inPool()) forwardInPool(batch, cache);
        else Parallel.run(Parallel.threads(), () -> forwardInPool(batch, cache));
        return batch.output();
    }

    private void forwardInPool(StepBatch batch, PagedKvCache cache) {
        int n = batch.tokens(), sequences = batch.sequences(), h = config.hiddenSize();
        Workspace w = workspace(batch, n);
        int[] starts = batch.starts();
        for (int s = 0; s < sequences; s++) {
            BlockTable table = batch.table(s);
            int end = batch.firstSlot(s) + batch.count(s);
            if (cache.blocksFor(end) > table.size()) {
                throw new IllegalArgumentException("sequence " + s + " of the step needs slots up to " + end + " but its block table covers "
                        + table.size() * cache.blockSize());
            }
            w.tables[s] = table.blocks();
            for (int i = 0; i < batch.count(s); i++) w.positions[starts[s] + i] = batch.firstSlot(s) + i;
            LoraAdapter adapter = batch.adapter(s);
            if (adapter != null && !adapter.modelConfig().equals(config)) {
                throw new IllegalArgumentException("sequence " + s + " of the step has an adapter built for another model config");
            }
        }
        rope.angles(w.positions, n, w.cos, w.sin);
        embed(batch.ids(), n, w.x);
        w.kv.setPaged(cache.blockArrays(), cache.blockBases(), cache.blockSize(), sequences, w.tables, starts, batch.firstSlots());
        w.lora.clear();
        for (int s = 0; s < sequences; s++) w.lora.add(batch.adapter(s), starts[s], batch.count(s));

        int layers = config.numLayers();
        float[][] hidden = batch.hiddenStates() ? new float[layers + 1][] : null;
        if (hidden != null) hidden[0] = java.util.Arrays.copyOf(w.x, n * h);
        float[] x = w.x, next = w.xNext;
        LayerCompute layer = new LayerCompute(w.acts, n, w.cos, w.sin, w.kv, true, w.lora, 0);
        for (int l = 0; l < layers; l++) {
            w.kv.setOffsets(cache.keyOffset(l), cache.valueOffset(l));
            layer.run(l, x, next);
            float[] t = x;
            x = next;
            next = t;
            if (hidden != null && l < layers - 1) hidden[l + 1] = java.util.Arrays.copyOf(x, n * h);
        }

        // Final norm and head on the wanted positions only.
        int rows = 0;
        for (int s = 0; s < sequences; s++) rows += wantedRows(batch, s);
        float[] logits = batch.output().reset(sequences, rows, config.vocabSize());
        for (int s = 0, row = 0; s < sequences; s++) {
            batch.output().setRows(s, row, wantedRows(batch, s));
            row += wantedRows(batch, s);
        }
        for (int s = 0; s < sequences; s++) {
            int first = batch.output().row(s), count = batch.output().rowCount(s);
            int from = starts[s + 1] - count;
            System.arraycopy(x, from * h, w.selected, first * h, count * h);
        }
        if (hidden != null) {
            float[] last = new float[n * h];
            RmsNorm.forward(x, weights.finalNorm(), config.rmsNormEps(), n, h, last, new float[n]);
            hidden[layers] = last;
        }
        if (rows > 0) {
            RmsNorm.forward(w.selected, weights.finalNorm(), config.rmsNormEps(), rows, h, w.selected, w.rstd);
            weights.lmHead().matmul(w.selected, rows, logits);
        }
        batch.output().setHiddenStates(hidden);
    }

    private static int wantedRows(StepBatch batch, int s) {
        return switch (batch.logits(s)) {
            case NONE -> 0;
            case LAST -> 1;
            case ALL -> batch.count(s);
        };
    }

    /**
     * One unpadded sequence without a cache of its own: logits {@code [T, vocab]} (or the last position's), and
     * the hidden states if asked. A convenience over a one-sequence step (debug commands, tests).
     */
    public ForwardResult forward(int[] ids, ForwardOptions options) {
        return forward(ids, options, null);
    }

    /** As {@link #forward(int[], ForwardOptions)} with a LoRA adapter applied (null: the base model). */
    public ForwardResult forward(int[] ids, ForwardOptions options, LoraAdapter adapter) {
        if (ids.length == 0) throw new IllegalArgumentException("empty input: need at least one token");
        PagedKvCache cache = new PagedKvCache(config, ids.length, PagedKvCache.bytesPerToken(config.numLayers(), config.kvDim())
                * ids.length, false);
        BlockTable table = new BlockTable();
        cache.reserve(table, ids.length);
        StepBatch batch = new StepBatch();
        batch.add(ids, 0, ids.length, 0, table, options.allLogits() ? StepBatch.Logits.ALL : StepBatch.Logits.LAST, adapter);
        if (options.hiddenStates()) batch.collectHiddenStates();
        StepOutput out = forward(batch, cache);
        int rows = out.rows();
        float[] logits = java.util.Arrays.copyOf(out.logits(), rows * out.vocab());
        return new ForwardResult(1, rows, out.vocab(), logits, out.hiddenStates());
    }

    /** The step's buffers, kept in the batch and grown when a step has more tokens than any before. */
    private Workspace workspace(StepBatch batch, int n) {
        if (batch.workspace instanceof Workspace w && w.config == config && w.acts.capacity >= n && w.tables.length >= batch.sequences()) {
            return w;
        }
        int capacity = batch.workspace instanceof Workspace old && old.config == config ? Math.max(n, 2 * old.acts.capacity) : n;
        Workspace w = new Workspace(config, Math.max(capacity, 8), Math.max(batch.sequences(), 8));
        batch.workspace = w;
        return w;
    }

    /** Per-batch inference buffers; shapes for {@code capacity} tokens. */
    private static final class Workspace {
        final ModelConfig config;
        final LayerActivations acts;
        final float[] x, xNext;            // [n, hidden] residual stream (ping-pong between layers)
        final int[] positions;             // [n]
        final float[] cos, sin;            // [n, headDim/2]
        final float[] selected;            // [n, hidden] hidden states of the positions whose logits are wanted
        final float[] rstd;                // [n]
        final int[][] tables;              // [sequences] block ids
        final KvLayout kv = new KvLayout();
        final LoraBatch lora = new LoraBatch();

        Workspace(ModelConfig c, int capacity, int sequences) {
            config = c;
            acts = new LayerActivations(c, capacity, 0);
            int h = c.hiddenSize();
            x = new float[capacity * h];
            xNext = new float[capacity * h];
            positions = new int[capacity];
            cos = new float[capacity * c.headDim() / 2];
            sin = new float[capacity * c.headDim() / 2];
            selected = new float[capacity * h];
            rstd = new float[capacity];
            tables = new int[Math.max(sequences, 2 * sequences)][];
        }
    }

    // ---------------------------------------------------------------- the layers (inference and training)

    /** {@code x [n, hidden]} = the embedding rows of {@code ids[0, n)}, each id checked against the vocabulary. */
    void embed(int[] ids, int n, float[] x) {
        int h = config.hiddenSize(), vocab = config.vocabSize();
        for (int t = 0; t < n; t++) {
            if (ids[t] < 0 || ids[t] >= vocab) {
                throw new IllegalArgumentException("token id " + ids[t] + " at " + t + " is outside the vocabulary [0, " + vocab + ")");
            }
            weights.embedding().readRow(ids[t], x, t * h);
        }
    }

    /**
     * One decoder layer (spec §2.4) over {@code n} tokens: {@code xOut = layer(xIn)}, every intermediate kept
     * in {@code s}. Keys and values are written to their slots first when {@code storeKv} (paged cache), or
     * read in place from {@code s.k, s.v} (a training batch's layout); attention keeps its probabilities when
     * {@code probStride > 0}.
     *
     * @param xIn  {@code [n, hidden]}
     * @param xOut {@code [n, hidden]} out
     * @param cos  {@code [n, headDim/2]} the tokens' rotations, and {@code sin} likewise
     */
    void layerForward(int l, float[] xIn, float[] xOut, LayerActivations s, int n, float[] cos, float[] sin, KvLayout kv,
                      boolean storeKv, LoraBatch lora, int probStride) {
        new LayerCompute(s, n, cos, sin, kv, storeKv, lora, probStride).run(l, xIn, xOut);
    }

    /**
     * The {@link DecoderLayer} operations computed on float buffers, for the arguments of {@link #layerForward}:
     * each op writes its result into the activation buffer of its role in {@code s} (the layer output into
     * {@code xOut}), so the backward pass finds every intermediate where {@link LayerActivations} says. One
     * instance serves every layer of an inference step ({@link #run} per layer), so a decode step allocates
     * nothing per layer.
     */
    private final class LayerCompute implements DecoderLayer.Ops<float[]> {
        private final int n;
        private final float[] cos, sin;
        private final LayerActivations s;
        private final KvLayout kv;
        private final boolean storeKv;
        private final LoraBatch lora;
        private final int probStride;
        // The layer being run.
        private int l;
        private LayerWeights w;
        private float[] xOut;

        LayerCompute(LayerActivations s, int n, float[] cos, float[] sin, KvLayout kv, boolean storeKv, LoraBatch lora, int probStride) {
            this.s = s;
            this.n = n;
            this.cos = cos;
            this.sin = sin;
            this.kv = kv;
            this.storeKv = storeKv;
            this.lora = lora;
            this.probStride = probStride;
        }

        /** Layer {@code l}: {@code xOut [n, hidden] = layer(xIn [n, hidden])}. */
        void run(int l, float[] xIn, float[] xOut) {
            this.l = l;
            this.w = weights.layers()[l];
            this.xOut = xOut;
            DecoderLayer.forward(config, this, xIn);
        }

        @Override
        public float[] norm(DecoderLayer.Norm which, float[] x) {
            int h = config.hiddenSize(), hd = config.headDim();
            float eps = config.rmsNormEps();
            float[] weight = which.weight(w);
            switch (which) {
                case INPUT -> RmsNorm.forward(x, weight, eps, n, h, s.a, s.rstd1);
                case QUERY -> RmsNorm.forward(x, weight, eps, n * config.numHeads(), hd, s.q, s.rstdQ);
                case KEY -> RmsNorm.forward(x, weight, eps, n * config.numKvHeads(), hd, s.k, s.rstdK);
                case POST_ATTENTION -> RmsNorm.forward(x, weight, eps, n, h, s.b, s.rstd2);
            }
            return switch (which) {
                case INPUT -> s.a;
                case QUERY -> s.q;
                case KEY -> s.k;
                case POST_ATTENTION -> s.b;
            };
        }

        @Override
        public float[] linear(LoraTarget proj, float[] x) {
            float[] out = switch (proj) {
                case Q_PROJ -> s.qRope;
                case K_PROJ -> s.kRope;
                case V_PROJ -> s.v;
                case O_PROJ -> s.xMid;
                case GATE_PROJ -> s.gate;
                case UP_PROJ -> s.up;
                case DOWN_PROJ -> xOut;
            };
            Linear.forward(proj.baseWeight(w), x, n, out, lora, l, proj, s.loraDown[proj.ordinal()]);
            return out;
        }

        @Override
        public float[] rope(float[] x, int heads) {
            rope.forward(x, n, heads, cos, sin);
            return x;
        }

        @Override
        public float[] attention(float[] q, float[] k, float[] v) {
            if (storeKv) kv.store(k, v, config.kvDim());
            Attention.forward(q, kv, config.numHeads(), config.numKvHeads(), config.headDim(), s.probs, probStride, s.att);
            return s.att;
        }

        @Override
        public float[] swiglu(float[] gate, float[] up) {
            SwiGlu.forward(gate, up, s.act, n * config.intermediateSize());
            return s.act;
        }

        @Override
        public float[] residual(float[] x, float[] delta) {
            Vec.add(x, delta, n * config.hiddenSize());
            return delta;
        }
    }

    /**
     * The backward pass of {@link #layerForward} (same arguments, plus the gradient): {@code dx} holds
     * ∂loss/∂(layer output) on entry and ∂loss/∂(layer input) on return; LoRA gradients accumulate in the
     * adapter. For a training batch's layout ({@link KvLayout#ofBatch}) with probabilities kept.
     */
    void layerBackward(int l, float[] xIn, LayerActivations s, int n, float[] cos, float[] sin, KvLayout kv, LoraBatch lora,
                       int probStride, float[] dx, LayerGradients g) {
        LayerWeights w = weights.layers()[l];
        int h = config.hiddenSize(), ff = config.intermediateSize(), hd = config.headDim();
        int heads = config.numHeads(), kvHeads = config.numKvHeads(), qDim = config.qDim(), kvDim = config.kvDim();
        // MLP half: xOut = xMid + down(swiglu(gate(b), up(b))), b = norm(xMid). The residual passes dx through.
        float[] dAct = LayerGradients.zeroed(g.dAct, n * ff);                 // [n, ff]
        Linear.backward(w.down(), s.act, n, dx, dAct, lora, l, DOWN_PROJ, s.loraDown[DOWN_PROJ.ordinal()]);
        float[] dGate = LayerGradients.zeroed(g.dGate, n * ff), dUp = LayerGradients.zeroed(g.dUp, n * ff);   // [n, ff] each
        SwiGlu.backward(s.gate, s.up, dAct, dGate, dUp, n * ff);
        float[] dB = LayerGradients.zeroed(g.dB, n * h);                      // [n, hidden]
        Linear.backward(w.gate(), s.b, n, dGate, dB, lora, l, GATE_PROJ, s.loraDown[GATE_PROJ.ordinal()]);
        Linear.backward(w.up(), s.b, n, dUp, dB, lora, l, UP_PROJ, s.loraDown[UP_PROJ.ordinal()]);
        RmsNorm.backward(s.xMid, w.postAttentionNorm(), s.rstd2, dB, n, h, dx);
        // Attention half: xMid = xIn + o(attention(qknorm(rope(q(a))), qknorm(rope(k(a))), v(a))), a = norm(xIn).
        float[] dAtt = LayerGradients.zeroed(g.dAtt, n * qDim);               // [n, qDim]
        Linear.backward(w.o(), s.att, n, dx, dAtt, lora, l, O_PROJ, s.loraDown[O_PROJ.ordinal()]);
        float[] dq = LayerGradients.zeroed(g.dq, n * qDim);                   // [n, qDim]
        float[] dk = LayerGradients.zeroed(g.dk, n * kvDim), dv = LayerGradients.zeroed(g.dv, n * kvDim);   // [n, kvDim] each
        Attention.backward(s.q, kv, heads, kvHeads, hd, s.probs, probStride, s.att, dAtt, dq, dk, dv);
        float[] dqRope = dq, dkRope = dk;
        if (config.useQkNorm()) {
            dqRope = LayerGradients.zeroed(g.dqRope, n * qDim);              // [n, qDim]
            dkRope = LayerGradients.zeroed(g.dkRope, n * kvDim);             // [n, kvDim]
            RmsNorm.backward(s.qRope, w.queryNorm(), s.rstdQ, dq, n * heads, hd, dqRope);
            RmsNorm.backward(s.kRope, w.keyNorm(), s.rstdK, dk, n * kvHeads, hd, dkRope);
        }
        rope.backward(dqRope, n, heads, cos, sin);
        rope.backward(dkRope, n, kvHeads, cos, sin);
        float[] dA = LayerGradients.zeroed(g.dA, n * h);                      // [n, hidden]
        Linear.backward(w.q(), s.a, n, dqRope, dA, lora, l, Q_PROJ, s.loraDown[Q_PROJ.ordinal()]);
        Linear.backward(w.k(), s.a, n, dkRope, dA, lora, l, K_PROJ, s.loraDown[K_PROJ.ordinal()]);
        Linear.backward(w.v(), s.a, n, dv, dA, lora, l, V_PROJ, s.loraDown[V_PROJ.ordinal()]);
        RmsNorm.backward(xIn, w.inputNorm(), s.rstd1, dA, n, h, dx);
    }

    /** Unmaps the weights if this model opened them; the model must not be used afterwards. */
    @Override
    public void close() {
        if (owned != null) owned.close();
    }
}
