package dev.hymt4j.prompt;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Expected strings are the README templates of spec §6.1, copied from the spec file's bytes. */
class PromptTemplatesTest {
    private static final PromptTemplates OFFICIAL = PromptTemplates.official();

    private static final String SPEC_ZH_XX =
            "将以下文本翻译为{target_language}，注意只需要输出翻译后的结果，不要额外解释：\n\n{source_text}";
    private static final String SPEC_XX_XX =
            "Translate the following segment into {target_language}, without additional explanation.\n\n{source_text}";
    private static final String SPEC_TERMINOLOGY =
            "参考下面的翻译：\n{source_term} 翻译成 {target_term}\n\n将以下文本翻译为{target_language}，注意只需要输出翻译后的结果，不要额外解释：\n{source_text}";
    private static final String SPEC_CONTEXT =
            "{context}\n参考上面的信息，把下面的文本翻译成{target_language}，注意不需要翻译上文，也不要额外解释：\n{source_text}";
    private static final String SPEC_FORMATTED =
            "将以下<source></source>之间的文本翻译为中文，注意只需要输出翻译后的结果，不要额外解释，原文中的<sn></sn>标签表示标签内文本包含格式信息，需要在译文中相应的位置尽量保留该标签。输出格式为：<target>str</target>\n\n<source>{src_text_with_format}</source>";
    static final String EXPECTED_ZH_XX =
            "将以下文本翻译为中文，注意只需要输出翻译后的结果，不要额外解释：\n\nIt's on the house.";
    static final String EXPECTED_XX_XX =
            "Translate the following segment into French, without additional explanation.\n\nGuten Morgen.";
    static final String EXPECTED_TERMINOLOGY_ONE =
            "参考下面的翻译：\nJVM 翻译成 Java 虚拟机\n\n将以下文本翻译为中文，注意只需要输出翻译后的结果，不要额外解释：\nThe model runs on the JVM.";
    static final String EXPECTED_TERMINOLOGY_TWO =
            "参考下面的翻译：\nJVM 翻译成 Java 虚拟机\nmodel 翻译成 模型\n\n将以下文本翻译为中文，注意只需要输出翻译后的结果，不要额外解释：\nThe model runs on the JVM.";
    static final String EXPECTED_CONTEXT =
            "Tom was tired.\n参考上面的信息，把下面的文本翻译成中文，注意不需要翻译上文，也不要额外解释：\nHe left.";
    static final String EXPECTED_FORMATTED =
            "将以下<source></source>之间的文本翻译为中文，注意只需要输出翻译后的结果，不要额外解释，原文中的<sn></sn>标签表示标签内文本包含格式信息，需要在译文中相应的位置尽量保留该标签。输出格式为：<target>str</target>\n\n<source><s1>Hello</s1>, world</source>";

    @Test
    void officialTemplatesAreVerbatim() {
        assertEquals(SPEC_ZH_XX, PromptTemplates.ZH_XX);
        assertEquals(SPEC_XX_XX, PromptTemplates.XX_XX);
        assertEquals(SPEC_TERMINOLOGY, PromptTemplates.TERMINOLOGY);
        assertEquals(SPEC_CONTEXT, PromptTemplates.CONTEXT);
        assertEquals(SPEC_FORMATTED, PromptTemplates.FORMATTED);
        // Full-width punctuation, as the spec insists: ，U+FF0C ：U+FF1A 。U+3002.
        assertTrue(PromptTemplates.ZH_XX.contains("\uFF0C") && PromptTemplates.ZH_XX.contains("\uFF1A\n\n"));
        assertTrue(PromptTemplates.FORMATTED.contains("\u3002"));
    }

    @Test
    void chineseTargetUsesZhTemplateWithChineseName() {
        String prompt = OFFICIAL.render(TranslationRequest.of("It's on the house.", Language.ZH));
        assertEquals(EXPECTED_ZH_XX, prompt);
    }

    @Test
    void chineseSourceUsesZhTemplateWithChineseTargetName() {
        TranslationRequest request = TranslationRequest.of("你好，世界。", Language.EN).withSource(Language.ZH);
        assertEquals(TemplateKind.ZH_XX, OFFICIAL.choose(request));
        assertEquals(SPEC_ZH_XX.replace("{target_language}", "英语").replace("{source_text}", "你好，世界。"),
                OFFICIAL.render(request));
    }

