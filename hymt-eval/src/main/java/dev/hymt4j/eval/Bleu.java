package dev.hymt4j.eval;

import dev.hymt4j.eval.tokenize.BleuTokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BLEU exactly as sacreBLEU 2.x computes it (spec §7.2): per-segment sufficient statistics
 * {@code [hyp_len, ref_len, correct_1..N, total_1..N]}, summed over the corpus, then one score.
 */
public final class Bleu implements Metric {
    public static final int MAX_NGRAM_ORDER = 4;

    /** sacreBLEU's {@code my_log(0)}: a huge negative number, so a zero precision zeroes the score. */
    private static final double LOG_ZERO = -9999999999.0;

    /**
     * BLEU settings.
     *
     * @param smoothValue    value for floor/add-k; null = the method's default (0.1 / 1)
     * @param effectiveOrder average only over orders that have hypothesis n-grams (for sentences)
     */
    public record Options(String tokenize, boolean lowercase, BleuSmoothing smoothing, Double smoothValue,
                          boolean effectiveOrder, int maxNgramOrder) {
        public Options {
            BleuTokenizer.forName(tokenize); // fail early on an unknown name
            if (maxNgramOrder < 1) throw new IllegalArgumentException("max n-gram order must be >= 1: " + maxNgramOrder);
            if (smoothing == BleuSmoothing.ADD_K && smoothValue != null
                    && (smoothValue < 0 || smoothValue != Math.rint(smoothValue))) {
                // Whole k keeps counts integral; sacreBLEU's default k is 1.
                throw new IllegalArgumentException("add-k smoothing needs a whole k >= 0, got " + smoothValue);
            }
        }

        /** sacreBLEU's {@code BLEU()} defaults: 13a, mixed case, exp smoothing, no effective order, 4-grams. */
        public static Options defaults() {
            return new Options("13a", false, BleuSmoothing.EXP, null, false, MAX_NGRAM_ORDER);
        }

        /** The defaults with the tokenizer sacreBLEU picks for that target language. */
        public static Options forLanguage(String targetLanguage) {
            return defaults().withTokenize(BleuTokenizer.defaultNameForLanguage(targetLanguage));
        }

        public Options withTokenize(String name) {
            return new Options(name, lowercase, smoothing, smoothValue, effectiveOrder, maxNgramOrder);
        }

        public Options withLowercase(boolean lc) {
            return new Options(tokenize, lc, smoothing, smoothValue, effectiveOrder, maxNgramOrder);
        }

        public Options withSmoothing(BleuSmoothing method, Double value) {
            return new Options(tokenize, lowercase, method, value, effectiveOrder, maxNgramOrder);
        }

        public Options withEffectiveOrder(boolean eff) {
            return new Options(tokenize, lowercase, smoothing, smoothValue, eff, maxNgramOrder);
        }

        public Options withMaxNgramOrder(int order) {
            return new Options(tokenize, lowercase, smoothing, smoothValue, effectiveOrder, order);
        }

        double smoothValueOrDefault() {
            return smoothValue != null ? smoothValue : smoothing.defaultValue();
        }
    }

    private final Options options;
    private final BleuTokenizer tokenizer;

    public Bleu(Options options) {
        this.options = options;
        this.tokenizer = BleuTokenizer.forName(options.tokenize());
    }

    public Bleu() {
        this(Options.defaults());
    }

    public Options options() {
        return options;
    }

    @Override
    public String name() {
        return "bleu";
    }

    /** Corpus BLEU of {@code hyps} against reference streams (each parallel to hyps, null = missing). */
    public BleuScore corpusScore(List<String> hyps, List<? extends List<String>> refStreams) {
        return corpusScore(hyps, References.fromStreams(hyps.size(), refStreams));
    }

    public BleuScore corpusScore(List<String> hyps, References refs) {
        return fromStatistics(sum(segmentStatistics(hyps, refs)), refs.nrefs());
    }

    /** BLEU of one hypothesis against its references, with this metric's options (sacreBLEU's {@code sentence_score}). */
    public BleuScore sentenceScore(String hyp, List<String> refs) {
        return corpusScore(List.of(hyp), References.ofSegment(refs));
    }

    @Override
    public MetricResult evaluate(List<String> hyps, References refs) {
        List<long[]> stats = segmentStatistics(hyps, refs);
        // Sentence BLEU without effective order is 0 whenever a 4-gram is missing; sacreBLEU recommends it on.
        Bleu sentenceLevel = options.effectiveOrder() ? this : new Bleu(options.withEffectiveOrder(true));
        List<Double> sentences = new ArrayList<>(stats.size());
        String sentenceSignature = null;
        for (long[] s : stats) {
            BleuScore score = sentenceLevel.fromStatistics(s, refs.nrefs());
            sentences.add(score.score());
            sentenceSignature = score.signature();
        }
        return new MetricResult(name(), fromStatistics(sum(stats), refs.nrefs()), sentenceSignature, sentences);
    }

    /** Per-segment statistics {@code [hyp_len, ref_len, correct_1..N, total_1..N]}. */
    public List<long[]> segmentStatistics(List<String> hyps, References refs) {
        if (hyps.size() != refs.size()) {
            throw new IllegalArgumentException(hyps.size() + " hypotheses but " + refs.size() + " reference segments");
        }
        List<long[]> stats = new ArrayList<>(hyps.size());
        for (int s = 0; s < hyps.size(); s++) stats.add(segmentStatistics(hyps.get(s), refs.segment(s)));
        return stats;
    }

