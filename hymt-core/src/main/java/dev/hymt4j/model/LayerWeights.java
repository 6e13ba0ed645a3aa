package dev.hymt4j.model;

import dev.hymt4j.tensor.Matrix;

/** The frozen weights of one decoder layer (spec §2.4); norms are on the heap, matrices mapped. */
public record LayerWeights(
        float[] inputNorm,
        Matrix q, Matrix k, Matrix v, Matrix o,
        float[] queryNorm, float[] keyNorm,
        float[] postAttentionNorm,
        Matrix gate, Matrix up, Matrix down) {
}
