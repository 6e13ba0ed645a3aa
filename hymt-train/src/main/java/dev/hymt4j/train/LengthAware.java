package dev.hymt4j.train;

/** A data set whose examples have known token lengths (after truncation to max_seq_len), so they can be bucketed. */
public interface LengthAware {
    int size();

    /** Tokens of example {@code index}, prompt and target together. */
    int length(int index);
}
