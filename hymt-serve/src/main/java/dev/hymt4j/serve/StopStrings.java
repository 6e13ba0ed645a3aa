package dev.hymt4j.serve;

import java.util.List;

/**
 * Cuts streamed text at the first stop string (OpenAI's {@code stop}). Text that could still turn out to be the
 * start of a stop string is held back until the next piece decides it, so a stop string is never sent, even
 * when it arrives split over several tokens.
 */
final class StopStrings {
    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    StopStrings(List<String> stops) {
        this.stops = stops;
    }

    /** Adds decoded text; returns the part that is safe to send now. */
    String push(String piece) {
        if (stopped) return "";
        held.append(piece);
        int cut = -1;
        for (String stop : stops) {
            int at = held.indexOf(stop);
            if (at >= 0 && (cut < 0 || at < cut)) cut = at;
        }
        if (cut >= 0) {
            stopped = true;
            String out = held.substring(0, cut);
            held.setLength(0);
            return out;
        }
        int keep = 0;
        for (String stop : stops) keep = Math.max(keep, overlap(held, stop));
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return out;
    }

    /** Whether a stop string was found (generation should end). */
    boolean stopped() {
        return stopped;
    }

    /** The held-back text once generation has ended without a stop string. */
    String finish() {
        String out = held.toString();
        held.setLength(0);
        return out;
    }

    /** Length of the longest suffix of {@code text} that is a proper prefix of {@code stop}. */
    private static int overlap(CharSequence text, String stop) {
        for (int len = Math.min(stop.length() - 1, text.length()); len > 0; len--) {
            boolean match = true;
            for (int i = 0; i < len && match; i++) match = text.charAt(text.length() - len + i) == stop.charAt(i);
            if (match) return len;
        }
        return 0;
    }
}
