package dev.hymt4j.data;

import dev.hymt4j.prompt.Language;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Settings of {@link Preparer}; every field has a default that suits translation fine-tuning data. */
public final class PrepareOptions {
    /** Transformations in the order they run; all run before any rule. */
    public static final List<String> TRANSFORMATIONS = List.of("whitespace", "punctuation-width", "lowercase");
    /** Rules in the order they run: cheap and certain first, the stateful deduplication last. */
    public static final List<String> RULES = List.of("empty", "control-chars", "mojibake", "untranslated", "length",
            "ratio", "script", "language", "duplicate", "near-duplicate");
    /** Steps that exist but only run when enabled. */
    public static final Set<String> OFF_BY_DEFAULT = Set.of("lowercase");

    private final Set<String> enabled = new LinkedHashSet<>();
    private final Set<String> disabled = new LinkedHashSet<>();
    TokenCounter tokenCounter = new ApproximateTokenCounter();
    int minTokens = 1;
    int maxTokens = 128;
    double maxLengthRatio = 3.0;
    double ratioMinLength = 20;
    DuplicateRule.Key duplicateKey = DuplicateRule.Key.PAIR;
    LanguageIdRule.Accuracy languageIdAccuracy = LanguageIdRule.Accuracy.LOW;
    int languageIdMinLetters = 40;
    double[] splitRatios = {0.9, 0.05, 0.05};
    Integer validSize;
    Integer testSize;
    long seed = 42;
    String defaultSrcLang;
    String defaultTgtLang;
    DataFormat format;
    PromptCodec prompts = TemplatePromptCodec.official();

    /** Switches on named rules or transformations (e.g. {@code lowercase}). */
    public PrepareOptions enable(List<String> names) {
        return move(names, enabled, disabled);
    }

    /** Switches off named rules or transformations (e.g. {@code language}, {@code punctuation-width}). */
    public PrepareOptions disable(List<String> names) {
        return move(names, disabled, enabled);
    }

    /** The last word wins: a name switched one way leaves the set of the other. */
    private PrepareOptions move(List<String> names, Set<String> to, Set<String> from) {
        for (String name : names) {
            checkName(name);
            to.add(name);
            from.remove(name);
        }
        return this;
    }

    public boolean isEnabled(String name) {
        return enabled.contains(name) || (!disabled.contains(name) && !OFF_BY_DEFAULT.contains(name));
    }

    private static void checkName(String name) {
        if (!RULES.contains(name) && !TRANSFORMATIONS.contains(name)) {
            throw new IllegalArgumentException("unknown rule \"" + name + "\"; rules: " + String.join(", ", RULES)
                    + "; transformations: " + String.join(", ", TRANSFORMATIONS));
        }
    }

    public PrepareOptions tokenCounter(TokenCounter counter) { this.tokenCounter = counter; return this; }

    public PrepareOptions tokenLimits(int min, int max) { this.minTokens = min; this.maxTokens = max; return this; }

    /** Longer/shorter script-weighted length above {@code max} is dropped once the longer side weighs {@code minLength}. */
    public PrepareOptions lengthRatio(double max, double minLength) { this.maxLengthRatio = max; this.ratioMinLength = minLength; return this; }

    public PrepareOptions duplicateKey(DuplicateRule.Key key) { this.duplicateKey = key; return this; }

    public PrepareOptions languageId(LanguageIdRule.Accuracy accuracy, int minLetters) {
        this.languageIdAccuracy = accuracy;
        this.languageIdMinLetters = minLetters;
        return this;
    }

    /** Train/valid/test fractions; they must sum to 1. */
    public PrepareOptions splitRatios(double train, double valid, double test) {
        // Written so that NaN fails: every comparison with NaN is false.
        if (!(train >= 0 && valid >= 0 && test >= 0 && Math.abs(train + valid + test - 1) <= 1e-6)) {
            throw new IllegalArgumentException("split ratios must be non-negative and sum to 1, got " + train + "," + valid + "," + test);
        }
        this.splitRatios = new double[] {train, valid, test};
        this.validSize = null;
        this.testSize = null;
        return this;
    }

    /** Fixed valid and test sizes (in distinct sources); everything else goes to train. */
    public PrepareOptions splitSizes(int valid, int test) {
        if (valid < 0 || test < 0) throw new IllegalArgumentException("split sizes must be non-negative");
        this.validSize = valid;
        this.testSize = test;
        return this;
    }

    public PrepareOptions seed(long seed) { this.seed = seed; return this; }

    /** Languages for input records that do not name their own ({@code src_lang}/{@code tgt_lang}). */
    public PrepareOptions defaultLanguages(String src, String tgt) {
        if (src != null) Language.fromCode(src);
        if (tgt != null) Language.fromCode(tgt);
        this.defaultSrcLang = src;
        this.defaultTgtLang = tgt;
        return this;
    }

    /** Reads every input as {@code format} instead of guessing from the file name; null to guess. */
    public PrepareOptions format(DataFormat format) { this.format = format; return this; }

    public PrepareOptions prompts(PromptCodec prompts) { this.prompts = prompts; return this; }
}
