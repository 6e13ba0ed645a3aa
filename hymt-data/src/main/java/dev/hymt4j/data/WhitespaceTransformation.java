package dev.hymt4j.data;

import java.util.regex.Pattern;

/**
 * Trims both sides and collapses runs of spaces and tabs to one space; drops zero-width spaces and BOMs.
 * Line breaks are kept: in multi-paragraph segments they carry structure the model should reproduce.
 */
public final class WhitespaceTransformation implements Transformation {
    private static final Pattern INVISIBLE = Pattern.compile("[\\u200B\\uFEFF]");
    private static final Pattern HORIZONTAL_RUN = Pattern.compile("[\\t\\x20\\u00A0]{2,}|\\t");
    private static final Pattern SPACE_AROUND_NEWLINE = Pattern.compile("[\\t\\x20]*\\n[\\t\\x20]*");

    @Override public String name() { return "whitespace"; }

    @Override public String description() { return "trim, collapse spaces/tabs, drop zero-width spaces"; }

    @Override
    public ParallelExample apply(ParallelExample ex) {
        String source = clean(ex.source());
        String target = clean(ex.target());
        return source.equals(ex.source()) && target.equals(ex.target()) ? ex : ex.withText(source, target);
    }

    static String clean(String text) {
        String s = INVISIBLE.matcher(text).replaceAll("");
        s = HORIZONTAL_RUN.matcher(s).replaceAll(" ");
        s = SPACE_AROUND_NEWLINE.matcher(s).replaceAll("\n");
        return s.strip();
    }
}
