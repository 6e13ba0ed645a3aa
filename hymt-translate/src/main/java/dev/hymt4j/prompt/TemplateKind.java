package dev.hymt4j.prompt;

import java.util.List;

/**
 * The five official HY-MT1.5 prompt templates (spec §6.1), with the placeholders each must contain and which
 * language name fills its {@code {target_language}} slot (§6.2).
 */
public enum TemplateKind {
    /** Chinese on one side: Chinese instruction, Chinese language name. */
    ZH_XX(false, "{source_text}"),
    /** Neither side Chinese: English instruction, English language name. */
    XX_XX(true, "{source_text}"),
    /** Glossary-guided translation. */
    TERMINOLOGY(false, "{source_text}", "{source_term}", "{target_term}"),
    /** Translation with preceding context that must not itself be translated. */
    CONTEXT(false, "{context}", "{source_text}"),
    /** Text with {@code <sn></sn>} format tags; the answer comes wrapped in {@code <target></target>}. */
    FORMATTED(false, "{src_text_with_format}");

    private final boolean englishInstruction;
    private final List<String> requiredPlaceholders;

    TemplateKind(boolean englishInstruction, String... requiredPlaceholders) {
        this.englishInstruction = englishInstruction;
        this.requiredPlaceholders = List.of(requiredPlaceholders);
    }

    /** The name that goes into {@code {target_language}}: English for the English template, Chinese otherwise. */
    public String languageName(Language target) {
        return englishInstruction ? target.englishName() : target.chineseName();
    }

    /** Placeholders without which a template of this kind would drop the caller's input. */
    public List<String> requiredPlaceholders() {
        return requiredPlaceholders;
    }
}
