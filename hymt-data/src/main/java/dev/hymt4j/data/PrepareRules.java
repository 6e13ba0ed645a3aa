package dev.hymt4j.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rules of {@code hymt prepare} as functions of one record, so the local {@link Preparer} and the Spark job
 * ({@code hymt-spark}'s PrepareJob) run the same code and get the same result:
 * <ul>
 *   <li>{@link #clean}: default languages, the enabled transformations, then the per-row rules — everything but
 *       deduplication — on one record, with no state;</li>
 *   <li>{@link #exactDuplicates()} / {@link #nearDuplicates()}: the deduplication rules, whose {@link DuplicateRule#key}
 *       is the pure part (Preparer remembers keys in order; Spark groups on them);</li>
 *   <li>{@link #splitKey} and {@link #splitByRatio} / {@link #newFixedSizeSplitter}: the split assignment.</li>
 * </ul>
 * Deduplication is first-occurrence-wins in input order: a record is a duplicate when an earlier record that was
 * kept has the same key. Every other rule runs before it, so a record another rule drops never shadows a later copy.
 */
public final class PrepareRules {
    private final PrepareOptions options;
    private final List<Transformation> transformations = new ArrayList<>();
    private final List<CleaningRule> rowRules = new ArrayList<>();
    private final DuplicateRule exact;
    private final DuplicateRule near;

    public PrepareRules(PrepareOptions options) {
        this.options = options;
        for (String name : PrepareOptions.TRANSFORMATIONS) {
            if (options.isEnabled(name)) transformations.add(transformation(name));
        }
        DuplicateRule exactRule = null;
        DuplicateRule nearRule = null;
        for (String name : PrepareOptions.RULES) {
            if (!options.isEnabled(name)) continue;
            switch (name) {
                case "duplicate" -> exactRule = new DuplicateRule(false, options.duplicateKey);
                case "near-duplicate" -> nearRule = new DuplicateRule(true, options.duplicateKey);
                default -> rowRules.add(rule(name));
            }
        }
        this.exact = exactRule;
        this.near = nearRule;
    }

    private static Transformation transformation(String name) {
        return switch (name) {
            case "whitespace" -> new WhitespaceTransformation();
            case "punctuation-width" -> new PunctuationWidthTransformation();
            case "lowercase" -> new LowercaseTransformation();
            default -> throw new IllegalArgumentException(name);
        };
    }

    private CleaningRule rule(String name) {
        return switch (name) {
            case "empty" -> new EmptySideRule();
            case "control-chars" -> new ControlCharacterRule();
            case "mojibake" -> new MojibakeRule();
            case "untranslated" -> new UntranslatedRule();
            case "length" -> new TokenLengthRule(options.tokenCounter, options.minTokens, options.maxTokens);
            case "ratio" -> new LengthRatioRule(options.maxLengthRatio, options.ratioMinLength);
            case "script" -> new ScriptRule();
            case "language" -> new LanguageIdRule(options.languageIdAccuracy, options.languageIdMinLetters);
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Why a pair was dropped: the rule's name and its explanation. */
    public record Rejection(String rule, String detail) {}

    /**
     * One record after the per-row stage.
     *
     * @param example   the record with default languages filled in and the transformations applied
     * @param changedBy names of the transformations that changed it, in run order
     * @param rejection the first per-row rule that objects, or null when the record goes on to deduplication
     */
    public record Outcome(ParallelExample example, List<String> changedBy, Rejection rejection) {}

    /** The per-row stage of one record as read: default languages, transformations, every rule but deduplication. */
    public Outcome clean(ParallelExample read) {
        ParallelExample ex = read.withDefaultLanguages(options.defaultSrcLang, options.defaultTgtLang);
        List<String> changed = List.of();
        for (Transformation t : transformations) {
            ParallelExample next = t.apply(ex);
            if (next != ex) {
                if (changed.isEmpty()) changed = new ArrayList<>(transformations.size());
                changed.add(t.name());
            }
            ex = next;
        }
        for (CleaningRule rule : rowRules) {
            Optional<String> problem = rule.problem(ex);
            if (problem.isPresent()) return new Outcome(ex, changed, new Rejection(rule.name(), problem.get()));
        }
        return new Outcome(ex, changed, null);
    }

    /** The exact-repeat rule, or null when it is switched off. */
    public DuplicateRule exactDuplicates() {
        return exact;
    }

    /** The repeat-up-to-normalisation rule, or null when it is switched off. */
    public DuplicateRule nearDuplicates() {
        return near;
    }

    /** Names of the enabled transformations, in run order. */
    public List<String> transformationNames() {
        return transformations.stream().map(Transformation::name).toList();
    }

    /** Names of the enabled rules, in run order (deduplication last), as the summary lists them. */
    public List<String> ruleNames() {
        List<String> names = new ArrayList<>(rowRules.stream().map(CleaningRule::name).toList());
        if (exact != null) names.add(exact.name());
        if (near != null) names.add(near.name());
        return names;
    }

    /** An empty summary listing this configuration's transformations and rules. */
    public PrepareSummary newSummary() {
        return new PrepareSummary(transformationNames(), ruleNames());
    }

    /** The split key of a kept example under this configuration's seed ({@link Split#key}). */
    public long splitKey(ParallelExample ex) {
        return Split.key(ex, options.seed);
    }

    /** True when valid/test have fixed sizes ({@link #newFixedSizeSplitter}), false for ratios ({@link #splitByRatio}). */
    public boolean fixedSizeSplit() {
        return options.validSize != null;
    }

    /** Ratio mode: the split of a key. */
    public Split splitByRatio(long splitKey) {
        return Split.byRatio(splitKey, options.splitRatios);
    }

    /** Fixed-size mode: a splitter to offer every kept key to, then seal and route with. */
    public FixedSizeSplitter newFixedSizeSplitter() {
        return new FixedSizeSplitter(options.validSize, options.testSize);
    }
}
