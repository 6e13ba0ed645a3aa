package dev.hymt4j.cli;

import dev.hymt4j.data.DataFormat;
import dev.hymt4j.data.DuplicateRule;
import dev.hymt4j.data.LanguageIdRule;
import dev.hymt4j.data.PrepareOptions;
import dev.hymt4j.data.PrepareSummary;
import dev.hymt4j.data.Preparer;
import dev.hymt4j.data.TokenizerTokenCounter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hymt prepare IN... --out DIR}: clean parallel data and split it into train/valid/test JSONL. The rule and
 * transformation names of the help text come from {@link PrepareOptions} (see {@link #setSpec}).
 */
@Command(name = "prepare", mixinStandardHelpOptions = true,
        description = {PrepareCommand.DESCRIPTION_1, PrepareCommand.DESCRIPTION_2})
public final class PrepareCommand implements Callable<Integer> {
    static final String DESCRIPTION_1 = "Clean parallel data and split it into DIR/train.jsonl, valid.jsonl, test.jsonl,";
    static final String DESCRIPTION_2 = "with rejects.jsonl (every dropped line and why) and summary.json.";

    @Reads(Reads.Kind.FILE)
    @Parameters(arity = "1..*", paramLabel = "IN", description = "Input files: .jsonl, .tsv, .json (sharegpt), optionally .gz.")
    List<Path> inputs;

    @Writes(value = Writes.Kind.FILES_IN_DIRECTORY,
            files = {"train.jsonl", "valid.jsonl", "test.jsonl", "rejects.jsonl", "summary.json"})
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;

    @CommandLine.Mixin
    ForceOption force;

    @Option(names = "--disable", split = ",", paramLabel = "NAME", description = "Rules or transformations to switch off.")
    List<String> disable = new ArrayList<>();

    @Option(names = "--enable", split = ",", paramLabel = "NAME", description = "Rules or transformations to switch on, e.g. lowercase.")
    List<String> enable = new ArrayList<>();

    @Option(names = "--format", description = "Read every input as this format instead of guessing from its name: ${COMPLETION-CANDIDATES}.")
    DataFormat format;

    @Option(names = "--src-lang", description = "Source language of records that do not name one.")
    String srcLang;

    @Option(names = "--tgt-lang", description = "Target language of records that do not name one.")
    String tgtLang;

    @Reads(Reads.Kind.FILE_OR_DIRECTORY)
    @Option(names = "--tokenizer", paramLabel = "PATH",
            description = "Count tokens for --min-tokens/--max-tokens with this tokenizer (a tokenizer.json, a .tiktoken file"
                    + " or a model directory) instead of the built-in estimate.")
    Path tokenizer;

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

    CommandLine.Model.CommandSpec spec;

    /** Picocli hands over the model while building it, before any help is printed: add the generated lines. */
    @CommandLine.Spec
    void setSpec(CommandLine.Model.CommandSpec spec) {
        this.spec = spec;
        spec.usageMessage().description(DESCRIPTION_1, DESCRIPTION_2,
                "Rules: " + describe(PrepareOptions.RULES) + ".",
                "Transformations: " + describe(PrepareOptions.TRANSFORMATIONS) + ".");
    }

    /** The names in run order, each switched-off one marked. */
    static String describe(List<String> names) {
        return names.stream()
                .map(name -> PrepareOptions.OFF_BY_DEFAULT.contains(name) ? name + " (off by default)" : name)
                .collect(Collectors.joining(", "));
    }

    @Override
    public Integer call() throws Exception {
        PrepareOptions options = new PrepareOptions()
                .disable(disable).enable(enable)
                .format(format)
                .defaultLanguages(LanguageOptions.code(spec, "--src-lang", srcLang), LanguageOptions.code(spec, "--tgt-lang", tgtLang))
                .tokenLimits(minTokens, maxTokens)
                .lengthRatio(maxRatio, ratioMinLength)
                .duplicateKey(dedupKey)
                .languageId(langIdAccuracy, langIdMinLetters)
                .seed(seed);
        if (tokenizer != null) options.tokenCounter(TokenizerTokenCounter.load(tokenizer));
        if (validSize != null || testSize != null) {
            if (split != null) throw new CommandLine.ParameterException(spec.commandLine(), "use either --split or --valid-size/--test-size");
            options.splitSizes(validSize == null ? 0 : validSize, testSize == null ? 0 : testSize);
        } else if (split != null) {
            if (split.size() != 3) throw new CommandLine.ParameterException(spec.commandLine(), "--split needs three fractions: TRAIN,VALID,TEST");
            options.splitRatios(split.get(0), split.get(1), split.get(2));
        }
        PrepareSummary summary = new Preparer(options).run(inputs, out);
        spec.commandLine().getOut().print(summary.toTable());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