    @Test
    void noChineseSideUsesEnglishTemplateWithEnglishName() {
        TranslationRequest request = TranslationRequest.of("Guten Morgen.", Language.FR).withSource(Language.DE);
        assertEquals(EXPECTED_XX_XX, OFFICIAL.render(request));
        assertEquals(TemplateKind.XX_XX, OFFICIAL.choose(TranslationRequest.of("Guten Morgen.", Language.FR)));
    }

    @Test
    void traditionalChineseAndCantoneseCountAsChineseByDefault() {
        assertEquals(TemplateKind.ZH_XX, OFFICIAL.choose(TranslationRequest.of("x", Language.ZH_HANT)));
        assertEquals(TemplateKind.ZH_XX, OFFICIAL.choose(TranslationRequest.of("x", Language.EN).withSource(Language.YUE)));
        PromptTemplates onlyZh = OFFICIAL.withChineseSide(Set.of(Language.ZH));
        assertEquals(TemplateKind.XX_XX, onlyZh.choose(TranslationRequest.of("x", Language.ZH_HANT)));
        assertEquals("Translate the following segment into Traditional Chinese, without additional explanation.\n\nx",
                onlyZh.render(TranslationRequest.of("x", Language.ZH_HANT)));
    }

    @Test
    void forcedTemplateOverridesTheChoice() {
        // The README's own sample: the English template for an EN→ZH request.
        TranslationRequest request = TranslationRequest.of("It’s on the house.", Language.ZH).withTemplate(TemplateKind.XX_XX);
        assertEquals("Translate the following segment into Chinese, without additional explanation.\n\nIt’s on the house.",
                OFFICIAL.render(request));
    }

    @Test
    void terminologyWithOneTerm() {
        TranslationRequest request = TranslationRequest.of("The model runs on the JVM.", Language.ZH)
                .withGlossary(List.of(new GlossaryEntry("JVM", "Java 虚拟机")));
        assertEquals(EXPECTED_TERMINOLOGY_ONE, OFFICIAL.render(request));
    }

    @Test
    void terminologyWithSeveralTermsWritesOneLineEach() {
        TranslationRequest request = TranslationRequest.of("The model runs on the JVM.", Language.ZH)
                .withGlossary(List.of(new GlossaryEntry("JVM", "Java 虚拟机"), new GlossaryEntry("model", "模型")));
        assertEquals(EXPECTED_TERMINOLOGY_TWO, OFFICIAL.render(request));
    }

    @Test
    void contextTemplateHasNoTrailingNewlineByDefault() {
        TranslationRequest request = TranslationRequest.of("He left.", Language.ZH).withContext("Tom was tired.");
        assertEquals(EXPECTED_CONTEXT, OFFICIAL.render(request));
        PromptTemplates trailing = OFFICIAL.withTemplate(TemplateKind.CONTEXT, PromptTemplates.CONTEXT_WITH_TRAILING_NEWLINE);
        assertEquals(EXPECTED_CONTEXT + "\n", trailing.render(request));
    }

