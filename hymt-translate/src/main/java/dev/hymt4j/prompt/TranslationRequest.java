package dev.hymt4j.prompt;

import java.util.List;
import java.util.Objects;

/**
 * What to translate and how. Build with {@link #of} and the {@code with…} methods.
 *
 * @param sourceText the text to translate
 * @param target     the language to translate into
 * @param source     the source language if known, else {@code null}; the model detects it itself, it only
 *                   steers the choice between the Chinese and the English template
 * @param glossary   term pairs for the terminology template; empty for none
 * @param context    preceding text for the context template, or {@code null}
 * @param formatted  whether the text carries {@code <sn></sn>} format tags (formatted template)
 * @param template   a template forced by the caller, or {@code null} to choose automatically
 */
public record TranslationRequest(String sourceText, Language target, Language source, List<GlossaryEntry> glossary,
                                 String context, boolean formatted, TemplateKind template) {

    public TranslationRequest {
        Objects.requireNonNull(sourceText, "sourceText");
        Objects.requireNonNull(target, "target");
        glossary = List.copyOf(glossary);
    }

    public static TranslationRequest of(String sourceText, Language target) {
        return new TranslationRequest(sourceText, target, null, List.of(), null, false, null);
    }

    public TranslationRequest withSource(Language source) {
        return new TranslationRequest(sourceText, target, source, glossary, context, formatted, template);
    }

    public TranslationRequest withGlossary(List<GlossaryEntry> glossary) {
        return new TranslationRequest(sourceText, target, source, glossary, context, formatted, template);
    }

    public TranslationRequest withContext(String context) {
        return new TranslationRequest(sourceText, target, source, glossary, context, formatted, template);
    }

    public TranslationRequest withFormatted(boolean formatted) {
        return new TranslationRequest(sourceText, target, source, glossary, context, formatted, template);
    }

    public TranslationRequest withTemplate(TemplateKind template) {
        return new TranslationRequest(sourceText, target, source, glossary, context, formatted, template);
    }

    boolean hasContext() {
        return context != null && !context.isEmpty();
    }
}
