package dev.hymt4j.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The five published HY-MT1.5 prompt templates (model spec §6.1), character for character, in both directions.
 * Choice when rendering: terms → terminology template; context → contextual; a {@code format} → formatted
 * (Chinese target only, as published); otherwise the Chinese instruction when either side is Chinese, else the
 * English one.
 */
public final class HyMtPromptTemplates implements PromptCodec {

    private static final String ZH_INSTRUCTION = "将以下文本翻译为%s，注意只需要输出翻译后的结果，不要额外解释：";
    private static final String XX_INSTRUCTION = "Translate the following segment into %s, without additional explanation.";
    private static final String TERMS_HEADER = "参考下面的翻译：";
    private static final String TERM_JOINER = " 翻译成 ";
    private static final String CONTEXT_INSTRUCTION = "参考上面的信息，把下面的文本翻译成%s，注意不需要翻译上文，也不要额外解释：";
    private static final String FORMAT_INSTRUCTION = "将以下<source></source>之间的文本翻译为中文，注意只需要输出翻译后的结果，不要额外解释，"
            + "原文中的<sn></sn>标签表示标签内文本包含格式信息，需要在译文中相应的位置尽量保留该标签。输出格式为：<target>str</target>";
    /** The {@code format} value given to examples read back from the formatted-translation template. */
    public static final String SN_TAGS_FORMAT = "sn-tags";

    private static final String LANG = "([^，,\\n]+?)";
    private static final Pattern ZH_PROMPT = Pattern.compile(
            "将以下文本翻译为" + LANG + "，注意只需要输出翻译后的结果，不要额外解释：\\n\\n(.*)", Pattern.DOTALL);
    private static final Pattern XX_PROMPT = Pattern.compile(
            "Translate the following segment into " + LANG + ", without additional explanation\\.\\n\\n(.*)", Pattern.DOTALL);
    private static final Pattern TERMS_PROMPT = Pattern.compile(
            "参考下面的翻译：\\n(.*?)\\n\\n将以下文本翻译为" + LANG + "，注意只需要输出翻译后的结果，不要额外解释：\\n(.*)", Pattern.DOTALL);
    private static final Pattern CONTEXT_PROMPT = Pattern.compile(
            "(.*)\\n参考上面的信息，把下面的文本翻译成" + LANG + "，注意不需要翻译上文，也不要额外解释：\\n(.*)", Pattern.DOTALL);
    private static final Pattern FORMAT_PROMPT = Pattern.compile(
            Pattern.quote(FORMAT_INSTRUCTION) + "\\n\\n<source>(.*)</source>", Pattern.DOTALL);
    private static final Pattern TARGET_TAGS = Pattern.compile("<target>(.*)</target>", Pattern.DOTALL);

    @Override
    public String render(ParallelExample ex) {
        if (ex.tgtLang() == null) throw new IllegalArgumentException("cannot render a prompt without a target language: " + ex.source());
        HyMtLanguages.Language target = HyMtLanguages.byCode(ex.tgtLang());
        if (!ex.terms().isEmpty()) {
            StringBuilder sb = new StringBuilder(TERMS_HEADER).append('\n');
            for (ParallelExample.Term t : ex.terms()) sb.append(t.source()).append(TERM_JOINER).append(t.target()).append('\n');
            return sb.append('\n').append(ZH_INSTRUCTION.formatted(target.chineseName())).append('\n').append(ex.source()).toString();
        }
        if (ex.context() != null && !ex.context().isEmpty()) {
            return ex.context() + "\n" + CONTEXT_INSTRUCTION.formatted(target.chineseName()) + "\n" + ex.source();
        }
        if (ex.format() != null && target.code().equals("zh")) {
            return FORMAT_INSTRUCTION + "\n\n<source>" + ex.source() + "</source>";
        }
        if (HyMtLanguages.isChinese(ex.srcLang()) || HyMtLanguages.isChinese(ex.tgtLang())) {
            return ZH_INSTRUCTION.formatted(target.chineseName()) + "\n\n" + ex.source();
        }
        return XX_INSTRUCTION.formatted(target.englishName()) + "\n\n" + ex.source();
    }

    /** The target, wrapped in {@code <target>} when the formatted template is used, as that template asks. */
    @Override
    public String renderResponse(ParallelExample ex) {
        boolean formatted = ex.format() != null && ex.terms().isEmpty() && (ex.context() == null || ex.context().isEmpty())
                && ex.tgtLang() != null && HyMtLanguages.byCode(ex.tgtLang()).code().equals("zh");
        return formatted ? "<target>" + ex.target() + "</target>" : ex.target();
    }

    @Override
    public Optional<ParallelExample> parse(String user, String assistant) {
        Matcher m;
        // Most specific first: the terms and context prompts embed the plain Chinese instruction.
        if ((m = TERMS_PROMPT.matcher(user)).matches()) {
            List<ParallelExample.Term> terms = parseTerms(m.group(1));
            String lang = languageCode(m.group(2));
            if (terms != null && lang != null) {
                return Optional.of(new ParallelExample(m.group(3), assistant, null, lang, terms, null, null));
            }
        }
        if ((m = CONTEXT_PROMPT.matcher(user)).matches() && languageCode(m.group(2)) != null) {
            return Optional.of(new ParallelExample(m.group(3), assistant, null, languageCode(m.group(2)), List.of(), m.group(1), null));
        }
        if ((m = FORMAT_PROMPT.matcher(user)).matches()) {
            Matcher t = TARGET_TAGS.matcher(assistant.strip());
            String target = t.matches() ? t.group(1) : assistant;
            return Optional.of(new ParallelExample(m.group(1), target, null, "zh", List.of(), null, SN_TAGS_FORMAT));
        }
        for (Pattern p : List.of(ZH_PROMPT, XX_PROMPT)) {
            if ((m = p.matcher(user)).matches() && languageCode(m.group(1)) != null) {
                return Optional.of(ParallelExample.of(m.group(2), assistant, null, languageCode(m.group(1))));
            }
        }
        return Optional.empty();
    }

    private static String languageCode(String name) {
        HyMtLanguages.Language lang = HyMtLanguages.byName(name);
        return lang == null ? null : lang.code();
    }

    /** One {@code source 翻译成 target} per line; null if any line is not a term. */
    private static List<ParallelExample.Term> parseTerms(String block) {
        List<ParallelExample.Term> terms = new ArrayList<>();
        for (String line : block.split("\n")) {
            int at = line.indexOf(TERM_JOINER);
            if (at < 0) return null;
            terms.add(new ParallelExample.Term(line.substring(0, at), line.substring(at + TERM_JOINER.length())));
        }
        return terms;
    }
}
