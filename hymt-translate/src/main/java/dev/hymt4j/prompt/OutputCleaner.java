package dev.hymt4j.prompt;

/** Turns decoded model output into the translation the user sees. */
public final class OutputCleaner {
    private static final String TARGET_OPEN = "<target>";
    private static final String TARGET_CLOSE = "</target>";

    private OutputCleaner() {}

    /**
     * Trims the text and, in formatted mode, takes what lies inside the {@code <target>…</target>} wrapper the
     * formatted template asks for (spec §6.1). A missing closing tag (output cut at the token limit) keeps
     * everything after the opening tag; output without the wrapper is returned trimmed rather than lost.
     */
    public static String clean(String generated, boolean formatted) {
        String text = generated.strip();
        if (!formatted) return text;
        int open = text.indexOf(TARGET_OPEN);
        if (open < 0) return text;
        int start = open + TARGET_OPEN.length();
        int close = text.lastIndexOf(TARGET_CLOSE);
        return (close >= start ? text.substring(start, close) : text.substring(start)).strip();
    }
}
