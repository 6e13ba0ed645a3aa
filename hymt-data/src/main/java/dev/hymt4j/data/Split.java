package dev.hymt4j.data;

import java.util.Locale;

/** The three outputs of {@link Preparer}. */
public enum Split {
    TRAIN, VALID, TEST;

    public String fileName() {
        return name().toLowerCase(Locale.ROOT) + ".jsonl";
    }

    /**
     * The split key of an example: a hash of its normalised source mixed with the seed. It depends on nothing
     * but the source text and the seed, so a pair lands in the same split whatever the input order, and every
     * translation of one source lands in the same split (no test source leaks into training).
     */
    public static long key(ParallelExample ex, long seed) {
        return TextKeys.mix(TextKeys.hash64(TextKeys.normalized(ex.source())) ^ TextKeys.mix(seed));
    }

    /** Ratio mode: the key read as a uniform number in [0, 1) picks the split. */
    public static Split byRatio(long key, double[] ratios) {
        double u = (key >>> 11) * 0x1.0p-53;
        if (u < ratios[0]) return TRAIN;
        return u < ratios[0] + ratios[1] ? VALID : TEST;
    }
}
