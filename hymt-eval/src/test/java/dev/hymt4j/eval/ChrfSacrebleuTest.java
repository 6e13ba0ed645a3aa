package dev.hymt4j.eval;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** sacreBLEU's published chrF test cases, transcribed from mjpost/sacrebleu {@code test/test_chrf.py} (tolerance 1e-4, as there). */
class ChrfSacrebleuTest {
    static final double EPSILON = 1e-4;

    static double corpus(Chrf.Options options, String hyps, String refs) {
        return new Chrf(options).corpusScore(List.of(hyps.split(";", -1)), List.of(List.of(refs.split(";", -1)))).score();
    }

    /** {@code corpus_chrf(..., char_order=6, word_order=0, beta=3, eps_smoothing=...)}. */
    static Chrf.Options beta3(boolean eps) {
        return Chrf.Options.chrf().withBeta(3).withEpsSmoothing(eps);
    }

    @ParameterizedTest(name = "test_chrf {0} | {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "abcdefg | hijklmnop | 0.0",
            "a       | b         | 0.0",
            "''      | b         | 0.0",
            "''      | ref       | 0.0",
            "''      | reference | 0.0",
            "aa      | ab        | 8.3333",
            "a;b     | a;c       | 8.3333",
            "a       | a         | 16.6667",
            "a b c   | a b c     | 50.0",
            "a b c   | abc       | 50.0",
            "' risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .' | risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists . | 63.361730",
            "' Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. ' | Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich. | 64.1302698",
            "Niemand hat die Absicht, eine Mauer zu errichten | Niemand hat die Absicht, eine Mauer zu errichten | 100.0",
    })
    void epsSmoothing(String hyps, String refs, double expected) {
        assertEquals(expected, corpus(beta3(true), hyps, refs), EPSILON);
    }

    @ParameterizedTest(name = "test_chrf_eff_order {0} | {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "a     | a         | 100.0",
            "''    | reference | 0.0",
            "a b c | a b c     | 100.0",
            "a b c | abc       | 100.0",
            "''    | c         | 0.0",
            "a;b   | a;c       | 50.0",
            "aa    | ab        | 25.0",
    })
    void effectiveOrder(String hyps, String refs, double expected) {
        assertEquals(expected, corpus(beta3(false), hyps, refs), EPSILON);
    }

    @ParameterizedTest(name = "test_chrf_keep_whitespace #{index}")
    @CsvSource(delimiter = '|', value = {
            "Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich. | Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich. | 67.3481606",
            "risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists . | risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists . | 65.2414427",
    })
    void keepWhitespace(String hyp, String ref, double expected) {
        assertEquals(expected, corpus(beta3(false).withWhitespace(true), hyp, ref), EPSILON);
    }

    @ParameterizedTest(name = "test_chrf_sentence_level #{index}")
    @CsvSource(delimiter = '|', value = {
            "Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře. | Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře. | 39.14078509",
            "Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři. | A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři. | 31.22557079",
            "Lapali po dechu, jejich životy skončily dřív, než skutečně začaly. | Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli. | 57.15704367",
    })
    void sentenceLevel(String hyp, String ref, double expected) {
        // sentence_chrf(hyp, [ref], eps_smoothing=True): beta 2
        double score = new Chrf(Chrf.Options.chrf().withEpsSmoothing(true)).sentenceScore(hyp, List.of(ref)).score();
        assertEquals(expected, score, EPSILON);
    }

    @Test
    void signaturesAndNames() {
        String v = "|version:" + Sacrebleu.VERSION;
        ChrfScore chrf = new Chrf().sentenceScore("a b", List.of("a b"));
        assertEquals("nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no" + v, chrf.signature());
        assertEquals("chrF2 = 100.00", chrf.formatted());
        Chrf plus = new Chrf(Chrf.Options.chrfPlusPlus().withLowercase(true));
        assertEquals("nrefs:2|case:lc|eff:yes|nc:6|nw:2|space:no" + v, plus.signature("2"));
        assertEquals("chrF2++", plus.displayName());
        assertEquals("chrf++", plus.name());
    }

    @Test
    void chrfPlusPlusWordSplitting() {
        // One ASCII punctuation mark per word, the last character first: "(hi)" -> "(hi" ")" (sacreBLEU #124).
        assertEquals(List.of("(hi", ")", "\"", "quoted", "x", "«a»", "a"), Chrf.splitPunctuation("(hi) \"quoted x «a» a"));
    }

    @Test
    void bestReferenceIsChosenPerSegment() {
        // The segment's statistics come from the reference with the highest sentence chrF.
        Chrf chrf = new Chrf();
        double alone = chrf.corpusScore(List.of("the cat sat"), List.of(List.of("the cat sat"))).score();
        double withWorse = chrf.corpusScore(List.of("the cat sat"), List.of(List.of("a dog ran"), List.of("the cat sat"))).score();
        assertEquals(alone, withWorse);
    }
}
