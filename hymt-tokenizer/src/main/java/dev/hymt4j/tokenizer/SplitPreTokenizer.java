package dev.hymt4j.tokenizer;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code Split} pre-tokenizer. Like {@code tokenizers}, it first lists every regex match and every gap
 * between matches (empty matches included), flips match/gap when {@code invert} is set, applies the
 * behaviour, and drops empty pieces.
 */
final class SplitPreTokenizer implements PreTokenizer {
    private final String pattern;
    private final boolean isRegex;
    private final Pattern compiled;
    private final SplitBehavior behavior;
    private final boolean invert;

    SplitPreTokenizer(String pattern, boolean isRegex, SplitBehavior behavior, boolean invert) {
        this.pattern = pattern;
        this.isRegex = isRegex;
        this.compiled = isRegex ? PreTokenizer.compileOniguruma(pattern) : Pattern.compile(Pattern.quote(pattern));
        this.behavior = behavior;
        this.invert = invert;
    }

    @Override
    public void split(String text, List<String> out) {
        if (text.isEmpty()) return;
        // Fast path for the common Isolated case: no intermediate span list.
        if (behavior == SplitBehavior.Isolated) {
            Matcher m = compiled.matcher(text);
            int prev = 0;
            while (m.find()) {
                if (m.start() > prev) out.add(text.substring(prev, m.start()));
                if (m.end() > m.start()) out.add(text.substring(m.start(), m.end()));
                prev = m.end();
            }
            if (prev < text.length()) out.add(text.substring(prev));
            return;
        }
        // spans[3k] = start, spans[3k+1] = end, spans[3k+2] = 1 when the span is a (possibly inverted) match.
        int[] spans = new int[24];
        int n = 0;
        Matcher m = compiled.matcher(text);
        int prev = 0;
        while (m.find()) {
            if (m.start() > prev) spans = put(spans, n++, prev, m.start(), invert);
            spans = put(spans, n++, m.start(), m.end(), !invert);
            prev = m.end();
        }
        if (prev < text.length()) spans = put(spans, n++, prev, text.length(), invert);
        n = applyBehavior(spans, n);
        for (int k = 0; k < n; k++) {
            int s = spans[3 * k], e = spans[3 * k + 1];
            if (e > s) out.add(text.substring(s, e));
        }
    }

    private static int[] put(int[] spans, int k, int start, int end, boolean match) {
        if (3 * k + 3 > spans.length) spans = java.util.Arrays.copyOf(spans, spans.length * 2);
        spans[3 * k] = start;
        spans[3 * k + 1] = end;
        spans[3 * k + 2] = match ? 1 : 0;
        return spans;
    }

    /** Rewrites the span list in place per {@code tokenizers}' split(), returning the new span count. */
    private int applyBehavior(int[] spans, int n) {
        int w = 0;
        switch (behavior) {
            case Removed -> {
                for (int k = 0; k < n; k++) if (spans[3 * k + 2] == 0) copy(spans, k, w++);
            }
            case MergedWithPrevious -> {
                boolean previousMatch = false;
                for (int k = 0; k < n; k++) {
                    boolean match = spans[3 * k + 2] == 1;
                    if (match && !previousMatch && w > 0) spans[3 * (w - 1) + 1] = spans[3 * k + 1];
                    else copy(spans, k, w++);
                    previousMatch = match;
                }
            }
            case Contiguous -> {
                boolean previousMatch = false;
                for (int k = 0; k < n; k++) {
                    boolean match = spans[3 * k + 2] == 1;
                    if (match == previousMatch && w > 0) spans[3 * (w - 1) + 1] = spans[3 * k + 1];
                    else copy(spans, k, w++);
                    previousMatch = match;
                }
            }
            case MergedWithNext -> {
                // Walk backwards, gluing each match to the piece after it, then shift the result to the front.
                boolean previousMatch = false;
                int r = n; // result occupies [r, n) walking down
                for (int k = n - 1; k >= 0; k--) {
                    boolean match = spans[3 * k + 2] == 1;
                    if (match && !previousMatch && r < n) spans[3 * r] = spans[3 * k];
                    else copy(spans, k, --r);
                    previousMatch = match;
                }
                for (int k = r; k < n; k++) copy(spans, k, w++);
            }
            case Isolated -> w = n;
        }
        return w;
    }

    private static void copy(int[] spans, int from, int to) {
        if (from == to) return;
        System.arraycopy(spans, 3 * from, spans, 3 * to, 3);
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("type", "Split");
        node.putObject("pattern").put(isRegex ? "Regex" : "String", pattern);
        node.put("behavior", behavior.name());
        node.put("invert", invert);
        return node;
    }
}
