package dev.hymt4j.model;

import java.util.Arrays;

/**
 * The gradient buffers of one decoder layer's backward pass over up to {@code capacity} tokens, shared by every
 * layer of a training pass and kept with its tape: allocated per layer they were ~12 MB per layer and step at
 * 1 × 128 tokens on the 1.8B shape. {@link #zeroed} clears the first {@code count} floats before a buffer is
 * accumulated into.
 */
final class LayerGradients {
    final float[] dAct, dGate, dUp;     // [capacity, ff] each
    final float[] dB, dA;               // [capacity, hidden] each
    final float[] dAtt, dq;             // [capacity, qDim] each
    final float[] dk, dv;               // [capacity, kvDim] each
    final float[] dqRope, dkRope;       // before the query and key norms: [capacity, qDim], [capacity, kvDim]; null without qk-norm

    LayerGradients(ModelConfig c, int capacity) {
        int h = c.hiddenSize(), ff = c.intermediateSize();
        dAct = new float[capacity * ff];
        dGate = new float[capacity * ff];
        dUp = new float[capacity * ff];
        dB = new float[capacity * h];
        dA = new float[capacity * h];
        dAtt = new float[capacity * c.qDim()];
        dq = new float[capacity * c.qDim()];
        dk = new float[capacity * c.kvDim()];
        dv = new float[capacity * c.kvDim()];
        dqRope = c.useQkNorm() ? new float[capacity * c.qDim()] : null;
        dkRope = c.useQkNorm() ? new float[capacity * c.kvDim()] : null;
    }

    /** {@code buffer} with its first {@code count} floats set to zero. */
    static float[] zeroed(float[] buffer, int count) {
        Arrays.fill(buffer, 0, count, 0f);
        return buffer;
    }
}
