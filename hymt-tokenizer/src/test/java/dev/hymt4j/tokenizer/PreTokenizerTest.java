package dev.hymt4j.tokenizer;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Pre-tokenizer splits checked against hand-derived pieces (and the examples of the tokenizers documentation). */
class PreTokenizerTest {
    private static List<String> split(PreTokenizer p, String text) {
        List<String> out = new ArrayList<>();
        p.split(text, out);
        return out;
    }

    private final PreTokenizer hy = PreTokenizer.hunyuan();

    @Test
    void hunyuanDigitsGoInGroupsOfThree() {
        assertEquals(List.of("123", "456", "7"), split(hy, "1234567"));
        assertEquals(List.of("١٢٣", "٤"), split(hy, "١٢٣٤"));          // Arabic-Indic digits are \p{N}
        assertEquals(List.of("１２３", "４"), split(hy, "１２３４"));      // so are fullwidth digits
        assertEquals(List.of("x", "12", "y"), split(hy, "x12y"));
    }

    @Test
    void hunyuanCjkAndKanaRunsAreSeparatePieces() {
        assertEquals(List.of("你好", "，", "世界"), split(hy, "你好，世界"));
        assertEquals(List.of("日本語のテキスト"), split(hy, "日本語のテキスト"));
        assertEquals(List.of("abc", "中文", "def"), split(hy, "abc中文def"));
        // Hangul is not in stage B; stage C keeps the leading space with the word.
        assertEquals(List.of("안녕하세요", " 세계"), split(hy, "안녕하세요 세계"));
    }

    @Test
    void hunyuanLettersPunctuationAndWhitespace() {
        assertEquals(List.of("Hello", ",", " world", "."), split(hy, "Hello, world."));
        assertEquals(List.of("isn", "'t"), split(hy, "isn't"));          // [punct][A-Za-z]+ alternative
        assertEquals(List.of("a", " ", " b"), split(hy, "a  b"));        // \s+(?!\S) leaves one space for " b"
        assertEquals(List.of("x", "\n\n", "y"), split(hy, "x\n\ny"));    // \s*[\r\n]+
        assertEquals(List.of("e\u0301"), split(hy, "e\u0301"));          // letter + combining mark stay together
        // \s*[\r\n]+ backtracks to end at the newline; the trailing spaces are \s+(?!\S).
        assertEquals(List.of("end", "\t\n", "  "), split(hy, "end\t\n  "));
        assertEquals(List.of(" ?!\n"), split(hy, " ?!\n"));               // " ?[\p{P}\p{S}]+[\r\n]*"
    }

    @Test
    void splitBehavioursMatchTheTokenizersDocumentation() {
        String text = "the-final--countdown";
        assertEquals(List.of("the", "final", "countdown"), split(PreTokenizer.splitLiteral("-", PreTokenizer.SplitBehavior.Removed, false), text));
        assertEquals(List.of("the", "-", "final", "-", "-", "countdown"), split(PreTokenizer.splitLiteral("-", PreTokenizer.SplitBehavior.Isolated, false), text));
        assertEquals(List.of("the-", "final-", "-", "countdown"), split(PreTokenizer.splitLiteral("-", PreTokenizer.SplitBehavior.MergedWithPrevious, false), text));
        assertEquals(List.of("the", "-final", "-", "-countdown"), split(PreTokenizer.splitLiteral("-", PreTokenizer.SplitBehavior.MergedWithNext, false), text));
        assertEquals(List.of("the", "-", "final", "--", "countdown"), split(PreTokenizer.splitLiteral("-", PreTokenizer.SplitBehavior.Contiguous, false), text));
    }

    @Test
    void invertSwapsMatchesAndGaps() {
        // Pattern [a-z]+: Removed drops the words; inverted, the dashes count as the matches and are dropped.
        assertEquals(List.of("-", "--"), split(PreTokenizer.splitRegex("[a-z]+", PreTokenizer.SplitBehavior.Removed, false), "the-final--countdown"));
        assertEquals(List.of("the", "final", "countdown"), split(PreTokenizer.splitRegex("[a-z]+", PreTokenizer.SplitBehavior.Removed, true), "the-final--countdown"));
    }

    @Test
    void byteLevelWithPrefixSpaceAndGpt2Regex() {
        assertEquals(List.of(" Hello", " world", "!"), split(PreTokenizer.byteLevel(true, true), "Hello world!"));
        assertEquals(List.of(" it", "'s", " 2024"), split(PreTokenizer.byteLevel(false, true), " it's 2024"));
        assertEquals(List.of("a  b"), split(PreTokenizer.byteLevel(false, false), "a  b"));
    }

    @Test
    void digits() {
        assertEquals(List.of("a", "1", "2", "b"), split(new DigitsPreTokenizer(true), "a12b"));
        assertEquals(List.of("a", "12", "b"), split(new DigitsPreTokenizer(false), "a12b"));
    }

    @Test
    void onigurumaWhitespaceIsUnicodeAware() {
        // U+3000 IDEOGRAPHIC SPACE is \s for Oniguruma; Java's plain \s would miss it.
        assertEquals(List.of("a", "\u3000", "b"), split(PreTokenizer.splitRegex("\\s+", PreTokenizer.SplitBehavior.Isolated, false), "a\u3000b"));
        // && inside a class is two literal ampersands for Oniguruma, not Java's class intersection.
        assertEquals(List.of("x", "&", "y"), split(PreTokenizer.splitRegex("[&&]", PreTokenizer.SplitBehavior.Isolated, false), "x&y"));
    }
}
