package dev.hymt4j.prompt;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LanguageTest {

    @Test
    void tableHas38LanguagesInReadmeOrder() {
        assertEquals(38, Language.values().length);
        assertEquals(Language.ZH, Language.values()[0]);
        assertEquals(Language.YUE, Language.values()[37]);
        assertEquals("zh-Hant", Language.ZH_HANT.code());
        assertEquals("Traditional Chinese", Language.ZH_HANT.englishName());
        assertEquals("繁体中文", Language.ZH_HANT.chineseName());
        assertEquals("英语", Language.EN.chineseName());
        assertEquals("粤语", Language.YUE.chineseName());
        assertEquals("Filipino", Language.TL.englishName());
    }

    @Test
    void codesAreCaseInsensitive() {
        assertEquals(Language.ZH_HANT, Language.fromCode("zh-Hant"));
        assertEquals(Language.ZH_HANT, Language.fromCode("ZH-HANT"));
        assertEquals(Language.ZH_HANT, Language.fromCode("zh_hant"));
        assertEquals(Language.DE, Language.fromCode("DE"));
        assertEquals(Language.YUE, Language.fromCode(" yue "));
    }

    @Test
    void regionAndScriptSubtagsNarrowToTableCodes() {
        assertEquals(Language.EN, Language.fromCode("en-US"));
        assertEquals(Language.PT, Language.fromCode("pt-BR"));
        assertEquals(Language.PT, Language.fromCode("pt_PT"));
        assertEquals(Language.ES, Language.fromCode("es-419"));
        assertEquals(Language.ZH_HANT, Language.fromCode("zh-Hant-TW"));
        assertEquals(Language.YUE, Language.fromCode("yue-Hant-HK"));
    }

    @Test
    void chineseAliases() {
        assertEquals(Language.ZH, Language.fromCode("zh-CN"));
        assertEquals(Language.ZH, Language.fromCode("zh-Hans"));
        assertEquals(Language.ZH, Language.fromCode("zh-Hans-CN"));
        assertEquals(Language.ZH, Language.fromCode("zh-SG"));
        assertEquals(Language.ZH_HANT, Language.fromCode("zh-TW"));
        assertEquals(Language.ZH_HANT, Language.fromCode("zh-HK"));
        assertEquals(Language.TL, Language.fromCode("fil"));
        assertEquals(Language.HE, Language.fromCode("iw"));
    }

    @Test
    void namesInEnglishAndChinese() {
        assertEquals(Language.ZH_HANT, Language.fromName("traditional chinese"));
        assertEquals(Language.YUE, Language.fromName("Cantonese"));
        assertEquals(Language.JA, Language.fromName("日语"));
        assertEquals(Language.FR, Language.parse("French"));
        assertEquals(Language.FR, Language.parse("法语"));
        assertEquals(Language.FR, Language.parse("fr-CA"));
    }

    @Test
    void unknownLanguageListsValidCodes() {
        UnknownLanguageException e = assertThrows(UnknownLanguageException.class, () -> Language.parse("klingon"));
        assertEquals("klingon", e.input());
        assertTrue(e.getMessage().contains("'klingon'"), e.getMessage());
        assertTrue(e.getMessage().contains("zh, en, fr, pt"), e.getMessage());
        assertTrue(e.getMessage().contains("zh-Hant"), e.getMessage());
        assertTrue(e.getMessage().endsWith("yue"), e.getMessage());
        assertThrows(UnknownLanguageException.class, () -> Language.fromCode("English"));
        assertThrows(UnknownLanguageException.class, () -> Language.fromName("en"));
        assertThrows(UnknownLanguageException.class, () -> Language.fromCode(""));
    }

    @Test
    void findVariantsReturnEmptyInsteadOfThrowing() {
        assertEquals(Optional.of(Language.ZH_HANT), Language.findByCode("zh-TW"));
        assertEquals(Optional.of(Language.PT), Language.findByCode("pt_BR"));
        assertEquals(Optional.empty(), Language.findByCode("xx"));
        assertEquals(Optional.empty(), Language.findByCode(null));
        assertEquals(Optional.of(Language.DE), Language.findByName("german"));
        assertEquals(Optional.of(Language.YUE), Language.findByName("粤语"));
        assertEquals(Optional.empty(), Language.findByName("de"));
        assertEquals(Optional.empty(), Language.findByName(null));
    }
}
