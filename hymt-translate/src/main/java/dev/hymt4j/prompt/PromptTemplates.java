package dev.hymt4j.prompt;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a {@link TranslationRequest} into the text of the single user message (spec §6).
 *
 * <p>Template choice, unless the request forces one: formatted text → {@link TemplateKind#FORMATTED};
 * a glossary → {@link TemplateKind#TERMINOLOGY}; context → {@link TemplateKind#CONTEXT}; otherwise
 * {@link TemplateKind#ZH_XX} when the source or the target is on the "Chinese side", else
 * {@link TemplateKind#XX_XX}. With an unknown source only the target decides (the README itself uses the
 * English template for EN→ZH, so both work). The official templates each take one kind of extra input, so a
 * glossary together with context is rejected rather than silently dropping one of them.
 *
 * <p>Which languages are on the Chinese side is not specified for zh-Hant and yue (spec §6.2 [U]); the default
 * counts {@code zh}, {@code zh-Hant} and {@code yue}, {@link #withChineseSide} changes it.
 *
 * <p>Templates are plain strings with {@code {name}} placeholders and can be replaced with
 * {@link #withTemplate}. Placeholders: {@code {target_language}} (the name §6.2 prescribes for the template
 * kind), {@code {target_language_en}}, {@code {target_language_zh}}, {@code {source_text}},
 * {@code {src_text_with_format}} (the same text, the formatted template's spelling), {@code {context}},
 * {@code {source_term}} and {@code {target_term}}. Each line that holds {@code {source_term}} is written once
 * per glossary entry, so the official terminology template renders several terms as several
 * {@code {source_term} 翻译成 {target_term}} lines. Substitution is a single pass: braces inside the
 * user's text are never expanded.
 *
 * <p>{@link #parse} goes the other way, from a rendered user message back to the request, e.g. to read
 * LLaMA-Factory training data.
 */
public record PromptTemplates(Map<TemplateKind, String> templates, Set<Language> chineseSide) {

    // Verbatim from the official README (spec §6.1), generated from the spec file's bytes.
    public static final String ZH_XX =
            "将以下文本翻译为{target_language}，注意只需要输出翻译后的结果，不要额外解释：\n\n{source_text}";
    public static final String XX_XX =
            "Translate the following segment into {target_language}, without additional explanation.\n\n{source_text}";
    public static final String TERMINOLOGY =
            "参考下面的翻译：\n{source_term} 翻译成 {target_term}\n\n将以下文本翻译为{target_language}，注意只需要输出翻译后的结果，不要额外解释：\n{source_text}";
    public static final String CONTEXT =
            "{context}\n参考上面的信息，把下面的文本翻译成{target_language}，注意不需要翻译上文，也不要额外解释：\n{source_text}";
    public static final String FORMATTED =
            "将以下<source></source>之间的文本翻译为中文，注意只需要输出翻译后的结果，不要额外解释，原文中的<sn></sn>标签表示标签内文本包含格式信息，需要在译文中相应的位置尽量保留该标签。输出格式为：<target>str</target>\n\n<source>{src_text_with_format}</source>";

    /**
     * The context template with the trailing newline the README code block shows after {@code {source_text}};
     * whether it belongs to the prompt is unknown (spec §6.1 [U]), the official default omits it.
     */
    public static final String CONTEXT_WITH_TRAILING_NEWLINE = CONTEXT + "\n";

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_]+)}");

    public PromptTemplates {
        templates = Map.copyOf(templates);
        chineseSide = Set.copyOf(chineseSide);
        for (TemplateKind kind : TemplateKind.values()) {
            if (!templates.containsKey(kind)) throw new IllegalArgumentException("no template for " + kind);
            checkPlaceholders(kind, templates.get(kind));
        }
    }

    /** The five README templates; zh, zh-Hant and yue count as Chinese. */
    public static PromptTemplates official() {
        Map<TemplateKind, String> templates = new EnumMap<>(TemplateKind.class);
        templates.put(TemplateKind.ZH_XX, ZH_XX);
        templates.put(TemplateKind.XX_XX, XX_XX);
        templates.put(TemplateKind.TERMINOLOGY, TERMINOLOGY);
        templates.put(TemplateKind.CONTEXT, CONTEXT);
        templates.put(TemplateKind.FORMATTED, FORMATTED);
        return new PromptTemplates(templates, Set.of(Language.ZH, Language.ZH_HANT, Language.YUE));
    }

    public String template(TemplateKind kind) {
        return templates.get(kind);
    }

    /** A copy with one template replaced; it must keep the placeholders its kind needs. */
    public PromptTemplates withTemplate(TemplateKind kind, String template) {
        Map<TemplateKind, String> copy = new EnumMap<>(templates);
        copy.put(kind, Objects.requireNonNull(template, "template"));
        return new PromptTemplates(copy, chineseSide);
    }

    /** A copy where exactly these languages select the Chinese (ZH⇄XX) template. */
    public PromptTemplates withChineseSide(Set<Language> languages) {
        return new PromptTemplates(templates, languages);
    }

    /** The template the request gets: its forced one, or the automatic choice of the class comment. */
    public TemplateKind choose(TranslationRequest request) {
        boolean hasGlossary = !request.glossary().isEmpty();
        if (hasGlossary && request.hasContext()) {
            throw new IllegalArgumentException("A glossary and context cannot be combined: each official template"
                    + " takes only one of them. Use a glossary or context, or force a custom template.");
        }
        if (request.formatted() && (hasGlossary || request.hasContext())) {
            throw new IllegalArgumentException(
                    "The formatted template takes neither a glossary nor context; drop them or the formatted mode.");
        }
        if (request.template() != null) return request.template();
        if (request.formatted()) return TemplateKind.FORMATTED;
        if (hasGlossary) return TemplateKind.TERMINOLOGY;
        if (request.hasContext()) return TemplateKind.CONTEXT;
        boolean chinese = chineseSide.contains(request.target())
                || (request.source() != null && chineseSide.contains(request.source()));
        return chinese ? TemplateKind.ZH_XX : TemplateKind.XX_XX;
    }

    /** The user-message text for the request. */
    public String render(TranslationRequest request) {
        TemplateKind kind = choose(request);
        String template = templates.get(kind);
        checkInputsFor(kind, template, request);
        String expanded = expandGlossaryLines(template, request.glossary());
        Map<String, String> values = Map.of(
                "target_language", kind.languageName(request.target()),
                "target_language_en", request.target().englishName(),
                "target_language_zh", request.target().chineseName(),
                "source_text", request.sourceText(),
                "src_text_with_format", request.sourceText(),
                "context", request.hasContext() ? request.context() : "");
        return fill(expanded, values);
    }

    /**
     * Parse order: the templates anchored by their own opening text first, the context template (which opens with
     * the caller's text) last, so a plain prompt whose text happens to contain the context instruction stays plain.
     */
    private static final List<TemplateKind> PARSE_ORDER = List.of(
            TemplateKind.FORMATTED, TemplateKind.TERMINOLOGY, TemplateKind.ZH_XX, TemplateKind.XX_XX, TemplateKind.CONTEXT);

    /**
     * The inverse of {@link #render}: the request that renders to {@code userMessage} with these templates, or empty
     * if the message follows none of them.
     *
     * <p>The result names the template it matched ({@link TranslationRequest#template()}), so rendering it gives
     * {@code userMessage} back exactly; its source language is {@code null} (no template names it). Language names
     * are resolved with {@link Language#findByName}, so the English and the Chinese name are accepted in every
     * template; a name outside the table, or placeholders naming different languages, mean no match. A template
     * without a language placeholder yields Chinese for {@link TemplateKind#FORMATTED} (the official template
     * hard-codes 中文) and no match otherwise. Ambiguity is inherent where the caller's text itself contains
     * template text; then the first template of the order FORMATTED, TERMINOLOGY, ZH_XX, XX_XX, CONTEXT wins.
     */
    public Optional<TranslationRequest> parse(String userMessage) {
        Objects.requireNonNull(userMessage, "userMessage");
        for (TemplateKind kind : PARSE_ORDER) {
            Optional<TranslationRequest> request = parse(kind, userMessage);
            if (request.isPresent()) return request;
        }
        return Optional.empty();
    }

    private Optional<TranslationRequest> parse(TemplateKind kind, String userMessage) {
        TemplatePattern pattern = TemplatePattern.of(templates.get(kind));
        Map<String, String> values = pattern.match(userMessage).orElse(null);
        if (values == null) return Optional.empty();
        Language named = null;
        List<GlossaryEntry> glossary = List.of();
        for (Map.Entry<String, String> value : values.entrySet()) {
            String name = value.getKey();
            if (TemplatePattern.isGlossary(name)) {
                glossary = pattern.glossary(value.getValue()).orElse(null);
                if (glossary == null) return Optional.empty();
            } else if (name.startsWith("target_language")) {
                Language language = Language.findByName(value.getValue()).orElse(null);
                if (language == null || (named != null && named != language)) return Optional.empty();
                named = language;
            }
        }
        Language target = named != null ? named : kind == TemplateKind.FORMATTED ? Language.ZH : null;
        if (target == null) return Optional.empty();
        String text = values.containsKey("source_text") ? values.get("source_text") : values.get("src_text_with_format");
        String context = values.get("context");
        if (kind == TemplateKind.CONTEXT && (context == null || context.isEmpty())) return Optional.empty();
        return Optional.of(new TranslationRequest(text, target, null, glossary, context,
                kind == TemplateKind.FORMATTED, kind));
    }

    private static void checkInputsFor(TemplateKind kind, String template, TranslationRequest request) {
        switch (kind) {
            case TERMINOLOGY -> {
                if (request.glossary().isEmpty()) {
                    throw new IllegalArgumentException("The terminology template needs at least one glossary entry.");
                }
            }
            case CONTEXT -> {
                if (!request.hasContext()) throw new IllegalArgumentException("The context template needs context text.");
            }
            case FORMATTED -> {
                // The official formatted template hard-codes 中文 (spec §6.1): any other target would be ignored.
                if (!template.contains("{target_language") && request.target() != Language.ZH) {
                    throw new IllegalArgumentException("The official formatted template only translates into Chinese (zh),"
                            + " not " + request.target().code() + "; supply a formatted template containing"
                            + " {target_language} to use other targets.");
                }
            }
            case ZH_XX, XX_XX -> {
                if (!request.glossary().isEmpty() || request.hasContext()) {
                    throw new IllegalArgumentException("Template " + kind + " has no place for a glossary or context;"
                            + " they would be dropped.");
                }
            }
        }
    }

    private static String expandGlossaryLines(String template, List<GlossaryEntry> glossary) {
        if (!template.contains("{source_term}")) return template;
        List<String> lines = new ArrayList<>();
        for (String line : template.split("\n", -1)) {
            if (!line.contains("{source_term}")) {
                lines.add(line);
                continue;
            }
            for (GlossaryEntry entry : glossary) {
                lines.add(fill(line, Map.of("source_term", entry.sourceTerm(), "target_term", entry.targetTerm())));
            }
        }
        return String.join("\n", lines);
    }

    // One pass over the template: a value is never scanned again, so braces in user text stay as they are.
    private static String fill(String template, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder(template.length() + 64);
        while (m.find()) {
            String value = values.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static void checkPlaceholders(TemplateKind kind, String template) {
        for (String placeholder : kind.requiredPlaceholders()) {
            if (!template.contains(placeholder)) {
                throw new IllegalArgumentException("The " + kind + " template must contain " + placeholder + ": " + template);
            }
        }
        if (kind == TemplateKind.TERMINOLOGY) {
            for (String line : template.split("\n", -1)) {
                if (line.contains("{source_term}") != line.contains("{target_term}")) {
                    throw new IllegalArgumentException("In the TERMINOLOGY template {source_term} and {target_term}"
                            + " must share a line (it is repeated per glossary entry): " + line);
                }
            }
        }
    }
}
