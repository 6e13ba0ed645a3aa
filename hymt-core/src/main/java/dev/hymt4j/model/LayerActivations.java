package dev.hymt4j.model;

import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.lora.LoraModule;
import dev.hymt4j.lora.LoraTarget;

/**
 * The activations of one decoder layer over {@code n} tokens: what the forward pass writes and the backward
 * pass reads. Inference reuses one set for every layer of every step; training keeps one per layer (the tape)
 * or, with gradient checkpointing, one set that is recomputed per layer.
 */
final class LayerActivations {
    final int capacity;
    final float[] a;       // [n, hidden]   input norm output
    final float[] rstd1;   // [n]
    final float[] qRope;   // [n, qDim]     q projection, rotated in place
    final float[] kRope;   // [n, kvDim]
    final float[] rstdQ;   // [n · heads]
    final float[] rstdK;   // [n · kvHeads]
    final float[] q;       // [n, qDim]     after the query norm (= qRope without qk-norm)
    final float[] k;       // [n, kvDim]    after the key norm
    final float[] v;       // [n, kvDim]
    final float[] probs;   // [n, heads, probStride] softmax rows, training only (else null)
    final float[] att;     // [n, qDim]     attention output
    final float[] xMid;    // [n, hidden]   residual stream after attention
    final float[] b;       // [n, hidden]   post-attention norm output
    final float[] rstd2;   // [n]
    final float[] gate;    // [n, ff]
    final float[] up;      // [n, ff]
    final float[] act;     // [n, ff]       silu(gate) ⊙ up
    /** [target] → [n, r]: A·dropout(x) of the training adapter, kept for the backward pass; null entries otherwise. */
    final float[][] loraDown = new float[LoraTarget.values().length][];

    LayerActivations(ModelConfig c, int n, int probStride) {
        capacity = n;
        int h = c.hiddenSize(), ff = c.intermediateSize();
        a = new float[n * h];
        rstd1 = new float[n];
        qRope = new float[n * c.qDim()];
        kRope = new float[n * c.kvDim()];
        rstdQ = new float[n * c.numHeads()];
        rstdK = new float[n * c.numKvHeads()];
        q = c.useQkNorm() ? new float[n * c.qDim()] : qRope;
        k = c.useQkNorm() ? new float[n * c.kvDim()] : kRope;
        v = new float[n * c.kvDim()];
        probs = probStride > 0 ? new float[n * c.numHeads() * probStride] : null;
        att = new float[n * c.qDim()];
        xMid = new float[n * h];
        b = new float[n * h];
        rstd2 = new float[n];
        gate = new float[n * ff];
        up = new float[n * ff];
        act = new float[n * ff];
    }

    /** Sizes the LoRA buffers for {@code layer}'s modules of {@code adapter} (a shared set serves layers of any rank). */
    void fitLora(LoraAdapter adapter, int layer) {
        for (LoraTarget t : LoraTarget.values()) {
            LoraModule m = adapter == null ? null : adapter.module(layer, t);
            int need = m == null ? 0 : capacity * m.rank();
            float[] u = loraDown[t.ordinal()];
            if (m != null && (u == null || u.length != need)) loraDown[t.ordinal()] = new float[need];
        }
    }

    /** Bytes held, for the report of what a training pass keeps. */
    long bytes() {
        long floats = a.length + rstd1.length + qRope.length + kRope.length + rstdQ.length + rstdK.length
                + (q == qRope ? 0 : q.length) + (k == kRope ? 0 : k.length) + v.length + (probs == null ? 0 : probs.length)
                + att.length + xMid.length + b.length + rstd2.length + gate.length + up.length + act.length;
        for (float[] u : loraDown) if (u != null) floats += u.length;
        return 4 * floats;
    }
}