    private long[] segmentStatistics(String hyp, List<String> refs) {
        int order = options.maxNgramOrder();
        Map<String, Integer> refMaxCounts = new HashMap<>();
        List<Integer> refLens = new ArrayList<>(refs.size());
        for (String ref : refs) {
            List<String> tokens = PyText.split(preprocess(ref));
            refLens.add(tokens.size());
            // Clipping uses, per n-gram, the maximum count over the segment's references.
            ngramCounts(tokens, order).forEach((g, c) -> refMaxCounts.merge(g, c, Math::max));
        }
        List<String> hypTokens = PyText.split(preprocess(hyp));
        long[] stats = new long[2 + 2 * order];
        stats[0] = hypTokens.size();
        stats[1] = closestRefLength(hypTokens.size(), refLens);
        ngramCounts(hypTokens, order).forEach((g, c) -> {
            int n = ngramOrder(g);
            stats[2 + order + n - 1] += c;
            Integer refCount = refMaxCounts.get(g);
            if (refCount != null) stats[2 + n - 1] += Math.min(c, refCount);
        });
        return stats;
    }

    /** Lowercase (optionally), strip trailing whitespace, tokenize: sacreBLEU's {@code _preprocess_segment}. */
    private String preprocess(String segment) {
        if (options.lowercase()) segment = PyText.lower(segment);
        return tokenizer.tokenize(PyText.rstrip(segment));
    }

    /** N-grams of orders 1..maxOrder, keyed by their tokens joined with single spaces (tokens have none). */
    private static Map<String, Integer> ngramCounts(List<String> tokens, int maxOrder) {
        Map<String, Integer> counts = new HashMap<>();
        for (int n = 1; n <= maxOrder; n++) {
            for (int i = 0; i + n <= tokens.size(); i++) {
                counts.merge(String.join(" ", tokens.subList(i, i + n)), 1, Integer::sum);
            }
        }
        return counts;
    }

    private static int ngramOrder(String ngram) {
        int spaces = 0;
        for (int i = 0; i < ngram.length(); i++) if (ngram.charAt(i) == ' ') spaces++;
        return spaces + 1;
    }

    /** The reference length closest to the hypothesis length; on a tie, the shorter one. */
    static int closestRefLength(int hypLen, List<Integer> refLens) {
        int closestDiff = -1, closestLen = -1;
        for (int refLen : refLens) {
            int diff = Math.abs(hypLen - refLen);
            if (closestDiff == -1 || diff < closestDiff) {
                closestDiff = diff;
                closestLen = refLen;
            } else if (diff == closestDiff && refLen < closestLen) {
                closestLen = refLen;
            }
        }
        return closestLen;
    }

    private long[] sum(List<long[]> stats) {
        long[] total = new long[2 + 2 * options.maxNgramOrder()];
        for (long[] s : stats) for (int i = 0; i < total.length; i++) total[i] += s[i];
        return total;
    }

    /** The score from (summed) statistics {@code [sys_len, ref_len, correct..., total...]}. */
    public BleuScore fromStatistics(long[] stats, String nrefs) {
        int order = options.maxNgramOrder();
        long[] correct = Arrays.copyOfRange(stats, 2, 2 + order);
        long[] total = Arrays.copyOfRange(stats, 2 + order, 2 + 2 * order);
        return compute(correct, total, stats[0], stats[1], nrefs);
    }

    /** sacreBLEU's {@code compute_bleu}, step by step (same operation order, so the same doubles). */
    private BleuScore compute(long[] correct, long[] total, long sysLen, long refLen, String nrefs) {
        int order = options.maxNgramOrder();
        String signature = signature(nrefs);
        double bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - (double) refLen / sysLen) : 0.0) : 1.0;
        double[] precisions = new double[order];

        boolean anyMatch = false;
        for (long c : correct) anyMatch |= c != 0;
        if (!anyMatch) {
            // Early exit before any smoothing (sacreBLEU #141): no match at all is a score of 0.
            return new BleuScore(0.0, signature, correct, total, precisions, bp, sysLen, refLen);
        }

        double value = options.smoothValueOrDefault();
        double smoothMteval = 1.0;
        int effOrder = order;
        for (int n = 1; n <= order; n++) {
            if (options.smoothing() == BleuSmoothing.ADD_K && n > 1) {
                correct[n - 1] += (long) value;
                total[n - 1] += (long) value;
            }
            if (total[n - 1] == 0) break;
            if (options.effectiveOrder()) effOrder = n;
            if (correct[n - 1] == 0) {
                if (options.smoothing() == BleuSmoothing.EXP) {
                    smoothMteval *= 2;
                    precisions[n - 1] = 100.0 / (smoothMteval * total[n - 1]);
                } else if (options.smoothing() == BleuSmoothing.FLOOR) {
                    precisions[n - 1] = 100.0 * value / total[n - 1];
                }
                // none and add-k leave a zero precision, which zeroes the score.
            } else {
                precisions[n - 1] = 100.0 * correct[n - 1] / total[n - 1];
            }
        }
        double logSum = 0;
        for (int n = 0; n < effOrder; n++) logSum += precisions[n] == 0.0 ? LOG_ZERO : Math.log(precisions[n]);
        double score = bp * Math.exp(logSum / effOrder);
        return new BleuScore(score, signature, correct, total, precisions, bp, sysLen, refLen);
    }

    /** {@code nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0}. */
    public String signature(String nrefs) {
        String smooth = options.smoothing().id();
        if (options.smoothing().takesValue()) smooth += "[" + PyText.fixed(options.smoothValueOrDefault(), 2) + "]";
        return Sacrebleu.signature(nrefs,
                "case", options.lowercase() ? "lc" : "mixed",
                "eff", Sacrebleu.yesNo(options.effectiveOrder()),
                "tok", tokenizer.name(),
                "smooth", smooth);
    }
}
