package dev.hymt4j.eval;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * One metric's outcome on a test set.
 *
 * @param corpus             the corpus score (a {@link BleuScore}, {@link ChrfScore} or {@link TerScore})
 * @param sentenceSignature  signature of the per-segment scores (differs from the corpus one only for
 *                           BLEU, whose sentence scores use effective order)
 * @param sentences          per-segment scores, in input order
 */
public record MetricResult(String metric, Score corpus,
                           @JsonProperty("sentence_signature") String sentenceSignature,
                           List<Double> sentences) {
}
