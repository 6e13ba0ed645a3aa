package dev.hymt4j.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Counts of one {@link Preparer} run: what was read, changed, dropped (per rule) and written (per split and pair). */
public final class PrepareSummary {
    long read;
    long kept;
    final Map<String, Long> rejectedByRule = new LinkedHashMap<>();
    final Map<String, Long> changedByTransformation = new LinkedHashMap<>();
    final Map<Split, Long> bySplit = new LinkedHashMap<>();
    final Map<String, Map<Split, Long>> byLanguagePair = new TreeMap<>();
    double seconds;

    /** An empty summary; {@link PrepareRules#newSummary} lists a configuration's names. */
    public PrepareSummary(Iterable<String> transformations, Iterable<String> rules) {
        for (String t : transformations) changedByTransformation.put(t, 0L);
        for (String r : rules) rejectedByRule.put(r, 0L);
        for (Split s : Split.values()) bySplit.put(s, 0L);
    }

    // The counters are public so that a distributed run (hymt-spark) can fill a summary from its aggregates.

    public void countRead(long n) { read += n; }

    public void countChanged(String transformation, long n) { changedByTransformation.merge(transformation, n, Long::sum); }

    /** Rejections by {@code rule}: a configured rule, or a reason of the caller's own (listed after the rules). */
    public void countRejected(String rule, long n) { rejectedByRule.merge(rule, n, Long::sum); }

    public void countKept(Split split, String languagePair, long n) {
        kept += n;
        bySplit.merge(split, n, Long::sum);
        byLanguagePair.computeIfAbsent(languagePair, k -> new LinkedHashMap<>()).merge(split, n, Long::sum);
    }

    public void seconds(double seconds) { this.seconds = seconds; }

    public long read() { return read; }

    public long kept() { return kept; }

    public long rejected() { return read - kept; }

    /** Rejections per rule name, in rule order, including rules that rejected nothing. */
    public Map<String, Long> rejectedByRule() { return Map.copyOf(rejectedByRule); }

    public long rejectedBy(String rule) { return rejectedByRule.getOrDefault(rule, 0L); }

    public long changedBy(String transformation) { return changedByTransformation.getOrDefault(transformation, 0L); }

    public long count(Split split) { return bySplit.get(split); }

    public double seconds() { return seconds; }

    public double linesPerSecond() { return seconds > 0 ? read / seconds : 0; }

    /** The JSON written to {@code summary.json}. */
    public String toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("read", read);
        json.put("kept", kept);
        json.put("rejected", rejected());
        json.put("rejected_by_rule", rejectedByRule);
        json.put("changed_by_transformation", changedByTransformation);
        Map<String, Long> splits = new LinkedHashMap<>();
        bySplit.forEach((s, n) -> splits.put(s.name().toLowerCase(), n));
        json.put("splits", splits);
        Map<String, Map<String, Long>> pairs = new LinkedHashMap<>();
        byLanguagePair.forEach((pair, counts) -> {
            Map<String, Long> row = new LinkedHashMap<>();
            for (Split s : Split.values()) row.put(s.name().toLowerCase(), counts.getOrDefault(s, 0L));
            pairs.put(pair, row);
        });
        json.put("language_pairs", pairs);
        json.put("seconds", Math.round(seconds * 1000) / 1000.0);
        json.put("lines_per_second", Math.round(linesPerSecond()));
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A plain-text table for the terminal. */
    public String toTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-28s %10d%n", "read", read));
        changedByTransformation.forEach((t, n) -> sb.append(String.format("  changed by %-16s %10d%n", t, n)));
        rejectedByRule.forEach((r, n) -> sb.append(String.format("  dropped by %-16s %10d%n", r, n)));
        sb.append(String.format("%-28s %10d%n", "kept", kept));
        bySplit.forEach((s, n) -> sb.append(String.format("  %-26s %10d%n", s.fileName(), n)));
        sb.append(String.format("%-12s %10s %10s %10s%n", "pair", "train", "valid", "test"));
        byLanguagePair.forEach((pair, c) -> sb.append(String.format("%-12s %10d %10d %10d%n", pair,
                c.getOrDefault(Split.TRAIN, 0L), c.getOrDefault(Split.VALID, 0L), c.getOrDefault(Split.TEST, 0L))));
        sb.append(String.format("%.1f s, %.0f lines/s%n", seconds, linesPerSecond()));
        return sb.toString();
    }
}
