package dev.hymt4j.eval;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * chrF (Popović 2015) and chrF++ (Popović 2017) exactly as sacreBLEU 2.x computes them (spec §7.3):
 * per order, the triple [hyp n-grams, ref n-grams, matches]; character orders first, then word orders.
 */
public final class Chrf implements Metric {
    private static final double EPS = 1e-16;
    /** Python's {@code string.punctuation}: the only characters chrF++ splits off words. */
    private static final String ASCII_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    /**
     * chrF settings.
     *
     * @param whitespace   keep whitespace inside character n-grams (sacreBLEU deletes it by default)
     * @param epsSmoothing chrF++.py/NLTK-style averaging of per-order F scores; default false averages
     *                     precision and recall over the orders present ("eff:yes" in the signature)
     */
    public record Options(int charOrder, int wordOrder, int beta, boolean lowercase, boolean whitespace,
                          boolean epsSmoothing) {
        public Options {
            if (charOrder < 0 || wordOrder < 0 || charOrder + wordOrder == 0) {
                throw new IllegalArgumentException("chrF needs char order + word order > 0, got " + charOrder + "+" + wordOrder);
            }
        }

        /** chrF: 6 character orders, no word orders, beta 2. */
        public static Options chrf() {
            return new Options(6, 0, 2, false, false, false);
        }

        /** chrF++: chrF plus word unigrams and bigrams. */
        public static Options chrfPlusPlus() {
            return new Options(6, 2, 2, false, false, false);
        }

        public Options withLowercase(boolean lc) {
            return new Options(charOrder, wordOrder, beta, lc, whitespace, epsSmoothing);
        }

        public Options withBeta(int b) {
            return new Options(charOrder, wordOrder, b, lowercase, whitespace, epsSmoothing);
        }

        public Options withWhitespace(boolean ws) {
            return new Options(charOrder, wordOrder, beta, lowercase, ws, epsSmoothing);
        }

        public Options withEpsSmoothing(boolean eps) {
            return new Options(charOrder, wordOrder, beta, lowercase, whitespace, eps);
        }
    }

    private final Options options;

    public Chrf(Options options) {
        this.options = options;
    }

    public Chrf() {
        this(Options.chrf());
    }

    @Override
    public String name() {
        return options.wordOrder() == 0 ? "chrf" : "chrf" + "+".repeat(options.wordOrder());
    }

    public ChrfScore corpusScore(List<String> hyps, List<? extends List<String>> refStreams) {
        return corpusScore(hyps, References.fromStreams(hyps.size(), refStreams));
    }

    public ChrfScore corpusScore(List<String> hyps, References refs) {
        return fromStatistics(sum(segmentStatistics(hyps, refs)), refs.nrefs());
    }

    public ChrfScore sentenceScore(String hyp, List<String> refs) {
        return corpusScore(List.of(hyp), References.ofSegment(refs));
    }

    @Override
    public MetricResult evaluate(List<String> hyps, References refs) {
        List<long[]> stats = segmentStatistics(hyps, refs);
        List<Double> sentences = stats.stream().map(s -> fScore(s)).toList();
        ChrfScore corpus = fromStatistics(sum(stats), refs.nrefs());
        return new MetricResult(name(), corpus, corpus.signature(), sentences);
    }

    /** Per segment, the triples [hyp, ref, match] of each order, against the best-scoring reference. */
    public List<long[]> segmentStatistics(List<String> hyps, References refs) {
        if (hyps.size() != refs.size()) {
            throw new IllegalArgumentException(hyps.size() + " hypotheses but " + refs.size() + " reference segments");
        }
        List<long[]> stats = new ArrayList<>(hyps.size());
        for (int s = 0; s < hyps.size(); s++) stats.add(segmentStatistics(hyps.get(s), refs.segment(s)));
        return stats;
    }

    private long[] segmentStatistics(String hyp, List<String> refs) {
        List<Map<String, Integer>> hypNgrams = allNgrams(preprocess(hyp));
        long[] best = null;
        double bestF = -1.0;
        for (String ref : refs) {
            List<Map<String, Integer>> refNgrams = allNgrams(preprocess(ref));
            long[] stats = new long[3 * hypNgrams.size()];
            for (int i = 0; i < hypNgrams.size(); i++) matchStatistics(hypNgrams.get(i), refNgrams.get(i), stats, 3 * i);
            double f = fScore(stats);
            if (f > bestF) { // strict: on a tie the first reference wins
                bestF = f;
                best = stats;
            }
        }
        return best;
    }

    private String preprocess(String segment) {
        // No tokenizer and no rstrip for chrF: only optional lowercasing.
        return options.lowercase() ? PyText.lower(segment) : segment;
    }

