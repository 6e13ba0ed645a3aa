package dev.hymt4j.spark;

import dev.hymt4j.cli.Bounds;
import dev.hymt4j.cli.Hymt;
import dev.hymt4j.cli.PrepareRuleOptions;
import dev.hymt4j.cli.Reads;
import dev.hymt4j.cli.TranslationOptions;
import dev.hymt4j.cli.Writes;
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
        subcommands = {HymtSpark.Prepare.class, HymtSpark.Translate.class, CommandLine.HelpCommand.class})
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
        // Spark wraps an executor's failure; the user's error is the cause inside.
        return Hymt.configure(new CommandLine(new HymtSpark()), SparkErrors::userFault);
    }

    static SparkSession session(String appName) {
        return SparkSession.builder().appName(appName).getOrCreate();
    }

    @Command(name = "prepare", mixinStandardHelpOptions = true,
            description = "hymt prepare on Spark: clean parallel data and split it into DIR/train, valid, test (JSONL part files),"
                    + " with DIR/rejects (every dropped line and why) and DIR/summary.json.")
    static final class Prepare implements Callable<Integer> {
        @Reads(Reads.Kind.FILE_OR_DIRECTORY)
        @Parameters(arity = "1..*", paramLabel = "IN",
                description = "Input files, directories or globs on any Hadoop file system: .jsonl, .tsv, .json (sharegpt), .parquet, optionally .gz.")
        List<String> inputs = new ArrayList<>();

        @Writes(Writes.Kind.DIRECTORY)
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

    @Command(name = "translate", mixinStandardHelpOptions = true,
            description = "hymt translate --in/--out on Spark: every line of a text file, or a field of every JSONL line, or a"
                    + " Parquet column, translated with the official prompts; one model load per executor.")
    static final class Translate implements Callable<Integer> {
        @Reads(Reads.Kind.MODEL)
        @Option(names = "--model", required = true, paramLabel = "DIR|URI|REPO",
                description = "Model directory readable on every executor, an hdfs:// / s3a:// URI (each executor copies it"
                        + " once), a name shipped with --archives, or a hub repo id.")
        String model;

        @Reads(Reads.Kind.FILE_OR_DIRECTORY)
        @Option(names = "--in", required = true, paramLabel = "PATH",
                description = "A text file (one text per line), a .jsonl file (the --column field), or Parquet (the --column column).")
        String in;

        @Writes(Writes.Kind.DIRECTORY)
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (any Hadoop file system).")
        String out;

        @Option(names = "--column", defaultValue = "source", description = "JSONL field or Parquet column to translate (default ${DEFAULT-VALUE}).")
        String column;

        @Option(names = "--glossary-column", paramLabel = "NAME", description = "Per-row terms: an array of {source, target}.")
        String glossaryColumn;

        @Option(names = "--context-column", paramLabel = "NAME", description = "Per-row context text (context template).")
        String contextColumn;

        @Option(names = "--formatted-column", paramLabel = "NAME", description = "Per-row true/false: the text carries <sn> tags.")
        String formattedColumn;

        @Option(names = "--output-column", defaultValue = "translation", description = "Name of the added translation column (default ${DEFAULT-VALUE}).")
        String outputColumn;

        @Option(names = "--error-column", defaultValue = "error", description = "Name of the added error column (default ${DEFAULT-VALUE}).")
        String errorColumn;

        @Option(names = "--out-format", defaultValue = "text",
                description = "text (as hymt translate --out: one line per input row; failures in DIR/_errors), jsonl or parquet"
                        + " (input fields plus the translation and error columns) (default ${DEFAULT-VALUE}).")
        TranslateJob.OutputFormat outFormat;

        @Bounds(min = 1)
        @Option(names = "--partitions", paramLabel = "N", description = "Translation tasks (default: spark.default.parallelism).")
        Integer partitions;

        @Option(names = "--force", description = "Replace an existing non-empty output directory.")
        boolean force;

        @Mixin
        TranslationOptions translation;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            translation.checkLanguages();
            TranslateJob.Columns columns = TranslateJob.Columns.of(column).withGlossary(glossaryColumn).withContext(contextColumn)
                    .withFormatted(formattedColumn).withOutput(outputColumn, errorColumn);
            TranslateJob job = new TranslateJob(model, translation, translation.glossary(), columns);
            SparkSession spark = session("hymt translate");
            long start = System.nanoTime();
            long failed = job.write(spark, in, out, outFormat,
                    partitions != null ? partitions : spark.sparkContext().defaultParallelism(), force);
            double seconds = (System.nanoTime() - start) / 1e9;
            TranslateJob.Metrics m = job.metrics();
            var err = spec.commandLine().getErr();
            err.printf("%d rows translated, %d failed%s; %d prompt + %d generated tokens in %.1f s (%.1f generated tok/s)%n",
                    m.rows().value(), failed, failed == 0 ? "" : outFormat == TranslateJob.OutputFormat.TEXT ? " (see " + out + "/_errors)" : " (see the " + errorColumn + " column)",
                    m.promptTokens().value(), m.generatedTokens().value(), seconds, m.generatedTokens().value() / seconds);
            err.flush();
            return 0;
        }
    }
}
