package dev.hymt4j.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * TER (Snover et al. 2006) as sacreBLEU 2.x computes it (spec §7.4): per segment the fewest edits over
 * its references and the average reference length; corpus TER = 100 · Σ edits / Σ average lengths.
 */
public final class Ter implements Metric {

    /** TER settings; sacreBLEU's defaults are all false (so TER is case-insensitive by default). */
    public record Options(boolean normalized, boolean noPunct, boolean caseSensitive) {
        public static Options defaults() {
            return new Options(false, false, false);
        }
    }

    private final Options options;
    private final TercomTokenizer tokenizer;

    public Ter(Options options) {
        this.options = options;
        this.tokenizer = new TercomTokenizer(options.normalized(), options.noPunct(), options.caseSensitive());
    }

    public Ter() {
        this(Options.defaults());
    }

    @Override
    public String name() {
        return "ter";
    }

    public TerScore corpusScore(List<String> hyps, List<? extends List<String>> refStreams) {
        return corpusScore(hyps, References.fromStreams(hyps.size(), refStreams));
    }

    public TerScore corpusScore(List<String> hyps, References refs) {
        return fromStatistics(sum(segmentStatistics(hyps, refs)), refs.nrefs());
    }

    public TerScore sentenceScore(String hyp, List<String> refs) {
        return corpusScore(List.of(hyp), References.ofSegment(refs));
    }

    @Override
    public MetricResult evaluate(List<String> hyps, References refs) {
        List<double[]> stats = segmentStatistics(hyps, refs);
        List<Double> sentences = stats.stream().map(s -> score(s[0], s[1])).toList();
        TerScore corpus = fromStatistics(sum(stats), refs.nrefs());
        return new MetricResult(name(), corpus, corpus.signature(), sentences);
    }

    /** Per segment {@code [fewest edits, average reference length]}. */
    public List<double[]> segmentStatistics(List<String> hyps, References refs) {
        if (hyps.size() != refs.size()) {
            throw new IllegalArgumentException(hyps.size() + " hypotheses but " + refs.size() + " reference segments");
        }
        List<double[]> stats = new ArrayList<>(hyps.size());
        for (int s = 0; s < hyps.size(); s++) {
            List<String> hypWords = words(hyps.get(s));
            int bestEdits = Integer.MAX_VALUE;
            long refLengths = 0;
            List<String> segmentRefs = refs.segment(s);
            for (String ref : segmentRefs) {
                List<String> refWords = words(ref);
                bestEdits = Math.min(bestEdits, TranslationEditRate.edits(hypWords, refWords));
                refLengths += refWords.size();
            }
            stats.add(new double[] {bestEdits, (double) refLengths / segmentRefs.size()});
        }
        return stats;
    }

    private List<String> words(String segment) {
        return PyText.split(tokenizer.tokenize(PyText.rstrip(segment)));
    }

    private static double[] sum(List<double[]> stats) {
        double[] total = new double[2];
        for (double[] s : stats) {
            total[0] += s[0];
            total[1] += s[1];
        }
        return total;
    }

    private TerScore fromStatistics(double[] total, String nrefs) {
        return new TerScore(score(total[0], total[1]), signature(nrefs), (long) total[0], total[1]);
    }

    private static double score(double edits, double refLength) {
        if (refLength > 0) return 100 * (edits / refLength);
        // Empty reference(s): any hypothesis word is an error, an empty hypothesis is perfect.
        return edits > 0 ? 100.0 : 0.0;
    }

    /** {@code nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:2.6.0}. */
    public String signature(String nrefs) {
        return Sacrebleu.signature(nrefs,
                "case", options.caseSensitive() ? "mixed" : "lc",
                "tok", "tercom",
                "norm", Sacrebleu.yesNo(options.normalized()),
                "punct", Sacrebleu.yesNo(!options.noPunct()),
                "asian", "no");
    }
}
