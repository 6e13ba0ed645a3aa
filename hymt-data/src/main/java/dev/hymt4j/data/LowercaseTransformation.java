package dev.hymt4j.data;

import java.util.Locale;

/**
 * Lower-cases both sides. Off by default: case carries meaning (names, UI labels, German nouns), so this is for
 * corpora where case is noise, e.g. ALL-CAPS subtitles. Locale-neutral so Turkish data is not mangled by the
 * machine's default locale.
 */
public final class LowercaseTransformation implements Transformation {
    @Override public String name() { return "lowercase"; }

    @Override public String description() { return "lower-case both sides (off by default)"; }

    @Override
    public ParallelExample apply(ParallelExample ex) {
        String source = ex.source().toLowerCase(Locale.ROOT);
        String target = ex.target().toLowerCase(Locale.ROOT);
        return source.equals(ex.source()) && target.equals(ex.target()) ? ex : ex.withText(source, target);
    }
}
