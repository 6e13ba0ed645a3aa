package dev.hymt4j.train;

import java.util.Arrays;

/**
 * Example indices of one micro-batch, and the length every sequence in it is padded to: the longest of the
 * batch (dynamic padding), not max_seq_len.
 */
public record Batch(int[] indices, int paddedLength) {

    public Batch {
        indices = indices.clone();
    }

    @Override
    public int[] indices() {
        return indices.clone();
    }

    public int size() {
        return indices.length;
    }

    public int index(int i) {
        return indices[i];
    }

    /** Token slots including padding: what the forward pass computes on. */
    public long paddedTokens() {
        return (long) indices.length * paddedLength;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Batch b && paddedLength == b.paddedLength && Arrays.equals(indices, b.indices);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(indices) + paddedLength;
    }

    @Override
    public String toString() {
        return "Batch" + Arrays.toString(indices) + "@" + paddedLength;
    }
}
