package dev.hymt4j.data;

import java.util.Optional;

/**
 * Drops pairs whose target is a copy of the source, exactly or up to case, width, punctuation and spacing:
 * typically a translation that fell back to the original. Training on them teaches the model to copy.
 * Pairs whose text has no letters at all (numbers, symbols) are left to other rules: copying is right there.
 */
public final class UntranslatedRule implements CleaningRule {
    @Override public String name() { return "untranslated"; }

    @Override public String description() { return "target equals source (exactly or after normalisation)"; }

    @Override
    public Optional<String> problem(ParallelExample ex) {
        if (ex.source().codePoints().noneMatch(Character::isLetter)) return Optional.empty();
        if (ex.source().equals(ex.target())) return Optional.of("target identical to source");
        if (TextKeys.normalized(ex.source()).equals(TextKeys.normalized(ex.target()))) {
            return Optional.of("target equals source after normalisation");
        }
        return Optional.empty();
    }
}
