package dev.hymt4j.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A TER score: {@code 100 · edits / reference length}.
 *
 * @param numEdits  edits (insertions, deletions, substitutions, block shifts), summed over segments
 * @param refLength reference length, per segment averaged over its references, summed over segments
 */
@JsonPropertyOrder({"score", "signature", "num_edits", "ref_length"})
public record TerScore(double score, String signature, @JsonProperty("num_edits") long numEdits,
                       @JsonProperty("ref_length") double refLength) implements Score {

    @Override
    public String formatted() {
        return "TER = " + PyText.fixed(score, 2);
    }
}
