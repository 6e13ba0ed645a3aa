package dev.hymt4j.model;

import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.ops.CrossEntropy;
import dev.hymt4j.ops.Dropout;
import dev.hymt4j.ops.KvLayout;
import dev.hymt4j.ops.LoraBatch;
import dev.hymt4j.ops.RmsNorm;
import dev.hymt4j.tensor.Parallel;

/**
 * The training mode of a {@link HunyuanModel} with a LoRA adapter: the model's own layers run forward over a
 * padded batch keeping their activations (the tape), then backward, op by op. The base weights are frozen
 * (BF16/F32 mapped, or NF4) and only pass input gradients through; gradients land in the adapter's
 * parameters, accumulating until {@link LoraAdapter#zeroGrad()}.
 *
 * <p>The loss is transformers' causal-LM loss: mean token cross-entropy over positions whose shifted label is
 * not −100. Logits are only computed at those positions (the others do not reach the loss). A padded batch
 * attends within each row under its attention mask, with positions {@code cumsum(mask) − 1}.
 *
 * <p>With gradient checkpointing only each layer's input is kept; the backward pass recomputes the layer's
 * activations into one scratch set just before differentiating it (same dropout masks: they are seeded per
 * pass, layer and projection), so the gradients are bit-identical to those of a full tape.
 */
public final class Training {
    private final HunyuanModel model;
    private final LoraAdapter adapter;
    private final ModelConfig c;
    private boolean checkpointing;
    private long dropoutSeed = 0x5EED;
    private long passes;
    private long savedActivationBytes;
    private Tape tape;

    /** {@code adapter} may be null: the plain base model (e.g. to evaluate the loss of a merged checkpoint). */
    public Training(HunyuanModel model, LoraAdapter adapter) {
        this.model = model;
        this.adapter = adapter;
        this.c = model.config();
        if (adapter != null && !adapter.modelConfig().equals(c)) {
            throw new IllegalArgumentException("adapter was built for another model config");
        }
    }