    @Test
    void formattedTemplateIsFixedToChinese() {
        TranslationRequest request = TranslationRequest.of("<s1>Hello</s1>, world", Language.ZH).withFormatted(true);
        assertEquals(EXPECTED_FORMATTED, OFFICIAL.render(request));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OFFICIAL.render(TranslationRequest.of("<s1>Hi</s1>", Language.FR).withFormatted(true)));
        assertTrue(e.getMessage().contains("only translates into Chinese"), e.getMessage());
    }

    @Test
    void customFormattedTemplateWithTargetSlotAllowsOtherTargets() {
        PromptTemplates custom = OFFICIAL.withTemplate(TemplateKind.FORMATTED,
                "Translate into {target_language_en}, keep <sn> tags:\n<source>{src_text_with_format}</source>");
        assertEquals("Translate into French, keep <sn> tags:\n<source><s1>Hi</s1></source>",
                custom.render(TranslationRequest.of("<s1>Hi</s1>", Language.FR).withFormatted(true)));
    }

    @Test
    void bracesInUserTextAreNotExpanded() {
        String text = "Keep {target_language} and {context} literally.";
        assertEquals(SPEC_ZH_XX.replace("{target_language}", "中文").replace("{source_text}", text),
                OFFICIAL.render(TranslationRequest.of(text, Language.ZH)));
    }

    @Test
    void overridesMustKeepRequiredPlaceholders() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OFFICIAL.withTemplate(TemplateKind.ZH_XX, "翻译为{target_language}"));
        assertTrue(e.getMessage().contains("{source_text}"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> OFFICIAL.withTemplate(TemplateKind.TERMINOLOGY, "{source_term}\n{target_term}\n{source_text}"));
    }

    @Test
    void inputsThatWouldBeDroppedAreRejected() {
        List<GlossaryEntry> glossary = List.of(new GlossaryEntry("a", "b"));
        assertThrows(IllegalArgumentException.class, () -> OFFICIAL.render(
                TranslationRequest.of("x", Language.ZH).withGlossary(glossary).withContext("c")));
        assertThrows(IllegalArgumentException.class, () -> OFFICIAL.render(
                TranslationRequest.of("x", Language.ZH).withFormatted(true).withContext("c")));
        assertThrows(IllegalArgumentException.class, () -> OFFICIAL.render(
                TranslationRequest.of("x", Language.ZH).withGlossary(glossary).withTemplate(TemplateKind.ZH_XX)));
        IllegalArgumentException noTerms = assertThrows(IllegalArgumentException.class, () -> OFFICIAL.render(
                TranslationRequest.of("x", Language.ZH).withTemplate(TemplateKind.TERMINOLOGY)));
        assertTrue(noTerms.getMessage().contains("glossary"), noTerms.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OFFICIAL.render(
                TranslationRequest.of("x", Language.ZH).withTemplate(TemplateKind.CONTEXT)));
        assertThrows(IllegalArgumentException.class, () -> new GlossaryEntry("a", " "));
    }

    // ---- parse: the inverse of render ----

    private static void assertRoundTrip(PromptTemplates templates, TranslationRequest request, TemplateKind kind) {
        String prompt = templates.render(request);
        TranslationRequest back = templates.parse(prompt).orElseThrow(() -> new AssertionError("not parsed: " + prompt));
        // The source language is not in any prompt; the template that matched is recorded.
        assertEquals(new TranslationRequest(request.sourceText(), request.target(), null, request.glossary(),
                request.context(), request.formatted(), kind), back, prompt);
        assertEquals(prompt, templates.render(back));
    }

    @Test
    void parseInvertsRenderForAllFiveTemplates() {
        assertRoundTrip(OFFICIAL, TranslationRequest.of("It's on the house.", Language.ZH), TemplateKind.ZH_XX);
        assertRoundTrip(OFFICIAL, TranslationRequest.of("你好，世界。", Language.EN).withSource(Language.ZH), TemplateKind.ZH_XX);
        assertRoundTrip(OFFICIAL, TranslationRequest.of("Guten Morgen.", Language.FR).withSource(Language.DE), TemplateKind.XX_XX);
        assertRoundTrip(OFFICIAL, TranslationRequest.of("The model runs on the JVM.", Language.ZH)
                .withGlossary(List.of(new GlossaryEntry("JVM", "Java 虚拟机"))), TemplateKind.TERMINOLOGY);
        assertRoundTrip(OFFICIAL, TranslationRequest.of("He left.", Language.ZH).withContext("Tom was tired."), TemplateKind.CONTEXT);
        assertRoundTrip(OFFICIAL, TranslationRequest.of("<s1>Hello</s1>, world", Language.ZH).withFormatted(true),
                TemplateKind.FORMATTED);
    }

    @Test
    void parseReadsTheSpecExamples() {
        assertEquals(Optional.of(TranslationRequest.of("It's on the house.", Language.ZH).withTemplate(TemplateKind.ZH_XX)),
                OFFICIAL.parse(EXPECTED_ZH_XX));
        assertEquals(Optional.of(TranslationRequest.of("Guten Morgen.", Language.FR).withTemplate(TemplateKind.XX_XX)),
                OFFICIAL.parse(EXPECTED_XX_XX));
        assertEquals(Optional.of(TranslationRequest.of("He left.", Language.ZH).withContext("Tom was tired.")
                .withTemplate(TemplateKind.CONTEXT)), OFFICIAL.parse(EXPECTED_CONTEXT));
        assertEquals(Optional.of(TranslationRequest.of("<s1>Hello</s1>, world", Language.ZH).withFormatted(true)
                .withTemplate(TemplateKind.FORMATTED)), OFFICIAL.parse(EXPECTED_FORMATTED));
    }

    @Test
    void parseReadsSeveralGlossaryTermsInOrder() {
        TranslationRequest back = OFFICIAL.parse(EXPECTED_TERMINOLOGY_TWO).orElseThrow();
        assertEquals(List.of(new GlossaryEntry("JVM", "Java 虚拟机"), new GlossaryEntry("model", "模型")), back.glossary());
        assertEquals("The model runs on the JVM.", back.sourceText());
        assertEquals(Language.ZH, back.target());
        assertEquals(TemplateKind.TERMINOLOGY, back.template());
        assertRoundTrip(OFFICIAL, TranslationRequest.of("第一行\n第二行", Language.EN).withGlossary(List.of(
                new GlossaryEntry("行", "line"), new GlossaryEntry("第一", "first"), new GlossaryEntry("第二", "second 翻译成 2nd"))),
                TemplateKind.TERMINOLOGY);
    }

    @Test
    void parseKeepsMultiLineTextAndContext() {
        assertRoundTrip(OFFICIAL, TranslationRequest.of("Line one.\n\nLine two.\n", Language.JA), TemplateKind.XX_XX);
        assertRoundTrip(OFFICIAL, TranslationRequest.of("Zeile.\nNoch eine.", Language.ZH_HANT)
                .withContext("A dialog opens.\nIt has two buttons."), TemplateKind.CONTEXT);
        assertRoundTrip(OFFICIAL, TranslationRequest.of("Keep {target_language} and {context}.", Language.KO).withSource(Language.EN),
                TemplateKind.XX_XX);
    }

    @Test
    void parseAcceptsEnglishAndChineseNamesInEveryTemplate() {
        // A forced English template for a Chinese target, as in the README's own sample.
        String english = OFFICIAL.render(TranslationRequest.of("It’s on the house.", Language.ZH).withTemplate(TemplateKind.XX_XX));
        assertEquals(Language.ZH, OFFICIAL.parse(english).orElseThrow().target());
        String chineseNameInEnglishTemplate = "Translate the following segment into 德语, without additional explanation.\n\nHi";
        assertEquals(Language.DE, OFFICIAL.parse(chineseNameInEnglishTemplate).orElseThrow().target());
        String englishNameInChineseTemplate = EXPECTED_ZH_XX.replace("中文", "Traditional Chinese");
        assertEquals(Language.ZH_HANT, OFFICIAL.parse(englishNameInChineseTemplate).orElseThrow().target());
        for (Language language : Language.values()) {
            assertEquals(language, OFFICIAL.parse(OFFICIAL.render(TranslationRequest.of("x", language))).orElseThrow().target());
        }
    }

    @Test
    void parseOfAnUnknownPromptIsEmpty() {
        assertEquals(Optional.empty(), OFFICIAL.parse("Summarise this"));
        assertEquals(Optional.empty(), OFFICIAL.parse(""));
        // A known template with a language outside the table, a blank term, or empty context.
        assertEquals(Optional.empty(), OFFICIAL.parse(EXPECTED_ZH_XX.replace("中文", "克林贡语")));
        assertEquals(Optional.empty(), OFFICIAL.parse(EXPECTED_TERMINOLOGY_ONE.replace("JVM 翻译成", "  翻译成")));
        assertEquals(Optional.empty(), OFFICIAL.parse(EXPECTED_CONTEXT.replace("Tom was tired.", "")));
        // The instruction alone, without the blank line before the text.
        assertEquals(Optional.empty(), OFFICIAL.parse(EXPECTED_ZH_XX.replace("\n\n", "\n")));
        assertFalse(OFFICIAL.parse(EXPECTED_FORMATTED.replace("</source>", "")).isPresent());
    }

    @Test
    void parseFollowsCustomTemplates() {
        PromptTemplates custom = OFFICIAL
                .withTemplate(TemplateKind.FORMATTED,
                        "Translate into {target_language_en} ({target_language_zh}), keep <sn> tags:\n<source>{src_text_with_format}</source>")
                .withTemplate(TemplateKind.CONTEXT, PromptTemplates.CONTEXT_WITH_TRAILING_NEWLINE);
        assertRoundTrip(custom, TranslationRequest.of("<s1>Hi</s1>", Language.FR).withFormatted(true), TemplateKind.FORMATTED);
        assertRoundTrip(custom, TranslationRequest.of("He left.", Language.ZH).withContext("Tom was tired."), TemplateKind.CONTEXT);
        // Two language slots that disagree are no match.
        assertEquals(Optional.empty(), custom.parse("Translate into French (德语), keep <sn> tags:\n<source>x</source>"));
    }
}
