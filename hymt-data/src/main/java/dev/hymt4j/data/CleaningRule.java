package dev.hymt4j.data;

import java.util.Optional;

/** One reason to drop a training pair. Rules are named so users can switch each on or off. */
public interface CleaningRule {

    /** The name used in {@code --enable}/{@code --disable}, rejects and the summary, e.g. {@code mojibake}. */
    String name();

    /** What the rule drops, one line, for {@code --list-rules} style help. */
    String description();

    /** Empty if {@code ex} passes; otherwise a short explanation for the rejects file. */
    Optional<String> problem(ParallelExample ex);

    /**
     * Called once {@code ex} has passed every rule and will be kept. Stateful rules (deduplication) remember it
     * here rather than in {@link #problem}, so a pair dropped by a later rule does not shadow a good later copy.
     */
    default void kept(ParallelExample ex) {}
}
