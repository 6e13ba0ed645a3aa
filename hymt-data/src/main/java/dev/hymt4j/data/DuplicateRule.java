package dev.hymt4j.data;

import java.util.Optional;

/**
 * Drops repeats of an earlier kept pair: either exact repeats, or repeats up to case, width, punctuation and
 * spacing ({@link TextKeys#normalized}). Only 64-bit hashes are remembered ({@link LongHashSet}), so memory
 * grows by ~16 bytes per kept pair whatever the text length; a false "duplicate" from a hash collision has
 * probability about n²/2⁶⁵ (≈10⁻⁵ for 10⁷ pairs).
 */
public final class DuplicateRule implements CleaningRule {

    /** What must repeat for a pair to count as a duplicate. */
    public enum Key {
        /** Source and target both: the same pair twice adds nothing. */
        PAIR,
        /** The source alone: keeps only the first translation of each source, so references stay consistent. */
        SOURCE
    }

    private final boolean normalized;
    private final Key key;
    private final LongHashSet seen = new LongHashSet();

    public DuplicateRule(boolean normalized, Key key) {
        this.normalized = normalized;
        this.key = key;
    }

    @Override public String name() { return normalized ? "near-duplicate" : "duplicate"; }

    @Override
    public String description() {
        return (normalized ? "repeat up to case/width/punctuation/spacing" : "exact repeat") + " of an earlier "
                + (key == Key.PAIR ? "pair" : "source");
    }

    @Override
    public Optional<String> problem(ParallelExample ex) {
        return seen.contains(key(ex)) ? Optional.of(detail()) : Optional.empty();
    }

    /** The explanation written to the rejects for a repeat. */
    public String detail() {
        return name() + " of an earlier " + key.name().toLowerCase();
    }

    @Override
    public void kept(ParallelExample ex) {
        seen.add(key(ex));
    }

    /**
     * The 64-bit key two records must share to be repeats under this rule: a pure function of the record, so a
     * distributed run can group on it instead of remembering keys in order.
     */
    public long key(ParallelExample ex) {
        String source = normalized ? TextKeys.normalized(ex.source()) : ex.source();
        if (key == Key.SOURCE) return TextKeys.hash64(source);
        String target = normalized ? TextKeys.normalized(ex.target()) : ex.target();
        return TextKeys.hash64(source, target);
    }
}
