package dev.hymt4j.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * sacreBLEU's published BLEU test cases, transcribed from mjpost/sacrebleu {@code test/test_bleu.py}
 * (2.x version, with {@code BLEU.compute_bleu} and {@code test_max_ngram_order}) and
 * {@code test/test_sentence_bleu.py}. Tolerances are sacreBLEU's own (1e-8 on the 0–1 scale, 1e-3 for
 * sentence BLEU, whose expected values are printed to 3 decimals).
 */
class BleuSacrebleuTest {

    // test_bleu.py: README example (two reference streams).
    static final List<List<String>> REFS = List.of(
            List.of("The dog bit the man.", "It was not unexpected.", "The man bit him first."),
            List.of("The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."));
    static final List<String> HYPS = List.of("The dog bit the man.", "It wasn't surprising.", "The man had just bitten him.");

    static Bleu bleu(String tok, BleuSmoothing smoothing, Double value, boolean eff) {
        return new Bleu(Bleu.Options.defaults().withTokenize(tok).withSmoothing(smoothing, value).withEffectiveOrder(eff));
    }

    /** sacreBLEU's {@code raw_corpus_bleu}: floor smoothing, no tokenization, effective order. */
    static Bleu rawCorpusBleu(Double floor) {
        return bleu("none", BleuSmoothing.FLOOR, floor, true);
    }

    @ParameterizedTest(name = "test_corpus_bleu tok={0} smooth={1} -> {2}")
    @CsvSource({
            "13a,  exp,  48.530827",
            "none, exp,  49.1919566",
            "intl, exp,  43.91623493",
            "13a,  none, 48.530827",
    })
    void corpusBleu(String tok, String smooth, double expected) {
        double score = bleu(tok, BleuSmoothing.forId(smooth), null, false).corpusScore(HYPS, REFS).score();
        assertEquals(expected, score, 1e-6); // published to 6-8 decimals
    }

    @Test
    void defaultCorpusBleuVerboseAndSignature() {
        BleuScore s = new Bleu().corpusScore(HYPS, REFS);
        // README of sacreBLEU: BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)
        assertEquals("BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)", s.formatted());
        assertEquals("nrefs:2|case:mixed|eff:no|tok:13a|smooth:exp|version:" + Sacrebleu.VERSION, s.signature());
    }

    @ParameterizedTest(name = "test_max_ngram_order {0} -> {1}")
    @CsvSource({"1, 77.65", "2, 60.50", "3, 53.93", "4, 48.53", "5, 46.14", "6, 43.28"})
    void maxNgramOrder(int order, String expected) {
        BleuScore s = new Bleu(Bleu.Options.defaults().withMaxNgramOrder(order)).corpusScore(HYPS, REFS);
        assertEquals(expected, PyText.fixed(s.score(), 2));
    }

    @Test
    void emptyHypothesesAreNotRemoved() {
        assertEquals(0.0, new Bleu().corpusScore(List.of("", "", ""), REFS).score());
    }

    @ParameterizedTest(name = "test_raw_bleu {0} / {1}")
    @CsvSource(delimiter = '|', value = {
            // "This now returns 0.0 score (#141)": no match at all
            "this is a test;another test | ref1;ref2       | 0.0",
            "this is a test              | this is a test  | 1.0",
            "this is a fest              | this is a test  | 0.223606797749979",
            // test_effective_order
            "test                        | a test          | 0.3678794411714425",
            "a test                      | a test          | 1.0",
            "a little test               | a test          | 0.03218297948685433",
    })
    void rawBleuAndEffectiveOrder(String hyps, String refs, double expected) {
        double score = rawCorpusBleu(0.01).corpusScore(List.of(hyps.split(";")), List.of(List.of(refs.split(";")))).score();
        assertEquals(expected, score / 100, 1e-8);
    }

    @Test
    void statistics() {
        // test_case_statistics: counts [4,2,1,0], totals [6,5,4,3]
        BleuScore s = rawCorpusBleu(0.01).sentenceScore("am I am a character sequence", List.of("I am a symbol string sequence a a"));
        assertArrayEquals(new long[] {4, 2, 1, 0}, s.counts());
        assertArrayEquals(new long[] {6, 5, 4, 3}, s.totals());
    }

    @Test
    void offset() {
        // test_case_offset: 0.1555722182 with floor 0.1 (given or default), 0 with floor 0
        String hyp = "am I am a character sequence";
        List<String> ref = List.of("I am a symbol string sequence a a");
        assertEquals(0.0, rawCorpusBleu(0.0).sentenceScore(hyp, ref).score() / 100, 1e-8);
        assertEquals(0.1555722182, rawCorpusBleu(null).sentenceScore(hyp, ref).score() / 100, 1e-8);
        assertEquals(0.1555722182, rawCorpusBleu(0.1).sentenceScore(hyp, ref).score() / 100, 1e-8);
    }

