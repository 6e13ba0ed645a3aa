package dev.hymt4j.eval;

import java.util.List;

/** A corpus metric that also yields per-segment scores. */
public interface Metric {
    /** The report key: {@code bleu}, {@code chrf}, {@code chrf++} or {@code ter}. */
    String name();

    /** Corpus score (from summed statistics) and one score per segment. */
    MetricResult evaluate(List<String> hyps, References refs);
}
