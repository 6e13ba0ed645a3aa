package dev.hymt4j.lora;

import dev.hymt4j.model.LayerWeights;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.tensor.Matrix;

/**
 * The training path of a HunYuan dense model with LoRA adapters: a forward pass that keeps its activations and
 * an explicit backward pass, per operation (llm.c style). The base weights are frozen {@link Matrix} objects
 * (BF16/F32 mapped, or NF4) and only pass input gradients through
 * ({@link Matrix#matmulTransposedAccumulate}); gradients land in the adapter's parameters, accumulating until
 * {@link LoraAdapter#zeroGrad()}.
 *
 * <p>The loss is transformers' causal-LM loss: mean token cross-entropy over positions whose shifted label is
 * not −100. Logits are only computed at those positions (the others do not reach the loss).
 *
 * <p>With gradient checkpointing only each layer's input is kept; the backward pass recomputes the layer's
 * activations into one scratch set just before differentiating it (same dropout masks: they are seeded per
 * pass, layer and projection).
 */
public final class LoraModel {
    private final ModelWeights base;
    private final LoraAdapter adapter;
    private final ModelConfig c;
    private final Rope rope;
    private boolean checkpointing;
    private long dropoutSeed = 0x5EED;
    private long passes;
    private long savedActivationBytes;

    /** {@code adapter} may be null: the plain base model (e.g. to evaluate a merged checkpoint). */
    public LoraModel(ModelWeights base, LoraAdapter adapter) {
        this.base = base;
        this.adapter = adapter;
        this.c = base.config();
        this.rope = new Rope(c);
        if (adapter != null && !adapter.modelConfig().equals(c)) {
            throw new IllegalArgumentException("adapter was built for another model config");
        }
    }

    public LoraModel setGradientCheckpointing(boolean on) {
        this.checkpointing = on;
        return this;
    }

    public boolean gradientCheckpointing() {
        return checkpointing;
    }

    /**
     * Seeds the LoRA dropout masks: each training pass draws new masks from this seed and the number of passes
     * since the seed was set. A trainer that reseeds before every optimizer step (from its seed and the step) gets
     * masks that depend on nothing else, so a resumed run draws exactly the masks of an uninterrupted one.
     */
    public LoraModel setDropoutSeed(long seed) {
        this.dropoutSeed = seed;
        this.passes = 0;
        return this;
    }

    public ModelWeights base() {
        return base;
    }

    public LoraAdapter adapter() {
        return adapter;
    }

    /** Bytes of activations the last {@link #forwardBackward} held for its backward pass. */
    public long savedActivationBytes() {
        return savedActivationBytes;
    }

    /** What one layer's forward keeps for its backward pass, for {@code n} tokens. */
    private final class LayerActivations {
        final float[] a, rstd1, qRope, kRope, rstdQ, rstdK, q, k, v, probs, att, xMid, b, rstd2, gate, up, act;
        final float[][] loraU = new float[LoraTarget.values().length][];

        LayerActivations(int batch, int len, int layer) {
            int n = batch * len, h = c.hiddenSize();
            a = new float[n * h];
            rstd1 = new float[n];
            qRope = new float[n * c.qDim()];
            kRope = new float[n * c.kvDim()];
            rstdQ = new float[n * c.numHeads()];
            rstdK = new float[n * c.numKvHeads()];
            q = c.useQkNorm() ? new float[n * c.qDim()] : qRope;
            k = c.useQkNorm() ? new float[n * c.kvDim()] : kRope;
            v = new float[n * c.kvDim()];
            probs = new float[batch * c.numHeads() * len * len];
            att = new float[n * c.qDim()];
            xMid = new float[n * h];
            b = new float[n * h];
            rstd2 = new float[n];
            gate = new float[n * c.intermediateSize()];
            up = new float[n * c.intermediateSize()];
            act = new float[n * c.intermediateSize()];
            for (LoraTarget t : LoraTarget.values()) {
                LoraModule m = module(layer, t);
                if (m != null) loraU[t.ordinal()] = new float[n * m.rank()];
            }
        }