    @Test
    void scoringFromStatistics() {
        // test_case_scoring: compute_bleu([9,7,5,3], [10,8,6,4], 11, 11) = 0.8375922397 (smooth none)
        Bleu b = bleu("none", BleuSmoothing.NONE, null, false);
        assertEquals(0.8375922397, b.fromStatistics(new long[] {11, 11, 9, 7, 5, 3, 10, 8, 6, 4}, "1").score() / 100, 1e-8);
    }

    @ParameterizedTest(name = "test_degenerate_statistics #{index}")
    @CsvSource(delimiter = '|', value = {
            "0;0;0;0 | 4;4;2;1    | 0  | 1  | 0.0",
            "0;0;0;0 | 10;11;12;0 | 14 | 10 | 0.0",
            "0;0;0;0 | 0;0;0;0    | 0  | 0  | 0.0",
            "6;5;4;0 | 6;5;4;3    | 6  | 6  | 0.0",
            "0;0;0;0 | 0;0;0;0    | 0  | 0  | 0.1",
            "0;0;0;0 | 0;0;0;0    | 1  | 5  | 0.01",
    })
    void degenerateStatistics(String correct, String total, long sysLen, long refLen, double floor) {
        long[] stats = new long[10];
        stats[0] = sysLen;
        stats[1] = refLen;
        long[] c = Arrays.stream(correct.split(";")).mapToLong(Long::parseLong).toArray();
        long[] t = Arrays.stream(total.split(";")).mapToLong(Long::parseLong).toArray();
        System.arraycopy(c, 0, stats, 2, 4);
        System.arraycopy(t, 0, stats, 6, 4);
        assertEquals(0.0, bleu("none", BleuSmoothing.FLOOR, floor, false).fromStatistics(stats, "1").score());
    }

    // test_sentence_bleu.py, example from sacreBLEU issue #98; effective_order=True.
    static final String REF = "producţia de zahăr brut se exprimă în zahăr alb;";
    static final String SYS = "Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;";

    @ParameterizedTest(name = "test_api_sentence_bleu smooth={0}[{1}] lc={2} tok={3} -> {4}")
    @CsvSource(nullValues = "None", value = {
            "exp,   None, false, 13a,  8.493",
            "none,  None, false, 13a,  0.0",
            "floor, None, false, 13a,  4.51688",
            "floor, 0.1,  false, 13a,  4.51688",
            "floor, 0.5,  false, 13a,  10.10",
            "add-k, None, false, 13a,  14.882",
            "add-k, 1,    false, 13a,  14.882",
            "add-k, 2,    false, 13a,  21.389",
            "exp,   None, false, none, 7.347",
            "exp,   None, false, intl, 8.493",
            "exp,   None, false, char, 40.8759",
            "exp,   None, true,  char, 42.0267",
    })
    void sentenceBleu(String smooth, Double value, boolean lowercase, String tok, double expected) {
        Bleu b = new Bleu(Bleu.Options.defaults().withTokenize(tok).withLowercase(lowercase)
                .withSmoothing(BleuSmoothing.forId(smooth), value).withEffectiveOrder(true));
        assertEquals(expected, b.sentenceScore(SYS, List.of(REF)).score(), 1e-3);
    }

    @ParameterizedTest(name = "test_api_sentence_bleu_zero smooth={0}[{1}]")
    @CsvSource(nullValues = "None", value = {"exp, None", "none, None", "floor, None", "floor, 0.1", "add-k, None", "add-k, 1"})
    void sentenceBleuZero(String smooth, Double value) {
        // Example from sacreBLEU issue #141: no unigram matches -> 0 whatever the smoothing.
        Bleu b = new Bleu(Bleu.Options.defaults().withSmoothing(BleuSmoothing.forId(smooth), value).withEffectiveOrder(true));
        assertEquals(0.0, b.sentenceScore("this is a cat", List.of("okay thanks")).score());
    }

    @Test
    void signatures() {
        String v = "|version:" + Sacrebleu.VERSION;
        assertEquals("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp" + v, new Bleu().signature("1"));
        assertEquals("nrefs:1|case:lc|eff:yes|tok:zh|smooth:floor[0.10]" + v,
                new Bleu(Bleu.Options.forLanguage("zh").withLowercase(true).withEffectiveOrder(true)
                        .withSmoothing(BleuSmoothing.FLOOR, null)).signature("1"));
        assertEquals("nrefs:var|case:mixed|eff:no|tok:intl|smooth:add-k[2.00]" + v,
                bleu("intl", BleuSmoothing.ADD_K, 2.0, false).signature("var"));
        assertEquals("nrefs:1|case:mixed|eff:no|tok:ja-kuromoji|smooth:exp" + v, new Bleu(Bleu.Options.forLanguage("ja")).signature("1"));
        assertEquals("nrefs:1|case:mixed|eff:no|tok:ko-nori|smooth:exp" + v, new Bleu(Bleu.Options.forLanguage("ko-KR")).signature("1"));
        assertEquals("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp" + v, new Bleu(Bleu.Options.forLanguage("es")).signature("1"));
    }
}
