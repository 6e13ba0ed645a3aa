package dev.hymt4j.generate;

import dev.hymt4j.model.CausalLm;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.model.WeightScan;
import dev.hymt4j.tensor.Finite;

import java.util.Optional;

/**
 * The check every generation step makes before choosing a token: logits with a NaN or ±∞ would otherwise pick
 * token 0 forever (the {@code !!!!!!!!} of a damaged model) and end as if all went well. The failure says where
 * (which request and token) and why: a damaged weight, named with its tensor, row and column, or finite weights
 * whose activations overflowed.
 */
public final class FiniteLogits {
    private FiniteLogits() {}

    /** @param where e.g. "request 3: token 1 after a prompt of 12 tokens" */
    public static void require(float[] logits, String where, CausalLm model) {
        int bad = Finite.firstNonFinite(logits);
        if (bad < 0) return;
        Optional<String> damaged = model instanceof HunyuanModel m ? WeightScan.firstNonFinite(m.weights()) : Optional.empty();
        String cause = damaged.map(w -> w + ": the model's weights are damaged (re-download or re-convert them)")
                .orElse("the weights are finite, so the input makes the activations overflow float32");
        throw new GenerationException(where + ": the model produced " + logits[bad] + " logits (token id " + bad
                + "), so no token was chosen; " + cause);
    }
}
