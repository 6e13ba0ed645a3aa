package dev.hymt4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RulesTest {
    private static ParallelExample pair(String s, String t, String sl, String tl) {
        return ParallelExample.of(s, t, sl, tl);
    }

    private static boolean fires(CleaningRule rule, String s, String t, String sl, String tl) {
        return rule.problem(pair(s, t, sl, tl)).isPresent();
    }

    @Test
    void emptySides() {
        var r = new EmptySideRule();
        assertTrue(fires(r, " \t", "x", "en", "zh"));
        assertTrue(fires(r, "x", "\u3000", "en", "zh"));
        assertFalse(fires(r, "x", "y", "en", "zh"));
    }

    @Test
    void controlCharacters() {
        var r = new ControlCharacterRule();
        assertTrue(fires(r, "a\u0007b", "x", null, null));
        assertTrue(fires(r, "a", "x\u0085", null, null));
        assertTrue(fires(r, "a\uD800", "x", null, null));
        assertFalse(fires(r, "line1\nline2\tcol", "😀 ok", null, null));
    }

    @Test
    void mojibake() {
        var r = new MojibakeRule();
        assertTrue(fires(r, "CafÃ©", "咖啡", "en", "zh"));
        assertTrue(fires(r, "Itâ€™s", "它是", "en", "zh"));
        assertTrue(fires(r, "Open", "æ‰“å¼€", "en", "zh"));
        assertTrue(fires(r, "Open", "打\uFFFD开", "en", "zh"));
        assertFalse(fires(r, "SÃO PAULO, café, naïve, Straße, «déjà vu»", "圣保罗", "pt", "zh"));
        assertFalse(fires(r, "It’s 20 °C — ok…", "是 20 °C", "en", "zh"));
    }

    @Test
    void untranslatedCopies() {
        var r = new UntranslatedRule();
        assertTrue(fires(r, "Open the file.", "Open the file.", "en", "zh"));
        assertTrue(fires(r, "Open the file.", "「open  the FILE」", "en", "zh"));
        assertFalse(fires(r, "42", "42", "en", "zh"));
        assertFalse(fires(r, "Open the file.", "打开文件。", "en", "zh"));
    }

    @Test
    void scripts() {
        var r = new ScriptRule();
        assertTrue(fires(r, "Open the file.", "Open the file now", "en", "zh"));
        assertFalse(fires(r, "Open LibreOffice.", "打开 LibreOffice。", "en", "zh"));
        assertTrue(fires(r, "Hello", "안녕", "en", "ja"));
        assertFalse(fires(r, "Hello", "こんにちは", "en", "ja"));
        assertTrue(fires(r, "Hello", "Hello", "en", "ko"));
        assertTrue(fires(r, "Hello", "Привет", "en", "de"));
        assertTrue(fires(r, "打开文件并保存", "Open 文件并保存", "en", "en"));
        assertFalse(fires(r, "Hello Москва", "Hallo Moskau", "en", "de"));
    }

    @Test
    void lengthRatioIsScriptWeighted() {
        var r = new LengthRatioRule(3, 20);
        assertFalse(fires(r, "Select the heading in the Navigator list.", "选择「导航」列表中的标题。", "en", "zh"));
        assertTrue(fires(r, "Select the heading in the Navigator list and press Enter to jump there.", "标题", "en", "zh"));
        assertFalse(fires(r, "OK", "确定", "en", "zh"));
    }

    @Test
    void tokenLengthUsesTheCounter() {
        var counter = new ApproximateTokenCounter();
        assertEquals(3, counter.count("你好吗"));
        assertEquals(4, counter.count("Hello world!")); // 2 × 1.3 + 1, rounded up
        var r = new TokenLengthRule(counter, 1, 5);
        assertTrue(fires(r, "one two three four five", "一二", "en", "zh"));
        assertFalse(fires(r, "one two", "一二", "en", "zh"));
    }

    @Test
    void languageIdentificationFlagsConfidentMismatches() {
        var r = new LanguageIdRule(LanguageIdRule.Accuracy.LOW, 20);
        assertTrue(fires(r, "Open a text document and choose the menu.", "Öffnen Sie ein Textdokument und wählen Sie das Menü.", "en", "fr"));
        assertFalse(fires(r, "Open a text document and choose the menu.", "Ouvrez un document texte et choisissez le menu.", "en", "fr"));
        assertFalse(fires(r, "Open it.", "Öffnen.", "en", "fr"), "too short to judge");
    }

    @Test
    void punctuationAndWidth() {
        assertEquals("你好，世界！版本7.4.", PunctuationWidthTransformation.normalize("你好, 世界!版本７.４.", "zh"));
        assertEquals("打开文件。然后保存。", PunctuationWidthTransformation.normalize("打开文件. 然后保存.", "zh"));
        assertEquals("文件.txt 在「文档」：打开", PunctuationWidthTransformation.normalize("文件.txt 在「文档」: 打开", "zh"));
        assertEquals("Hello, ABC 123!", PunctuationWidthTransformation.normalize("Hello，ＡＢＣ １２３！", "en"));
        assertEquals("こんにちは、ＡＢＣ！", PunctuationWidthTransformation.normalize("こんにちは、ＡＢＣ！", "ja").replace("ABC", "ＡＢＣ"));
    }

    @Test
    void whitespaceAndCase() {
        assertEquals("a b\nc", WhitespaceTransformation.clean("  a \t b \n c\u200B "));
        assertEquals(ParallelExample.of("open", "straße", null, null),
                new LowercaseTransformation().apply(ParallelExample.of("OPEN", "Straße", null, null)));
    }

    @Test
    void normalizedKeys() {
        assertEquals(TextKeys.normalized("Hello,  WORLD!"), TextKeys.normalized("hello world"));
        assertEquals(TextKeys.normalized("ＳＴＲＡＳＳＥ"), TextKeys.normalized("Straße"));
    }

    @Test
    void longHashSet() {
        var set = new LongHashSet();
        for (long i = 0; i < 100_000; i++) assertTrue(set.add(i * 0x9E3779B97F4A7C15L));
        assertFalse(set.add(0));
        assertTrue(set.contains(5 * 0x9E3779B97F4A7C15L));
        assertFalse(set.contains(1));
        assertEquals(100_000, set.size());
    }
}