        long bytes() {
            long floats = a.length + rstd1.length + qRope.length + kRope.length + rstdQ.length + rstdK.length
                    + (q == qRope ? 0 : q.length) + (k == kRope ? 0 : k.length) + v.length + probs.length + att.length
                    + xMid.length + b.length + rstd2.length + gate.length + up.length + act.length;
            for (float[] u : loraU) if (u != null) floats += u.length;
            return 4 * floats;
        }
    }

    /** One batch in flight: ids, mask, positions, and the seed of this pass's dropout masks. */
    private record Pass(Batch batch, int[] positions, long seed, boolean train) {
        int n() {
            return batch.tokens();
        }
    }

    private LoraModule module(int layer, LoraTarget t) {
        return adapter == null ? null : adapter.module(layer, t);
    }

    // ---------------------------------------------------------------- public passes

    /**
     * Forward and backward on {@code batch}: returns the mean loss and accumulates
     * {@code gradScale · ∂loss/∂θ} into the adapter's gradients (e.g. {@code 1/k} for k accumulation steps).
     */
    public float forwardBackward(Batch batch, float gradScale) {
        if (adapter == null) throw new IllegalStateException("no adapter to train");
        Pass p = new Pass(batch, batch.positions(), mix(dropoutSeed, passes++), true);
        int n = p.n(), h = c.hiddenSize(), layers = c.numLayers();
        float[][] hidden = new float[layers + 1][n * h];
        LayerActivations[] acts = new LayerActivations[layers];
        embed(batch.inputIds(), hidden[0]);
        long saved = 4L * (layers + 1) * n * h;
        for (int l = 0; l < layers; l++) {
            LayerActivations s = checkpointing && l > 0 ? acts[0] : new LayerActivations(batch.size(), batch.length(), l);
            if (checkpointing) ensureLoraBuffers(s, l, n);
            acts[l] = s;
            if (!checkpointing || l == 0) saved += s.bytes();
            forwardLayer(l, hidden[l], s, hidden[l + 1], p);
        }
        // Head: final norm, logits at the label positions only, cross-entropy fused with its gradient.
        float[] hf = new float[n * h], rstdF = new float[n];
        RmsNorm.forward(hidden[layers], base.finalNorm(), c.rmsNormEps(), n, h, hf, rstdF);
        int[] rows = targetRows(batch);
        int count = rows.length;
        if (count == 0) throw new IllegalArgumentException("batch has no label positions (every shifted label is -100)");
        int[] targets = new int[count];
        float[] sel = new float[count * h];
        for (int i = 0; i < count; i++) {
            targets[i] = batch.labels()[rows[i] + 1];
            System.arraycopy(hf, rows[i] * h, sel, i * h, h);
        }
        int vocab = c.vocabSize();
        float[] logits = new float[count * vocab];
        base.lmHead().matmul(sel, count, logits);
        saved += 4L * (hf.length + rstdF.length + logits.length);
        savedActivationBytes = saved;
        double loss = CrossEntropy.forwardBackward(logits, count, vocab, targets, gradScale / count);
        float[] dsel = new float[count * h];
        base.lmHead().matmulTransposedAccumulate(logits, count, dsel);
        float[] dhf = new float[n * h];
        for (int i = 0; i < count; i++) System.arraycopy(dsel, i * h, dhf, rows[i] * h, h);
        float[] dx = new float[n * h];
        RmsNorm.backward(hidden[layers], base.finalNorm(), rstdF, dhf, n, h, dx);
        float[] scratchOut = checkpointing ? new float[n * h] : null;
        for (int l = layers - 1; l >= 0; l--) {
            if (checkpointing) {
                ensureLoraBuffers(acts[l], l, n);
                forwardLayer(l, hidden[l], acts[l], scratchOut, p);
            }
            backwardLayer(l, hidden[l], acts[l], dx, p);
        }
        return (float) (loss / count);
    }

