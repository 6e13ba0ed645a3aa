package dev.hymt4j.eval;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A BLEU score with its sufficient statistics, as sacreBLEU's {@code BLEUScore}.
 *
 * @param counts     matching n-grams per order (with {@code add-k}, including the added k for n ≥ 2)
 * @param totals     hypothesis n-grams per order (likewise)
 * @param precisions n-gram precisions in percent (0 past the last order with n-grams)
 * @param bp         brevity penalty
 * @param sysLen     hypothesis length in tokens
 * @param refLen     effective reference length (closest reference per segment, summed)
 */
@JsonPropertyOrder({"score", "signature", "counts", "totals", "precisions", "bp", "ratio", "sys_len", "ref_len", "verbose"})
public record BleuScore(double score, String signature, long[] counts, long[] totals, double[] precisions,
                        double bp, @JsonProperty("sys_len") long sysLen, @JsonProperty("ref_len") long refLen)
        implements Score {

    /** {@code sys_len / ref_len}, or 0 for an empty reference side. */
    @JsonProperty("ratio")
    public double ratio() {
        return refLen == 0 ? 0 : (double) sysLen / refLen;
    }

    /** The part after the score: {@code 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)}. */
    @JsonProperty("verbose")
    public String verbose() {
        String prec = Arrays.stream(precisions).mapToObj(p -> PyText.fixed(p, 1)).collect(Collectors.joining("/"));
        return prec + " (BP = " + PyText.fixed(bp, 3) + " ratio = " + PyText.fixed(ratio(), 3)
                + " hyp_len = " + sysLen + " ref_len = " + refLen + ")";
    }

    @Override
    public String formatted() {
        return "BLEU = " + PyText.fixed(score, 2) + " " + verbose();
    }
}
