package dev.hymt4j.cli;

import dev.hymt4j.data.DataFormat;
import dev.hymt4j.data.PrepareOptions;
import dev.hymt4j.data.PrepareSummary;
import dev.hymt4j.data.Preparer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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

    @Option(names = "--format", description = "Read every input as this format instead of guessing from its name: ${COMPLETION-CANDIDATES}.")
    DataFormat format;

    @CommandLine.Mixin
    PrepareRuleOptions rules;

    CommandLine.Model.CommandSpec spec;

    /** Picocli hands over the model while building it, before any help is printed: add the generated lines. */
    @CommandLine.Spec
    void setSpec(CommandLine.Model.CommandSpec spec) {
        this.spec = spec;
        List<String> lines = new ArrayList<>(List.of(DESCRIPTION_1, DESCRIPTION_2));
        lines.addAll(List.of(PrepareRuleOptions.ruleHelp()));
        spec.usageMessage().description(lines.toArray(String[]::new));
    }

    @Override
    public Integer call() throws Exception {
        PrepareOptions options = rules.toOptions().format(format);
        PrepareSummary summary = new Preparer(options).run(inputs, out);
        spec.commandLine().getOut().print(summary.toTable());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
