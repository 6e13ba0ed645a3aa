package dev.hymt4j.cli;

import dev.hymt4j.data.DuplicateRule;
import dev.hymt4j.data.LanguageIdRule;
import dev.hymt4j.data.PrepareOptions;
import dev.hymt4j.data.TokenizerTokenCounter;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options of {@code hymt prepare} that set its rules, languages and split (everything but where the data is),
 * as a picocli mixin shared by {@code hymt prepare} and the Spark job's {@code prepare}, so both take the same
 * options with the same defaults. Serializable: the Spark job ships it to its executors, which each build the
 * {@link PrepareOptions} (and load the {@code --tokenizer}) themselves.
 */
public final class PrepareRuleOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    @Option(names = "--disable", split = ",", paramLabel = "NAME", description = "Rules or transformations to switch off.")
    List<String> disable = new ArrayList<>();

    @Option(names = "--enable", split = ",", paramLabel = "NAME", description = "Rules or transformations to switch on, e.g. lowercase.")
    List<String> enable = new ArrayList<>();

    @Option(names = "--src-lang", description = "Source language of records that do not name one.")
    String srcLang;

    @Option(names = "--tgt-lang", description = "Target language of records that do not name one.")
    String tgtLang;

    @Reads(Reads.Kind.FILE_OR_DIRECTORY)
    @Option(names = "--tokenizer", paramLabel = "PATH",
            description = "Count tokens for --min-tokens/--max-tokens with this tokenizer (a tokenizer.json, a .tiktoken file"
                    + " or a model directory) instead of the built-in estimate.")
    String tokenizer;

    @Bounds(min = 0)
    @Option(names = "--min-tokens", defaultValue = "1", description = "Shortest side kept, in tokens (default ${DEFAULT-VALUE}).")
    int minTokens;

    @Bounds(min = 1)
    @Option(names = "--max-tokens", defaultValue = "128", description = "Longest side kept, in tokens (default ${DEFAULT-VALUE}).")
    int maxTokens;

    @Bounds(min = 1)
    @Option(names = "--max-ratio", defaultValue = "3.0",
            description = "Largest script-weighted length ratio between the sides (default ${DEFAULT-VALUE}).")
    double maxRatio;

    @Bounds(min = 0)
    @Option(names = "--ratio-min-length", defaultValue = "20",
            description = "The ratio rule applies once the longer side weighs this many characters (default ${DEFAULT-VALUE}).")
    double ratioMinLength;

    @Option(names = "--dedup-key", defaultValue = "pair",
            description = "What must repeat to be a duplicate: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    DuplicateRule.Key dedupKey;

    @Option(names = "--langid-accuracy", defaultValue = "low",
            description = "Language identifier mode: low (fast, ~80 MB) or high (~1.5 GB heap) (default ${DEFAULT-VALUE}).")
    LanguageIdRule.Accuracy langIdAccuracy;

    @Bounds(min = 0)
    @Option(names = "--langid-min-letters", defaultValue = "40",
            description = "Sides with fewer letters are not language-checked (default ${DEFAULT-VALUE}).")
    int langIdMinLetters;

    @Bounds(min = 0, max = 1)
    @Option(names = "--split", split = ",", paramLabel = "TRAIN,VALID,TEST",
            description = "Split fractions (default 0.9,0.05,0.05).")
    List<Double> split;

    @Bounds(min = 0)
    @Option(names = "--valid-size", paramLabel = "N", description = "Fixed number of valid sources instead of --split.")
    Integer validSize;

    @Bounds(min = 0)
    @Option(names = "--test-size", paramLabel = "N", description = "Fixed number of test sources instead of --split.")
    Integer testSize;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the split (default ${DEFAULT-VALUE}).")
    long seed;

    /** The command this mixin is part of, for usage errors; not shipped (option checks run where it was parsed). */
    @Spec(Spec.Target.MIXEE)
    transient CommandLine.Model.CommandSpec mixee;

    /** The help lines that name the rules and transformations, in run order, each switched-off one marked. */
    public static String[] ruleHelp() {
        return new String[] {"Rules: " + describe(PrepareOptions.RULES) + ".",
                "Transformations: " + describe(PrepareOptions.TRANSFORMATIONS) + "."};
    }

    private static String describe(List<String> names) {
        return names.stream()
                .map(name -> PrepareOptions.OFF_BY_DEFAULT.contains(name) ? name + " (off by default)" : name)
                .collect(Collectors.joining(", "));
    }

    /** The settings these options give; loads the {@code --tokenizer} if one is named. */
    public PrepareOptions toOptions() throws IOException {
        PrepareOptions options = new PrepareOptions()
                .disable(disable).enable(enable)
                // Checked where the options were parsed, as usage errors naming the option.
                .defaultLanguages(mixee == null ? srcLang : LanguageOptions.code(mixee, "--src-lang", srcLang),
                        mixee == null ? tgtLang : LanguageOptions.code(mixee, "--tgt-lang", tgtLang))
                .tokenLimits(minTokens, maxTokens)
                .lengthRatio(maxRatio, ratioMinLength)
                .duplicateKey(dedupKey)
                .languageId(langIdAccuracy, langIdMinLetters)
                .seed(seed);
        if (tokenizer != null) options.tokenCounter(TokenizerTokenCounter.load(Path.of(tokenizer)));
        if (validSize != null || testSize != null) {
            if (split != null) throw usage("use either --split or --valid-size/--test-size");
            options.splitSizes(validSize == null ? 0 : validSize, testSize == null ? 0 : testSize);
        } else if (split != null) {
            if (split.size() != 3) throw usage("--split needs three fractions: TRAIN,VALID,TEST");
            options.splitRatios(split.get(0), split.get(1), split.get(2));
        }
        return options;
    }

    private RuntimeException usage(String message) {
        return mixee == null ? new IllegalArgumentException(message) : new CommandLine.ParameterException(mixee.commandLine(), message);
    }
}
