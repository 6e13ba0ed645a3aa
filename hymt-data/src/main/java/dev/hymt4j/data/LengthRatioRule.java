package dev.hymt4j.data;

import java.util.Optional;

/**
 * Drops misaligned pairs whose sides differ too much in length. Lengths are in characters weighted by script,
 * because one Chinese character carries what takes about three Latin letters: Han counts 3, Hangul 2.5, kana 2,
 * anything else 1. With these weights the median ratio on the test corpora is 0.8–1.2 for every pair, so one
 * symmetric bound serves all. Short pairs are exempt: "OK" → "确定" has a wild ratio and is fine.
 */
public final class LengthRatioRule implements CleaningRule {
    private final double maxRatio;
    private final double minLength;

    /**
     * @param maxRatio  longer side / shorter side above this is dropped (e.g. 3)
     * @param minLength the longer side must weigh at least this much for the rule to apply (e.g. 20)
     */
    public LengthRatioRule(double maxRatio, double minLength) {
        if (maxRatio <= 1) throw new IllegalArgumentException("max ratio must be > 1, got " + maxRatio);
        this.maxRatio = maxRatio;
        this.minLength = minLength;
    }

    @Override public String name() { return "ratio"; }

    @Override public String description() { return "script-weighted length ratio above " + maxRatio + " (either way)"; }

    @Override
    public Optional<String> problem(ParallelExample ex) {
        double s = weightedLength(ex.source());
        double t = weightedLength(ex.target());
        double longer = Math.max(s, t);
        if (longer < minLength) return Optional.empty();
        double ratio = longer / Math.max(1, Math.min(s, t));
        if (ratio <= maxRatio) return Optional.empty();
        return Optional.of(String.format("weighted lengths %.0f vs %.0f, ratio %.1f > %.1f", s, t, ratio, maxRatio));
    }

    static double weightedLength(String text) {
        double length = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (Scripts.isHan(cp)) length += 3;
            else if (Scripts.isHangul(cp)) length += 2.5;
            else if (Scripts.isKana(cp)) length += 2;
            else length += 1;
        }
        return length;
    }
}
