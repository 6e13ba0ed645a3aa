package dev.hymt4j.cli;

import dev.hymt4j.eval.MetricSelection;
import dev.hymt4j.eval.MetricsReport;
import dev.hymt4j.eval.SegmentFile;
import dev.hymt4j.eval.TestSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code hymt eval}: sacreBLEU-compatible BLEU, chrF, chrF++ and TER of a hypothesis file against references. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Score hypotheses against one or more references with sacreBLEU-compatible metrics.",
                "Files are plain text (one segment per line) or JSONL with a field: FILE.jsonl:FIELD or --field."})
public final class EvalCommand implements Callable<Integer> {

    enum Format { table, json }

    @Spec
    CommandSpec spec;

    @Option(names = "--hyp", required = true, paramLabel = "FILE", description = "Hypotheses (system output).")
    String hyp;

    @Option(names = "--ref", required = true, paramLabel = "FILE",
            description = "References; repeat for several reference streams (a JSONL null = missing reference).")
    List<String> refs;

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

    @Option(names = "--report", paramLabel = "FILE", description = "Write the full JSON report, with per-segment scores.")
    Path report;

    @Option(names = "--format", paramLabel = "FMT", defaultValue = "table",
            description = "Output on stdout: table or json (default: ${DEFAULT-VALUE}).")
    Format format;

    @Override
    public Integer call() throws Exception {
        MetricSelection selection = new MetricSelection(MetricSelection.parseNames(metrics), tokenize, lowercase, lang);
        TestSet set = TestSet.read(SegmentFile.parse(hyp, field),
                refs.stream().map(r -> SegmentFile.parse(r, field)).toList());
        MetricsReport result = MetricsReport.evaluate(set.hyps(), set.refStreams(), selection);
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
}
