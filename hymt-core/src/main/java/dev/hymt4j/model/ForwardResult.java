package dev.hymt4j.model;

import java.util.Arrays;

/**
 * The outputs of one forward pass over a batch {@code [batch, tokens]}.
 *
 * @param logits       {@code [batch, positions, vocab]} row-major; positions is {@code tokens} for all-position
 *                     logits, else 1 (each row's last input position)
 * @param hiddenStates null unless asked for; else {@code numLayers + 1} arrays of {@code [batch, tokens,
 *                     hidden]}: the embedding output, the output of layers 0 … L−2, and the final hidden state
 *                     after the last norm (transformers' {@code output_hidden_states} convention)
 */
public record ForwardResult(int batch, int positions, int vocab, float[] logits, float[][] hiddenStates) {

    /** A copy of the logits of row {@code b} at returned position {@code p}. */
    public float[] logits(int b, int p) {
        int off = (b * positions + p) * vocab;
        return Arrays.copyOfRange(logits, off, off + vocab);
    }
}
