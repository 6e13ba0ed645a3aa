package dev.hymt4j.spark;

import org.apache.spark.SparkContext;
import org.apache.spark.util.AccumulatorV2;

/**
 * Generated tokens per second of translating, for the Spark UI: tasks add (tokens, nanoseconds spent in the
 * engine); the value is their ratio, i.e. the speed of one task's engine calls (the cluster's rate is this times
 * the tasks running at once).
 */
public final class ThroughputAccumulator extends AccumulatorV2<long[], Double> {
    private long tokens;
    private long nanos;

    static ThroughputAccumulator register(SparkContext sc, String name) {
        ThroughputAccumulator acc = new ThroughputAccumulator();
        sc.register(acc, name);
        return acc;
    }

    @Override public boolean isZero() { return tokens == 0 && nanos == 0; }

    @Override
    public AccumulatorV2<long[], Double> copy() {
        ThroughputAccumulator c = new ThroughputAccumulator();
        c.tokens = tokens;
        c.nanos = nanos;
        return c;
    }

    @Override
    public void reset() {
        tokens = 0;
        nanos = 0;
    }

    /** {@code {generated tokens, nanoseconds}} of one engine call. */
    @Override
    public void add(long[] tokensAndNanos) {
        tokens += tokensAndNanos[0];
        nanos += tokensAndNanos[1];
    }

    @Override
    public void merge(AccumulatorV2<long[], Double> other) {
        ThroughputAccumulator o = (ThroughputAccumulator) other;
        tokens += o.tokens;
        nanos += o.nanos;
    }

    @Override
    public Double value() {
        return nanos == 0 ? 0.0 : Math.round(tokens / (nanos / 1e9) * 10) / 10.0;
    }
}
