package dev.hymt4j.spark;

import dev.hymt4j.cli.Hymt;
import dev.hymt4j.cli.PrepareRuleOptions;
import dev.hymt4j.data.PrepareSummary;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code spark-submit} entry point: {@code prepare} and {@code translate}, with the options of
 * {@code hymt prepare} and {@code hymt translate --in/--out} (the same picocli mixins), paths on any Hadoop file system.
 */
@Command(name = "hymt-spark", mixinStandardHelpOptions = true, version = "hymt4j 0.1.0",
        description = "hymt prepare and hymt translate --in/--out as Apache Spark jobs (spark-submit --class dev.hymt4j.spark.HymtSpark).",
        subcommands = {HymtSpark.Prepare.class, CommandLine.HelpCommand.class})
public final class HymtSpark implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        int code;
        try {
            code = newCommandLine().execute(args);
        } finally {
            SparkSession.getActiveSession().foreach(s -> { s.stop(); return null; });
        }
        System.exit(code);
    }

    /** The configured command line; tests run it in-process against their own session. */
    public static CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new HymtSpark());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // User-facing faults print one clear line; Spark wraps executor failures, so unwrap to the cause.
            cmd.getErr().println("hymt-spark " + cmd.getCommandName() + ": " + Hymt.describe(SparkErrors.userFault(ex)));
            if (System.getenv("HYMT_DEBUG") != null) ex.printStackTrace(cmd.getErr());
            return 1;
        });
        return cl;
    }

    static SparkSession session(String appName) {
        return SparkSession.builder().appName(appName).getOrCreate();
    }

    @Command(name = "prepare", mixinStandardHelpOptions = true,
            description = "hymt prepare on Spark: clean parallel data and split it into DIR/train, valid, test (JSONL part files),"
                    + " with DIR/rejects (every dropped line and why) and DIR/summary.json.")
    static final class Prepare implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "IN",
                description = "Input files, directories or globs on any Hadoop file system: .jsonl, .tsv, .json (sharegpt), .parquet, optionally .gz.")
        List<String> inputs = new ArrayList<>();

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (any Hadoop file system).")
        String out;

        @Option(names = "--format", paramLabel = "FORMAT",
                description = "Read every input as jsonl, tsv, json (sharegpt) or parquet instead of guessing from its name.")
        String format;

        @Option(names = "--force", description = "Replace an existing non-empty output directory.")
        boolean force;

        @Mixin
        PrepareRuleOptions rules;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            rules.toOptions(); // option errors here, on the driver, before Spark starts work
            PrepareRuleOptions shipped = rules;
            PrepareSummary summary = new PrepareJob(shipped::toOptions)
                    .write(session("hymt prepare"), inputs, format, out, force);
            spec.commandLine().getOut().print(summary.toTable());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
