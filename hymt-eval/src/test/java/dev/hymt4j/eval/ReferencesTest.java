package dev.hymt4j.eval;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Missing (null) and empty references, and stream length checks. */
class ReferencesTest {
    static final List<String> HYPS = BleuSacrebleuTest.HYPS;

    @Test
    void nullReferenceIsDroppedAndSignatureSaysVar() {
        // README example with the second stream's reference for segment 2 missing. Expected values from
        // a Python transcription of sacreBLEU 2.x (see apertium-sacrebleu-oracle.tsv's header).
        List<List<String>> refs = List.of(BleuSacrebleuTest.REFS.get(0),
                Arrays.asList("The dog had bit the man.", null, "The man had bitten the dog."));
        BleuScore bleu = new Bleu().corpusScore(HYPS, refs);
        assertEquals(48.530827009929865, bleu.score(), 1e-9);
        assertEquals("nrefs:var|case:mixed|eff:no|tok:13a|smooth:exp|version:" + Sacrebleu.VERSION, bleu.signature());
        assertEquals(55.80159128024612, new Chrf().corpusScore(HYPS, refs).score(), 1e-9);
        assertEquals(56.90442406280545, new Chrf(Chrf.Options.chrfPlusPlus()).corpusScore(HYPS, refs).score(), 1e-9);
        assertEquals(40.0, new Ter().corpusScore(HYPS, refs).score(), 1e-9);
    }

    @Test
    void emptyStringIsARealReference() {
        List<List<String>> refs = List.of(List.of("a b", "c d"), List.of("", "c d"));
        assertEquals("2", References.fromStreams(2, refs).nrefs());
    }

    @Test
    void mismatchedStreamAndMissingSegmentAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> References.fromStreams(3, List.of(List.of("a", "b"))));
        assertEquals("reference stream 1 has 2 segments but there are 3 hypotheses", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> References.fromStreams(2, List.of(Arrays.asList("a", null))));
        assertEquals("segment 2 has no reference (all streams are null there)", e.getMessage());
    }
}
