package dev.hymt4j.data;

import java.util.Optional;

/** Drops pairs where either side is empty or only whitespace (including U+3000 and other Unicode spaces). */
public final class EmptySideRule implements CleaningRule {
    @Override public String name() { return "empty"; }

    @Override public String description() { return "source or target empty or whitespace only"; }

    @Override
    public Optional<String> problem(ParallelExample ex) {
        if (blank(ex.source())) return Optional.of("empty source");
        if (blank(ex.target())) return Optional.of("empty target");
        return Optional.empty();
    }

    private static boolean blank(String s) {
        return s.codePoints().allMatch(cp -> Character.isWhitespace(cp) || Character.isSpaceChar(cp)
                || cp == 0x200B || cp == 0xFEFF);
    }
}
