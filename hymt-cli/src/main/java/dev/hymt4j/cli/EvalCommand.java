package dev.hymt4j.cli;

import dev.hymt4j.eval.MetricSelection;
import dev.hymt4j.eval.MetricsReport;
import dev.hymt4j.eval.SegmentFile;
import dev.hymt4j.eval.TestSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import dev.hymt4j.data.ParallelExample;
import dev.hymt4j.generate.GenerationConfig;
import dev.hymt4j.hub.ModelLocator;
import dev.hymt4j.io.AtomicFile;
import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.tensor.Parallel;
import dev.hymt4j.train.TranslationEvaluation;
import dev.hymt4j.translate.Translator;
import dev.hymt4j.translate.TranslatorOptions;
import picocli.CommandLine.ParameterException;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.stream.Collectors;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code hymt eval}: sacreBLEU-compatible BLEU, chrF, chrF++ and TER of a hypothesis file against references. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Score hypotheses against one or more references with sacreBLEU-compatible metrics,",
                "or translate a test set with a model first (--model DIR --data FILE).",
                "Files are plain text (one segment per line) or JSONL with a field: FILE.jsonl:FIELD or --field."})
public final class EvalCommand implements Callable<Integer> {

    enum Format { table, json }

    @Spec
    CommandSpec spec;

    @Reads(Reads.Kind.SEGMENTS)
    @Option(names = "--hyp", paramLabel = "FILE", description = "Hypotheses (system output).")
    String hyp;

    @Reads(Reads.Kind.SEGMENTS)
    @Option(names = "--ref", paramLabel = "FILE",
            description = "References; repeat for several reference streams (a JSONL null = missing reference).")
    List<String> refs;

    @Reads(Reads.Kind.MODEL)
    @Option(names = "--model", paramLabel = "DIR|FILE.gguf|REPO",
            description = "Translate the sources of --data with this model (greedy, batched) and score the outputs.")
    String model;

    @Reads(Reads.Kind.DIRECTORY)
    @Option(names = "--adapter", paramLabel = "DIR", description = "A PEFT LoRA adapter applied on top of --model without merging.")
    Path adapter;

    @Option(names = "--nf4", description = "Run --model's projections in NF4, as a QLoRA training run did (see translate --nf4).")
    boolean nf4;

    @Reads(Reads.Kind.FILE)
    @Option(names = "--data", paramLabel = "FILE",
            description = "With --model: parallel data (JSONL source/target/tgt_lang, TSV or sharegpt).")
    Path data;

    @Bounds(min = 0)
    @Option(names = "--limit", defaultValue = "0", description = "With --model: only the first N examples (default: all).")
    int limit;

    @Bounds(min = 1)
    @Option(names = "--max-new-tokens", defaultValue = "256", description = "With --model: tokens per translation (default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Bounds(min = 1, max = 4096)
    @Option(names = "--batch-size", defaultValue = "8", description = "With --model: texts per batch (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Writes(Writes.Kind.FILE)
    @Option(names = "--hyp-out", paramLabel = "FILE", description = "With --model: also write the translations, one per line.")
    Path hypOut;

    @Bounds(min = 1, max = 4096)
    @Option(names = "--threads", paramLabel = "N", description = "With --model: compute threads (default: all processors).")
    Integer threads;

    @Option(names = "--field", paramLabel = "NAME", description = "JSONL field for files given without :FIELD.")
    String field;

    @Option(names = "--metrics", paramLabel = "LIST", defaultValue = "bleu,chrf,chrf++,ter",
            description = "Comma-separated: bleu, chrf, chrf++, ter (default: ${DEFAULT-VALUE}).")
    String metrics;

    @Option(names = "--tokenize", paramLabel = "TOK",
            description = "BLEU tokenizer: 13a, intl, zh, char, none, ja-kuromoji, ko-nori (default: from --lang, else 13a).")
    String tokenize;

    @Option(names = "--lang", paramLabel = "CODE",
            description = "Target language; picks the BLEU tokenizer as sacreBLEU does (zh, ja, ko).")
    String lang;

    @Option(names = "--lowercase", description = "Case-insensitive BLEU and chrF.")
    boolean lowercase;

    @Writes(Writes.Kind.FILE)
    @Option(names = "--report", paramLabel = "FILE", description = "Write the full JSON report, with per-segment scores.")
    Path report;

    @picocli.CommandLine.Mixin
    ForceOption force;

    @Option(names = "--format", paramLabel = "FMT", defaultValue = "table",
            description = "Output on stdout: table or json (default: ${DEFAULT-VALUE}).")
    Format format;

    @Override
    public Integer call() throws Exception {
        MetricsReport result = model != null ? translateAndScore() : scoreFiles();
        if (report != null) result.writeFullJson(report);
        PrintWriter out = spec.commandLine().getOut();
        if (format == Format.json) {
            out.println(MetricsReport.toJsonString(result.corpusJson()));
        } else {
            out.print(result.table());
        }
        out.flush();
        return 0;
    }

    private MetricsReport scoreFiles() throws IOException {
        if (hyp == null || refs == null || refs.isEmpty() || data != null) {
            throw new ParameterException(spec.commandLine(), "give --hyp FILE and --ref FILE, or --model DIR and --data FILE");
        }
        MetricSelection selection = new MetricSelection(MetricSelection.parseNames(metrics), tokenize, lowercase,
                LanguageOptions.code(spec, "--lang", lang));
        TestSet set = TestSet.read(SegmentFile.parse(hyp, field),
                refs.stream().map(r -> SegmentFile.parse(r, field)).toList());
        return MetricsReport.evaluate(set.hyps(), set.refStreams(), selection);
    }

    /** Translation is greedy: scores of a test set should not depend on a sampling seed. */
    private MetricsReport translateAndScore() throws IOException {
        if (data == null || hyp != null || refs != null) {
            throw new ParameterException(spec.commandLine(), "--model needs --data FILE (and no --hyp/--ref)");
        }
        if (lowercase) throw new ParameterException(spec.commandLine(), "--lowercase is for --hyp/--ref scoring");
        if (threads != null) Parallel.setThreads(threads);
        List<ParallelExample> examples = TranslationEvaluation.read(data, limit);
        PrintWriter err = spec.commandLine().getErr();
        Path dir = ModelLocator.resolve(model);
        try (Translator loaded = Translator.load(dir, AdapterOptions.weights(dir, nf4), TranslatorOptions.DEFAULTS)) {
            Translator translator = loaded.withBatchSize(batchSize)
                    .withAdapter(adapter == null ? null : LoraAdapter.load(adapter, loaded.model().config()))
                    .withGeneration(GenerationConfig.builder().greedy().maxNewTokens(maxNewTokens).build());
            long start = System.nanoTime();
            TranslationEvaluation.Result r = TranslationEvaluation.run(translator, examples,
                    MetricSelection.parseNames(metrics), tokenize, done -> {
                        err.printf("\rtranslating %d/%d", done, examples.size());
                        err.flush();
                    });
            err.printf("%ntranslated %d examples in %.1f s%n", examples.size(), (System.nanoTime() - start) / 1e9);
            if (hypOut != null) {
                AtomicFile.writeString(hypOut, r.hypotheses().stream().map(h -> h.replace('\n', ' ') + "\n")
                        .collect(Collectors.joining()));
            }
            return r.report();
        }
    }
}