    /** The mean loss on {@code batch} in evaluation mode (no dropout, no gradients), summed in double. */
    public double loss(Batch batch) {
        float[] hf = forwardHidden(batch);
        int h = c.hiddenSize(), vocab = c.vocabSize();
        int[] rows = targetRows(batch);
        if (rows.length == 0) throw new IllegalArgumentException("batch has no label positions (every shifted label is -100)");
        float[] sel = new float[rows.length * h];
        int[] targets = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            targets[i] = batch.labels()[rows[i] + 1];
            System.arraycopy(hf, rows[i] * h, sel, i * h, h);
        }
        float[] logits = new float[rows.length * vocab];
        base.lmHead().matmul(sel, rows.length, logits);
        return CrossEntropy.forward(logits, rows.length, vocab, targets) / rows.length;
    }

    /** Logits {@code [T, vocab]} of one unpadded sequence in evaluation mode. */
    public float[] logits(int[] ids) {
        float[] hf = forwardHidden(Batch.ofSequence(ids));
        float[] logits = new float[ids.length * c.vocabSize()];
        base.lmHead().matmul(hf, ids.length, logits);
        return logits;
    }

    /** Final-norm hidden states {@code [B·T, hidden]} without keeping per-layer activations. */
    private float[] forwardHidden(Batch batch) {
        Pass p = new Pass(batch, batch.positions(), 0, false);
        int n = p.n(), h = c.hiddenSize();
        float[] x = new float[n * h], next = new float[n * h];
        embed(batch.inputIds(), x);
        LayerActivations s = new LayerActivations(batch.size(), batch.length(), 0);
        for (int l = 0; l < c.numLayers(); l++) {
            ensureLoraBuffers(s, l, n);
            forwardLayer(l, x, s, next, p);
            float[] t = x;
            x = next;
            next = t;
        }
        float[] hf = new float[n * h];
        RmsNorm.forward(x, base.finalNorm(), c.rmsNormEps(), n, h, hf, new float[n]);
        return hf;
    }

    /** A shared scratch set serves layers whose adapters may differ in rank: size its LoRA buffers per layer. */
    private void ensureLoraBuffers(LayerActivations s, int layer, int n) {
        for (LoraTarget t : LoraTarget.values()) {
            LoraModule m = module(layer, t);
            int need = m == null ? 0 : n * m.rank();
            if (m != null && (s.loraU[t.ordinal()] == null || s.loraU[t.ordinal()].length != need)) {
                s.loraU[t.ordinal()] = new float[need];
            }
        }
    }

    private static int[] targetRows(Batch batch) {
        int[] rows = new int[batch.targetCount()];
        int i = 0, len = batch.length();
        for (int b = 0; b < batch.size(); b++) {
            for (int t = 0; t + 1 < len; t++) {
                if (batch.labels()[b * len + t + 1] != Batch.IGNORE_INDEX) rows[i++] = b * len + t;
            }
        }
        return rows;
    }

    private void embed(int[] ids, float[] out) {
        int h = c.hiddenSize();
        for (int t = 0; t < ids.length; t++) {
            if (ids[t] < 0 || ids[t] >= c.vocabSize()) {
                throw new IllegalArgumentException("token id " + ids[t] + " at " + t + " is outside the vocabulary [0, " + c.vocabSize() + ")");
            }
            base.embedding().readRow(ids[t], out, t * h);
        }
    }

    // ---------------------------------------------------------------- one decoder layer

    private void forwardLayer(int l, float[] xIn, LayerActivations s, float[] xOut, Pass p) {
        LayerWeights w = base.layers()[l];
        Batch batch = p.batch();
        int n = p.n(), h = c.hiddenSize(), ff = c.intermediateSize(), hd = c.headDim();
        float eps = c.rmsNormEps();
        RmsNorm.forward(xIn, w.inputNorm(), eps, n, h, s.a, s.rstd1);
        linearForward(l, LoraTarget.Q_PROJ, s.a, n, s.qRope, s, p);
        linearForward(l, LoraTarget.K_PROJ, s.a, n, s.kRope, s, p);
        linearForward(l, LoraTarget.V_PROJ, s.a, n, s.v, s, p);
        rope.forward(s.qRope, n, c.numHeads(), p.positions());
        rope.forward(s.kRope, n, c.numKvHeads(), p.positions());
        if (c.useQkNorm()) {
            RmsNorm.forward(s.qRope, w.queryNorm(), eps, n * c.numHeads(), hd, s.q, s.rstdQ);
            RmsNorm.forward(s.kRope, w.keyNorm(), eps, n * c.numKvHeads(), hd, s.k, s.rstdK);
        }
        Attention.forward(s.q, s.k, s.v, batch.attentionMask(), batch.size(), batch.length(), c.numHeads(), c.numKvHeads(),
                hd, s.probs, s.att);
        linearForward(l, LoraTarget.O_PROJ, s.att, n, s.xMid, s, p);
        Vec.add(xIn, s.xMid, n * h);
        RmsNorm.forward(s.xMid, w.postAttentionNorm(), eps, n, h, s.b, s.rstd2);
        linearForward(l, LoraTarget.GATE_PROJ, s.b, n, s.gate, s, p);
        linearForward(l, LoraTarget.UP_PROJ, s.b, n, s.up, s, p);
        SwiGlu.forward(s.gate, s.up, s.act, n * ff);
        linearForward(l, LoraTarget.DOWN_PROJ, s.act, n, xOut, s, p);
        Vec.add(s.xMid, xOut, n * h);
    }

    /** {@code dx} holds ∂loss/∂(layer output) on entry and ∂loss/∂(layer input) on return. */
    private void backwardLayer(int l, float[] xIn, LayerActivations s, float[] dx, Pass p) {
        LayerWeights w = base.layers()[l];
        Batch batch = p.batch();
        int n = p.n(), h = c.hiddenSize(), ff = c.intermediateSize(), hd = c.headDim();
        // MLP half: xOut = xMid + down(swiglu(gate(b), up(b))), b = norm(xMid). The residual passes dx through.
        float[] dAct = new float[n * ff];
        linearBackward(l, LoraTarget.DOWN_PROJ, s.act, n, dx, dAct, s, p);
        float[] dGate = new float[n * ff], dUp = new float[n * ff];
        SwiGlu.backward(s.gate, s.up, dAct, dGate, dUp, n * ff);
        float[] dB = new float[n * h];
        linearBackward(l, LoraTarget.GATE_PROJ, s.b, n, dGate, dB, s, p);
        linearBackward(l, LoraTarget.UP_PROJ, s.b, n, dUp, dB, s, p);
        RmsNorm.backward(s.xMid, w.postAttentionNorm(), s.rstd2, dB, n, h, dx);
        // Attention half: xMid = xIn + o(attention(qknorm(rope(q(a))), qknorm(rope(k(a))), v(a))), a = norm(xIn).
        float[] dAtt = new float[n * c.qDim()];
        linearBackward(l, LoraTarget.O_PROJ, s.att, n, dx, dAtt, s, p);
        float[] dq = new float[n * c.qDim()], dk = new float[n * c.kvDim()], dv = new float[n * c.kvDim()];
        Attention.backward(s.q, s.k, s.v, s.probs, s.att, dAtt, batch.size(), batch.length(), c.numHeads(), c.numKvHeads(),
                hd, dq, dk, dv);
        float[] dqRope = dq, dkRope = dk;
        if (c.useQkNorm()) {
            dqRope = new float[n * c.qDim()];
            dkRope = new float[n * c.kvDim()];
            RmsNorm.backward(s.qRope, w.queryNorm(), s.rstdQ, dq, n * c.numHeads(), hd, dqRope);
            RmsNorm.backward(s.kRope, w.keyNorm(), s.rstdK, dk, n * c.numKvHeads(), hd, dkRope);
        }
        rope.backward(dqRope, n, c.numHeads(), p.positions());
        rope.backward(dkRope, n, c.numKvHeads(), p.positions());
        float[] dA = new float[n * h];
        linearBackward(l, LoraTarget.Q_PROJ, s.a, n, dqRope, dA, s, p);
        linearBackward(l, LoraTarget.K_PROJ, s.a, n, dkRope, dA, s, p);
        linearBackward(l, LoraTarget.V_PROJ, s.a, n, dv, dA, s, p);
        RmsNorm.backward(xIn, w.inputNorm(), s.rstd1, dA, n, h, dx);
    }

    // ---------------------------------------------------------------- linear + LoRA

    private long seedOf(Pass p, int layer, LoraTarget t) {
        return mix(p.seed(), layer * 16L + t.ordinal());
    }

    /** The adapter's input: {@code dropout(x)} in training with p > 0, else {@code x} itself. */
    private float[] loraInput(LoraModule m, float[] x, int n, Pass p) {
        float drop = (float) adapter.config().loraDropout();
        if (!p.train() || drop == 0f) return x;
        float[] xd = new float[n * m.inFeatures()];
        Dropout.forward(x, xd.length, drop, seedOf(p, m.layer(), m.target()), xd);
        return xd;
    }

    /** {@code y = x·Wᵀ + scaling · (dropout(x)·Aᵀ)·Bᵀ}; keeps {@code u = dropout(x)·Aᵀ} for backward. */
    private void linearForward(int l, LoraTarget t, float[] x, int n, float[] y, LayerActivations s, Pass p) {
        t.baseWeight(base.layers()[l]).matmul(x, n, y);
        LoraModule m = module(l, t);
        if (m == null) return;
        float[] u = s.loraU[t.ordinal()];
        m.aMatrix().matmul(loraInput(m, x, n, p), n, u);
        float[] branch = new float[n * m.outFeatures()];
        m.bMatrix().matmul(u, n, branch);
        Vec.axpy(m.scaling(), branch, 0, y, 0, branch.length);
    }

    /** Accumulates {@code dx += dy·W + (LoRA branch input gradient)} and the LoRA weight gradients. */
    private void linearBackward(int l, LoraTarget t, float[] x, int n, float[] dy, float[] dx, LayerActivations s, Pass p) {
        t.baseWeight(base.layers()[l]).matmulTransposedAccumulate(dy, n, dx);
        LoraModule m = module(l, t);
        if (m == null) return;
        int out = m.outFeatures(), in = m.inFeatures(), r = m.rank();
        float[] dBranch = new float[n * out];
        Vec.axpy(m.scaling(), dy, 0, dBranch, 0, dBranch.length);
        float[] u = s.loraU[t.ordinal()];
        WeightGrad.accumulate(dBranch, u, n, out, r, m.b().grad());
        float[] du = new float[n * r];
        m.bMatrix().matmulTransposedAccumulate(dBranch, n, du);
        float[] xd = loraInput(m, x, n, p);
        WeightGrad.accumulate(du, xd, n, r, in, m.a().grad());
        if (xd == x) {
            m.aMatrix().matmulTransposedAccumulate(du, n, dx);
        } else {
            float[] dxd = new float[n * in];
            m.aMatrix().matmulTransposedAccumulate(du, n, dxd);
            Dropout.backward(dxd, dxd.length, (float) adapter.config().loraDropout(), seedOf(p, l, t), dx);
        }
    }

    private static long mix(long a, long b) {
        long z = a * 0x9E3779B97F4A7C15L + b;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public String toString() {
        return "LoraModel[" + c.numLayers() + " layers, " + (adapter == null ? "no adapter" : adapter.modules().size() + " adapted projections")
                + (checkpointing ? ", checkpointing" : "") + "]";
    }
}