    /** Character n-grams of orders 1..charOrder, then word n-grams of orders 1..wordOrder. */
    private List<Map<String, Integer>> allNgrams(String segment) {
        List<Map<String, Integer>> all = new ArrayList<>(options.charOrder() + options.wordOrder());
        String chars = options.whitespace() ? segment : PyText.removeSpaces(segment);
        int[] cps = chars.codePoints().toArray();
        for (int n = 1; n <= options.charOrder(); n++) {
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i + n <= cps.length; i++) counts.merge(new String(cps, i, n), 1, Integer::sum);
            all.add(counts);
        }
        if (options.wordOrder() > 0) {
            List<String> words = splitPunctuation(segment);
            for (int n = 1; n <= options.wordOrder(); n++) {
                Map<String, Integer> counts = new HashMap<>();
                for (int i = 0; i + n <= words.size(); i++) {
                    counts.merge(String.join(" ", words.subList(i, i + n)), 1, Integer::sum);
                }
                all.add(counts);
            }
        }
        return all;
    }

    /**
     * chrF++'s word splitting (from m-popovic/chrF): a word of two or more characters loses one ASCII
     * punctuation mark, the last character if it is one, else the first. At most one split per word,
     * so "(hi)" becomes "(hi" and ")" (sacreBLEU issue #124, kept for compatibility).
     */
    static List<String> splitPunctuation(String segment) {
        List<String> words = new ArrayList<>();
        for (String w : PyText.split(segment)) {
            int length = w.codePointCount(0, w.length());
            if (length == 1) {
                words.add(w);
                continue;
            }
            int last = w.codePointBefore(w.length());
            int first = w.codePointAt(0);
            if (isAsciiPunctuation(last)) {
                int cut = w.length() - Character.charCount(last);
                words.add(w.substring(0, cut));
                words.add(w.substring(cut));
            } else if (isAsciiPunctuation(first)) {
                int cut = Character.charCount(first);
                words.add(w.substring(0, cut));
                words.add(w.substring(cut));
            } else {
                words.add(w);
            }
        }
        return words;
    }

    private static boolean isAsciiPunctuation(int cp) {
        return cp < 128 && ASCII_PUNCTUATION.indexOf(cp) >= 0;
    }

    private static void matchStatistics(Map<String, Integer> hyp, Map<String, Integer> ref, long[] out, int at) {
        long hypCount = 0, refCount = 0, match = 0;
        for (Map.Entry<String, Integer> e : hyp.entrySet()) {
            hypCount += e.getValue();
            Integer r = ref.get(e.getKey());
            if (r != null) match += Math.min(e.getValue(), r);
        }
        for (int c : ref.values()) refCount += c;
        // sacreBLEU quirk: hypothesis n-grams are not counted when the reference has none of that order.
        out[at] = ref.isEmpty() ? 0 : hypCount;
        out[at + 1] = refCount;
        out[at + 2] = match;
    }

    private long[] sum(List<long[]> stats) {
        long[] total = new long[3 * (options.charOrder() + options.wordOrder())];
        for (long[] s : stats) for (int i = 0; i < total.length; i++) total[i] += s[i];
        return total;
    }

    public ChrfScore fromStatistics(long[] stats, String nrefs) {
        return new ChrfScore(fScore(stats), signature(nrefs), displayName(),
                options.charOrder(), options.wordOrder(), options.beta());
    }

    /** sacreBLEU's {@code _compute_f_score}, same operation order. */
    private double fScore(long[] stats) {
        int orders = options.charOrder() + options.wordOrder();
        double factor = (double) options.beta() * options.beta();
        double epsScore = 0, avgPrec = 0, avgRec = 0;
        int effectiveOrder = 0;
        for (int i = 0; i < orders; i++) {
            long nHyp = stats[3 * i], nRef = stats[3 * i + 1], nMatch = stats[3 * i + 2];
            double prec = nHyp > 0 ? (double) nMatch / nHyp : EPS;
            double rec = nRef > 0 ? (double) nMatch / nRef : EPS;
            double denom = factor * prec + rec;
            epsScore += denom > 0 ? (1 + factor) * prec * rec / denom : EPS;
            if (nHyp > 0 && nRef > 0) {
                avgPrec += prec;
                avgRec += rec;
                effectiveOrder++;
            }
        }
        if (options.epsSmoothing()) return 100 * epsScore / orders;
        if (effectiveOrder == 0) {
            avgPrec = avgRec = 0.0;
        } else {
            avgPrec /= effectiveOrder;
            avgRec /= effectiveOrder;
        }
        if (avgPrec + avgRec == 0) return 0.0;
        double score = (1 + factor) * avgPrec * avgRec;
        score /= (factor * avgPrec) + avgRec;
        return 100 * score;
    }

    /** {@code chrF2}, {@code chrF2++}. */
    public String displayName() {
        return "chrF" + options.beta() + "+".repeat(options.wordOrder());
    }

    /** {@code nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0}. */
    public String signature(String nrefs) {
        return Sacrebleu.signature(nrefs,
                "case", options.lowercase() ? "lc" : "mixed",
                "eff", Sacrebleu.yesNo(!options.epsSmoothing()),
                "nc", String.valueOf(options.charOrder()),
                "nw", String.valueOf(options.wordOrder()),
                "space", Sacrebleu.yesNo(options.whitespace()));
    }
}
