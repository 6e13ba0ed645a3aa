package dev.hymt4j.eval;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Hand-worked Chinese BLEU cases with the {@code zh} tokenizer; the arithmetic is in the comments. */
class ChineseBleuTest {
    final Bleu zh = new Bleu(Bleu.Options.forLanguage("zh"));

    @Test
    void shortHypothesisWithBrevityPenalty() {
        // hyp "我喜欢猫。" -> 我 喜 欢 猫 。 (5 tokens; 。 U+3002 is in the CJK punctuation range)
        // ref "我很喜欢猫。" -> 我 很 喜 欢 猫 。 (6 tokens)
        // 1-grams: all 5 in the ref                                    -> 5/5
        // 2-grams: 我喜 ✗, 喜欢 ✓, 欢猫 ✓, 猫。 ✓                        -> 3/4
        // 3-grams: 我喜欢 ✗, 喜欢猫 ✓, 欢猫。 ✓                          -> 2/3
        // 4-grams: 我喜欢猫 ✗, 喜欢猫。 ✓                                -> 1/2
        // BP = exp(1 - 6/5) = exp(-0.2) = 0.818730753
        // BLEU = BP · (1 · 3/4 · 2/3 · 1/2)^(1/4) = 0.818730753 · 0.25^(1/4) = 0.818730753 · 0.707106781 = 57.8930
        BleuScore s = zh.sentenceScore("我喜欢猫。", List.of("我很喜欢猫。"));
        assertArrayEquals(new long[] {5, 3, 2, 1}, s.counts());
        assertArrayEquals(new long[] {5, 4, 3, 2}, s.totals());
        assertEquals(5, s.sysLen());
        assertEquals(6, s.refLen());
        assertEquals(Math.exp(-0.2), s.bp(), 1e-12);
        assertEquals(100 * Math.exp(-0.2) * Math.pow(0.25, 0.25), s.score(), 1e-9);
        assertEquals(57.8930, s.score(), 5e-5);
        assertEquals("BLEU = 57.89 100.0/75.0/66.7/50.0 (BP = 0.819 ratio = 0.833 hyp_len = 5 ref_len = 6)", s.formatted());
    }

    @Test
    void twoReferencesClipByMaxCountAndTieTakesShorterLength() {
        // hyp  猫坐在垫子上     -> 6 tokens
        // ref1 猫在垫子上       -> 5 tokens; ref2 猫坐在那垫子上 -> 7 tokens
        // Closest length: |6-5| = |6-7| = 1, a tie -> the shorter, 5; c = 6 >= r = 5 -> BP = 1
        // 1-grams: 猫 坐(ref2) 在 垫 子 上                              -> 6/6
        // 2-grams: 猫坐(r2) 坐在(r2) 在垫(r1) 垫子 子上                  -> 5/5
        // 3-grams: 猫坐在(r2) 坐在垫 ✗ 在垫子(r1) 垫子上                 -> 3/4
        // 4-grams: 猫坐在垫 ✗ 坐在垫子 ✗ 在垫子上(r1)                     -> 1/3
        // BLEU = (1 · 1 · 3/4 · 1/3)^(1/4) = 0.25^(1/4) = 70.7107
        BleuScore s = zh.corpusScore(List.of("猫坐在垫子上"), List.of(List.of("猫在垫子上"), List.of("猫坐在那垫子上")));
        assertArrayEquals(new long[] {6, 5, 3, 1}, s.counts());
        assertArrayEquals(new long[] {6, 5, 4, 3}, s.totals());
        assertEquals(5, s.refLen());
        assertEquals(1.0, s.bp());
        assertEquals(100 * Math.pow(0.25, 0.25), s.score(), 1e-9);
        assertEquals("nrefs:2|case:mixed|eff:no|tok:zh|smooth:exp|version:" + Sacrebleu.VERSION, s.signature());
    }

    @Test
    void quirkPunctuationCountsAsTokens() {
        // With zh, “ ” are separate tokens: hyp 他 说 “ 好 ” (5) vs ref 他 说 “ 好 ” 。 (6)
        // 1-grams 5/5, 2-grams 4/4, 3-grams 3/3, 4-grams 2/2; BP = exp(1 - 6/5)
        BleuScore s = zh.sentenceScore("他说“好”", List.of("他说“好”。"));
        assertArrayEquals(new long[] {5, 4, 3, 2}, s.counts());
        assertEquals(100 * Math.exp(-0.2), s.score(), 1e-9);
    }
}
