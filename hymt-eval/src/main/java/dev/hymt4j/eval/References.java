package dev.hymt4j.eval;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The references of a test set: one or more reference streams, each parallel to the hypotheses.
 *
 * <p>As in sacreBLEU, a {@code null} entry means "this stream has no reference for this segment" and
 * is dropped (the signature then says {@code nrefs:var} when segments end up with different counts);
 * an empty string is a real, empty reference. Unlike sacreBLEU, which silently zips streams of
 * different lengths, a stream whose length differs from the number of hypotheses is rejected, and so
 * is a segment left without any reference (sacreBLEU crashes on it).
 */
public final class References {
    private final List<List<String>> perSegment;
    private final String nrefs;

    private References(List<List<String>> perSegment, String nrefs) {
        this.perSegment = perSegment;
        this.nrefs = nrefs;
    }

    /** References for {@code segments} hypotheses from reference streams (each a list, entries may be null). */
    public static References fromStreams(int segments, List<? extends List<String>> streams) {
        Objects.requireNonNull(streams, "streams");
        if (streams.isEmpty()) throw new IllegalArgumentException("no reference stream given");
        for (int r = 0; r < streams.size(); r++) {
            int size = streams.get(r).size();
            if (size != segments) {
                throw new IllegalArgumentException("reference stream " + (r + 1) + " has " + size
                        + " segments but there are " + segments + " hypotheses");
            }
        }
        List<List<String>> perSegment = new ArrayList<>(segments);
        Set<Integer> counts = new HashSet<>();
        for (int s = 0; s < segments; s++) {
            List<String> refs = new ArrayList<>(streams.size());
            for (List<String> stream : streams) {
                String ref = stream.get(s);
                if (ref != null) refs.add(ref);
            }
            if (refs.isEmpty()) {
                throw new IllegalArgumentException("segment " + (s + 1) + " has no reference (all streams are null there)");
            }
            counts.add(refs.size());
            perSegment.add(List.copyOf(refs));
        }
        String nrefs = counts.size() == 1 ? String.valueOf(counts.iterator().next())
                : counts.isEmpty() ? String.valueOf(streams.size()) : "var";
        return new References(List.copyOf(perSegment), nrefs);
    }

    /** References for one segment (the sentence-level case). */
    public static References ofSegment(List<String> refs) {
        return fromStreams(1, refs.stream().map(r -> Collections.singletonList(r)).toList());
    }

    /** Number of segments. */
    public int size() {
        return perSegment.size();
    }

    /** The non-null references of segment {@code s} (0-based), at least one. */
    public List<String> segment(int s) {
        return perSegment.get(s);
    }

    /** The {@code nrefs} value of the signature: the count, or {@code var} when it varies by segment. */
    public String nrefs() {
        return nrefs;
    }
}
