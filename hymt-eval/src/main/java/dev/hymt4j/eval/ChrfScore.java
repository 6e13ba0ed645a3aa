package dev.hymt4j.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A chrF / chrF++ score.
 *
 * @param name {@code chrF2} or {@code chrF2++} ({@code chrF<beta>} plus one {@code +} per word order)
 */
@JsonPropertyOrder({"score", "signature", "name", "char_order", "word_order", "beta"})
public record ChrfScore(double score, String signature, String name, @JsonProperty("char_order") int charOrder,
                        @JsonProperty("word_order") int wordOrder, int beta) implements Score {

    @Override
    public String formatted() {
        return name + " = " + PyText.fixed(score, 2);
    }
}