    public Training setGradientCheckpointing(boolean on) {
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
    public Training setDropoutSeed(long seed) {
        this.dropoutSeed = seed;
        this.passes = 0;
        return this;
    }

    public HunyuanModel model() {
        return model;
    }

    public LoraAdapter adapter() {
        return adapter;
    }

    /**
     * Bytes of activations the last {@link #forwardBackward} held for its backward pass: the whole kept tape, sized
     * by the last pass that needed a new one.
     */
    public long savedActivationBytes() {
        return savedActivationBytes;
    }

    /** The geometry of one pass over a padded batch: positions, rotations and the attention mask. */
    private final class Pass {
        final TrainingBatch batch;
        final int n, len;
        final float[] cos, sin;   // [n, headDim/2]
        final LoraBatch lora = new LoraBatch();

        Pass(TrainingBatch batch, boolean train) {
            this.batch = batch;
            this.n = batch.tokens();
            this.len = batch.length();
            int half = c.headDim() / 2;
            cos = new float[n * half];
            sin = new float[n * half];
            model.rope().angles(batch.positions(), n, cos, sin);
            float drop = train && adapter != null ? (float) adapter.config().loraDropout() : 0f;
            lora.setAll(adapter, n, drop, train ? Dropout.seedOf(dropoutSeed, passes++) : 0);
        }

        /** Keys and values of layer activations {@code s} attended within each row, under the mask. */
        KvLayout kv(LayerActivations s) {
            return KvLayout.ofBatch(s.k, s.v, batch.attentionMask(), batch.size(), len, c.kvDim());
        }

        void layer(int l, float[] xIn, LayerActivations s, float[] xOut) {
            s.fitLora(adapter, l);
            model.layerForward(l, xIn, xOut, s, n, cos, sin, kv(s), false, lora, len);
        }
    }

    /**
     * Forward and backward on {@code batch}: returns the mean loss and accumulates
     * {@code gradScale · ∂loss/∂θ} into the adapter's gradients (e.g. {@code 1/k} for k accumulation steps).
     */
    public float forwardBackward(TrainingBatch batch, float gradScale) {
        if (adapter == null) throw new IllegalStateException("no adapter to train");
        float[] loss = new float[1];
        Parallel.run(Parallel.threads(), () -> loss[0] = forwardBackwardInPool(batch, gradScale));
        return loss[0];
    }

    private float forwardBackwardInPool(TrainingBatch batch, float gradScale) {
        Pass p = new Pass(batch, true);
        int n = p.n, h = c.hiddenSize(), layers = c.numLayers();
        Tape t = tape(n, p.len);
        float[][] hidden = t.hidden;
        model.embed(batch.inputIds(), n, hidden[0]);
        long saved = 4L * (layers + 1) * t.capacity * h;                  // what the tape holds, which may exceed n tokens
        for (int l = 0; l < layers; l++) {
            LayerActivations s = t.acts[checkpointing ? 0 : l];
            p.layer(l, hidden[l], s, hidden[l + 1]);
            if (!checkpointing || l == 0) saved += s.bytes();
        }
        // Head: final norm, logits at the label positions only, cross-entropy fused with its gradient.
        RmsNorm.forward(hidden[layers], model.weights().finalNorm(), c.rmsNormEps(), n, h, t.hf, t.rstdF);
        Targets targets = targets(batch, t.hf);
        int count = targets.rows.length, vocab = c.vocabSize();
        float[] logits = new float[count * vocab];                          // [count, vocab], becomes dlogits
        model.weights().lmHead().matmul(targets.selected, count, logits);
        saved += 4L * ((long) t.capacity * h + t.capacity + logits.length);
        savedActivationBytes = saved;
        double loss = CrossEntropy.forwardBackward(logits, count, vocab, targets.ids, gradScale / count);
        float[] dSelected = new float[count * h];                           // [count, hidden]
        model.weights().lmHead().matmulTransposedAccumulate(logits, count, dSelected);
        float[] dhf = LayerGradients.zeroed(t.dhf, n * h);                 // [n, hidden]
        for (int i = 0; i < count; i++) System.arraycopy(dSelected, i * h, dhf, targets.rows[i] * h, h);
        float[] dx = LayerGradients.zeroed(t.dx, n * h);                   // [n, hidden]
        RmsNorm.backward(hidden[layers], model.weights().finalNorm(), t.rstdF, dhf, n, h, dx);
        for (int l = layers - 1; l >= 0; l--) {
            LayerActivations s = t.acts[checkpointing ? 0 : l];
            if (checkpointing) p.layer(l, hidden[l], s, t.scratchOut);
            s.fitLora(adapter, l);
            model.layerBackward(l, hidden[l], s, n, p.cos, p.sin, p.kv(s), p.lora, p.len, dx, t.gradients);
        }
        return (float) (loss / count);
    }

    /** The tape for a pass of {@code n} tokens in rows of {@code len}: the last pass's when it fits, else a new one. */
    private Tape tape(int n, int len) {
        if (tape == null || !tape.fits(n, len, checkpointing)) {
            tape = null;                                                    // let the old one go before allocating
            tape = new Tape(c, n, len, checkpointing);
        }
        return tape;
    }

    /**
     * The buffers of a training pass, kept for the next pass that fits in them. Allocated afresh per step (~0.4 GB
     * at 1 × 128 tokens on the 1.8B shape) they lived through the step, so the young collections during it copied
     * all of them (G1 pauses of up to 0.4 s); kept, they move to the old generation once. Every layer writes all
     * of its activations over the first {@code n} tokens (the checkpointing path already relies on it, reusing one
     * set for every layer), so a kept tape holds nothing that a pass reads before writing.
     */
    private static final class Tape {
        final int capacity, heads;
        final boolean checkpointing;
        final float[][] hidden;            // [layers + 1][capacity, hidden]: each layer's input, then the last output
        final LayerActivations[] acts;     // one per layer; one set recomputed per layer with checkpointing
        final float[] hf, dhf, dx;         // [capacity, hidden] each: final-norm output, its gradient, the running dx
        final float[] rstdF;               // [capacity]
        final float[] scratchOut;          // [capacity, hidden] recomputed layer outputs (checkpointing), unused; else null
        final LayerGradients gradients;    // every layer's backward pass in turn

        Tape(ModelConfig c, int n, int len, boolean checkpointing) {
            int h = c.hiddenSize();
            this.capacity = n;
            this.heads = c.numHeads();
            this.checkpointing = checkpointing;
            hidden = new float[c.numLayers() + 1][n * h];
            acts = new LayerActivations[checkpointing ? 1 : c.numLayers()];
            for (int l = 0; l < acts.length; l++) acts[l] = new LayerActivations(c, n, len);
            hf = new float[n * h];
            dhf = new float[n * h];
            dx = new float[n * h];
            rstdF = new float[n];
            scratchOut = checkpointing ? new float[n * h] : null;
            gradients = new LayerGradients(c, n);
        }

        boolean fits(int n, int len, boolean checkpointing) {
            return this.checkpointing == checkpointing && n <= capacity && (long) n * heads * len <= acts[0].probs.length;
        }
    }

    /** The mean loss on {@code batch} in evaluation mode (no dropout, no gradients), summed in double. */
    public double loss(TrainingBatch batch) {
        double[] loss = new double[1];
        Parallel.run(Parallel.threads(), () -> {
            float[] hf = forwardHidden(batch);
            Targets targets = targets(batch, hf);
            int count = targets.rows.length, vocab = c.vocabSize();
            float[] logits = new float[count * vocab];                      // [count, vocab]
            model.weights().lmHead().matmul(targets.selected, count, logits);
            loss[0] = CrossEntropy.forward(logits, count, vocab, targets.ids) / count;
        });
        return loss[0];
    }

    /**
     * Logits {@code [size·length, vocab]} of every position of a padded batch in evaluation mode (positions
     * whose attention mask is 0 hold whatever the padding computes).
     */
    public float[] logits(TrainingBatch batch) {
        float[][] logits = new float[1][];
        Parallel.run(Parallel.threads(), () -> {
            float[] hf = forwardHidden(batch);
            logits[0] = new float[batch.tokens() * c.vocabSize()];
            model.weights().lmHead().matmul(hf, batch.tokens(), logits[0]);
        });
        return logits[0];
    }

    /** Final-norm hidden states {@code [size·length, hidden]} without keeping per-layer activations. */
    private float[] forwardHidden(TrainingBatch batch) {
        Pass p = new Pass(batch, false);
        int n = p.n, h = c.hiddenSize();
        float[] x = new float[n * h], next = new float[n * h];              // [n, hidden] each
        model.embed(batch.inputIds(), n, x);
        LayerActivations s = new LayerActivations(c, n, p.len);
        for (int l = 0; l < c.numLayers(); l++) {
            p.layer(l, x, s, next);
            float[] t = x;
            x = next;
            next = t;
        }
        float[] hf = new float[n * h];                                      // [n, hidden]
        RmsNorm.forward(x, model.weights().finalNorm(), c.rmsNormEps(), n, h, hf, new float[n]);
        return hf;
    }

    /** The label positions of a batch: rows of {@code hf} whose next label is not −100, their hidden states and targets. */
    private record Targets(int[] rows, float[] selected, int[] ids) {}

    private Targets targets(TrainingBatch batch, float[] hf) {
        int h = c.hiddenSize(), len = batch.length();
        int[] rows = new int[batch.targetCount()];
        int i = 0;
        for (int b = 0; b < batch.size(); b++) {
            for (int t = 0; t + 1 < len; t++) {
                if (batch.labels()[b * len + t + 1] != TrainingBatch.IGNORE_INDEX) rows[i++] = b * len + t;
            }
        }
        if (rows.length == 0) throw new IllegalArgumentException("batch has no label positions (every shifted label is -100)");
        float[] selected = new float[rows.length * h];                      // [count, hidden]
        int[] ids = new int[rows.length];
        for (int r = 0; r < rows.length; r++) {
            ids[r] = batch.labels()[rows[r] + 1];
            System.arraycopy(hf, rows[r] * h, selected, r * h, h);
        }
        return new Targets(rows, selected, ids);
    }

    @Override
    public String toString() {
        return "Training[" + c.numLayers() + " layers, " + (adapter == null ? "no adapter" : adapter.modules().size() + " adapted projections")
                + (checkpointing ? ", checkpointing" : "") + "]";
    }
}
