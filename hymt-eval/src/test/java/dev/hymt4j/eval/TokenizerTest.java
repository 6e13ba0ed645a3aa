package dev.hymt4j.eval;

import dev.hymt4j.eval.tokenize.BleuTokenizer;
import dev.hymt4j.eval.tokenize.TokenizerZh;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Tokenizer outputs, including each sacreBLEU quirk we reproduce on purpose. */
class TokenizerTest {

    static String tok(String name, String line) {
        return BleuTokenizer.forName(name).tokenize(line);
    }

    @Test
    void thirteenA() {
        // Entities are decoded in sequence, so "&amp;lt;" becomes "<"; <skipped> is removed; a dash after a
        // digit is split; "U.S." is split at every period (followed by a non-digit or the padding).
        assertEquals("a < b 1990 - 2000 , U . S .", tok("13a", "a &amp;lt; b<skipped> 1990-2000, U.S."));
        // The padding lets a final period after a digit split off.
        assertEquals("版本1 .", tok("13a", "版本1."));
        // 1,000.5 keeps its separators; the apostrophe is not split.
        assertEquals("it's 1,000.5 !", tok("13a", "it's 1,000.5!"));
    }

    @Test
    void intl() {
        assertEquals("Hello , world ! 1,000.5 € ( test ) .", tok("intl", "Hello, world! 1,000.5 € (test)."));
        // No padding: a final period after a digit stays (mteval-v14 behaviour).
        assertEquals("in 1990.", tok("intl", "in 1990."));
    }

    @Test
    void zhSplitsChineseCharsAndQuirkRanges() {
        // “ ” — (U+201C, U+201D, U+2014) fall in the effective range U+2001..U+2A6D and are split like
        // ideographs; "1." at the very end stays attached (no padding, unlike 13a).
        assertEquals("他 说 “ 你 好 ” — 版 本 1.", tok("zh", "他说“你好”—版本1."));
        // Real Extension B ideographs (U+20000, U+20001) are NOT split; the fullwidth comma U+FF0C is.
        assertEquals("\uD840\uDC00\uD840\uDC01 ， 好", tok("zh", " \uD840\uDC00\uD840\uDC01，好 "));
        // Python whitespace: U+3000 (ideographic space) is stripped/split.
        assertEquals("中 文", tok("zh", "\u3000中文\u3000"));
        assertTrue(TokenizerZh.isChineseChar(0x2026));  // … ellipsis (quirk)
        assertTrue(TokenizerZh.isChineseChar(0x20AC));  // € (quirk)
        assertTrue(TokenizerZh.isChineseChar(0x2001));  // first code point after U+2000 (quirk bound)
        assertFalse(TokenizerZh.isChineseChar(0x2000));
        assertTrue(TokenizerZh.isChineseChar(0x2A6D));
        assertFalse(TokenizerZh.isChineseChar(0x2A6E));
        assertTrue(TokenizerZh.isChineseChar(0x2F81));
        assertTrue(TokenizerZh.isChineseChar(0x2FA1));
        assertFalse(TokenizerZh.isChineseChar(0x20000));
        assertFalse(TokenizerZh.isChineseChar(0x2F800));
    }

    @Test
    void charSplitsCodePoints() {
        // A supplementary character is one token; whitespace code points vanish when split.
        assertEquals("a b 😀 c", String.join(" ", PyText.split(tok("char", "ab😀 c"))));
    }

    @Test
    void japaneseAndKoreanMorphemes() {
        assertEquals("私 は 猫 が 好き です 。", tok("ja-kuromoji", "私は猫が好きです。"));
        String ko = tok("ko-nori", "나는 고양이를 좋아한다.");
        assertTrue(ko.startsWith("나 는 고양이 를"), ko);
        assertTrue(ko.endsWith("."), ko);
    }

    @Test
    void unknownTokenizerIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BleuTokenizer.forName("ja-mecab"));
        assertEquals("unknown BLEU tokenizer 'ja-mecab' (known: 13a, intl, zh, char, none, ja-kuromoji, ko-nori)", e.getMessage());
    }

    @Test
    void pythonWhitespaceAndFormatting() {
        assertEquals("a\u00A0b", PyText.strip("\u3000a\u00A0b\u202F "));
        assertEquals(List.of("a", "b"), PyText.split("a\u00A0b"));
        // Python formats the exact binary value, rounding half-even: 0.125 -> "0.12", 2.675 -> "2.67".
        assertEquals("0.12", PyText.fixed(0.125, 2));
        assertEquals("2.67", PyText.fixed(2.675, 2));
    }
}
