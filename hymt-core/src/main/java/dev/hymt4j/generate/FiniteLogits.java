package dev.hymt4j.generate;

import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.model.WeightScan;
import dev.hymt4j.tensor.Finite;
import dev.hymt4j.tensor.NonFiniteException;

/**
 * The check every generation step makes before choosing a token: logits with a NaN or ±∞ would otherwise pick
 * token 0 forever (the {@code !!!!!!!!} of a damaged model) and exit as if all went well. The failure says at
 * which step and sequence, and whether a weight is damaged (naming the tensor, row and column) or the weights
 * are finite and the activations overflowed.
 */
public final class FiniteLogits {
    private FiniteLogits() {}

    /**
     * @param step     new tokens generated so far by this sequence
     * @param sequence the sequence's index in its batch
     */
    public static void require(float[] logits, int step, int sequence, ModelWeights weights) {
        int bad = Finite.firstNonFinite(logits);
        if (bad < 0) return;
        String cause = WeightScan.firstNonFinite(weights)
                .map(w -> w + ": the model's weights are damaged (re-download or re-convert them)")
                .orElse("every weight is finite, so the activations overflowed float32");
        throw new NonFiniteException("the model produced " + logits[bad] + " logits (token " + bad + ") at generation step "
                + step + " of sequence " + sequence + "; " + cause);
    }
}
