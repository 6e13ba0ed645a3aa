package dev.hymt4j.data;

import dev.hymt4j.prompt.GlossaryEntry;
import dev.hymt4j.prompt.Language;
import dev.hymt4j.prompt.PromptTemplates;
import dev.hymt4j.prompt.TemplateKind;
import dev.hymt4j.prompt.TranslationRequest;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@link PromptCodec} of the inference code's templates: an example becomes a {@link TranslationRequest}
 * (terms → glossary, context, a non-null {@code format} → formatted mode) that {@link PromptTemplates} renders,
 * and a user message is read back with {@link PromptTemplates#parse}. Template choice and the inputs each
 * template accepts are therefore exactly those of inference; an example the templates cannot express (terms and
 * context together, or a formatted example with a non-Chinese target under the official templates) is rejected
 * with {@link IllegalArgumentException} instead of silently losing part of it.
 */
public final class TemplatePromptCodec implements PromptCodec {
    /** The {@code format} value given to examples read back from the formatted-translation template. */
    public static final String SN_TAGS_FORMAT = "sn-tags";

    private static final Pattern TARGET_TAGS = Pattern.compile("<target>(.*)</target>", Pattern.DOTALL);

    private final PromptTemplates templates;

    public TemplatePromptCodec(PromptTemplates templates) {
        this.templates = Objects.requireNonNull(templates, "templates");
    }

    /** The five official HY-MT1.5 templates. */
    public static TemplatePromptCodec official() {
        return new TemplatePromptCodec(PromptTemplates.official());
    }

    @Override
    public String render(ParallelExample example) {
        return templates.render(toRequest(example));
    }

    /** The target, wrapped in {@code <target>} when the formatted template is used, as that template asks. */
    @Override
    public String renderResponse(ParallelExample example) {
        boolean formatted = templates.choose(toRequest(example)) == TemplateKind.FORMATTED;
        return formatted ? "<target>" + example.target() + "</target>" : example.target();
    }

    @Override
    public Optional<ParallelExample> parse(String userContent, String assistantContent) {
        return templates.parse(userContent).map(request -> toExample(request, assistantContent));
    }

    /** The request that asks for {@code example}'s translation; an unknown source language counts as not given. */
    public static TranslationRequest toRequest(ParallelExample example) {
        if (example.tgtLang() == null) {
            throw new IllegalArgumentException("cannot render a prompt without a target language: " + example.source());
        }
        return new TranslationRequest(example.source(), Language.fromCode(example.tgtLang()),
                Language.findByCode(example.srcLang()).orElse(null),
                example.terms().stream().map(t -> new GlossaryEntry(t.source(), t.target())).toList(),
                example.context(), example.format() != null, null);
    }

    /** The example of a parsed request and the assistant's answer, unwrapped from {@code <target>} if formatted. */
    public static ParallelExample toExample(TranslationRequest request, String assistantContent) {
        String target = assistantContent;
        if (request.formatted()) {
            Matcher m = TARGET_TAGS.matcher(assistantContent.strip());
            if (m.matches()) target = m.group(1);
        }
        return new ParallelExample(request.sourceText(), target,
                request.source() == null ? null : request.source().code(), request.target().code(),
                request.glossary().stream().map(g -> new ParallelExample.Term(g.sourceTerm(), g.targetTerm())).toList(),
                request.context(), request.formatted() ? SN_TAGS_FORMAT : null);
    }
}
