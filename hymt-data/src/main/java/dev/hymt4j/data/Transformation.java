package dev.hymt4j.data;

/** A rewrite applied to every pair before the cleaning rules run. Named so users can switch each on or off. */
public interface Transformation {

    String name();

    String description();

    /** The rewritten example; the same instance when nothing changed, which the summary counts on. */
    ParallelExample apply(ParallelExample ex);
}
