package dev.hymt4j.data;

import java.io.Serializable;
import java.util.List;
import java.util.TreeSet;

/**
 * Fixed-size valid/test sets, decided without holding the data: the {@code validSize} distinct smallest split
 * keys go to valid, the next {@code testSize} to test. Only those keys are remembered during the first pass
 * (bounded by validSize + testSize), then each example is routed by comparing its key with the two cut-offs.
 * Examples sharing a source share a key, so a split can hold a few more lines than asked, never fewer sources.
 *
 * <p>Offering is order-free and mergeable: the smallest keys of all records are the smallest of each part's
 * {@link #smallestKeys}, which is how a distributed run builds one sealed splitter and ships it to its workers.
 */
public final class FixedSizeSplitter implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int validSize;
    private final int heldOut;
    private final TreeSet<Long> smallest = new TreeSet<>();
    private long validCutoff;
    private long testCutoff;
    private boolean sealed;

    public FixedSizeSplitter(int validSize, int testSize) {
        this.validSize = validSize;
        this.heldOut = validSize + testSize;
    }

    public void offer(long key) {
        if (heldOut == 0) return;
        if (smallest.size() < heldOut) {
            smallest.add(key);
        } else if (key < smallest.last() && smallest.add(key)) {
            smallest.pollLast();
        }
    }

    /** The distinct smallest keys offered so far, ascending (at most valid + test of them). */
    public List<Long> smallestKeys() {
        return List.copyOf(smallest);
    }

    /** Fixes the cut-offs once every key has been offered. */
    public void seal() {
        Long[] keys = smallest.toArray(Long[]::new);
        validCutoff = validSize == 0 || keys.length == 0 ? Long.MIN_VALUE : keys[Math.min(validSize, keys.length) - 1];
        testCutoff = keys.length <= validSize ? validCutoff : keys[keys.length - 1];
        sealed = true;
    }

    public Split route(long key) {
        if (!sealed) throw new IllegalStateException("seal() before route()");
        if (validSize > 0 && key <= validCutoff) return Split.VALID;
        if (heldOut > validSize && key <= testCutoff) return Split.TEST;
        return Split.TRAIN;
    }
}
