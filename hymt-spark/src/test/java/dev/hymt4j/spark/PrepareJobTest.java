package dev.hymt4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hymt4j.data.PrepareOptions;
import dev.hymt4j.data.Preparer;
import dev.hymt4j.data.Split;
import dev.hymt4j.testing.TestData;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * PrepareJob against local {@code hymt prepare} on the testdata corpora: the same kept rows, splits, rejects and
 * summary. The reference is the local {@link Preparer} run in the test on the same files and options.
 */
class PrepareJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir static Path dir;
    static List<Path> corpus;

    /**
     * ~6,300 lines in five files, three formats: two clean corpora, the raw en-zh sample (noise for every rule),
     * a TSV, a gzipped file, and a file of repeats of lines of the others (exact, and up to case/punctuation/width)
     * mixed with new lines, so duplicates cross files and the first occurrence is sometimes in a later file.
     */
    @BeforeAll
    static void corpus() throws IOException {
        Path helpDe = TestData.path("data/libreoffice-help/libreoffice-help.en-de.jsonl");
        Path rawZh = TestData.path("data/libreoffice-help/raw/libreoffice-help.en-zh.raw-sample.jsonl");
        Path terms = TestData.path("data/libreoffice-ui-terms/libreoffice-help-terms.en-zh.jsonl");
        Path bible = TestData.path("data/bible-web-rv1909/bible-nt.en-es.jsonl");
        List<String> bibleLines = Files.readAllLines(bible);
        Path tsv = dir.resolve("bible.en-es.tsv");
        List<String> tsvLines = new ArrayList<>();
        for (String l : bibleLines.subList(0, 1000)) {
            var n = JSON.readTree(l);
            tsvLines.add(n.get("source").asText().replace('\t', ' ') + "\t" + n.get("target").asText().replace('\t', ' ') + "\ten\tes");
        }
        tsvLines.add(3, "");                                  // a blank line still counts for line numbers
        Files.write(tsv, tsvLines);
        Path gz = dir.resolve("terms.en-zh.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(String.join("\n", Files.readAllLines(terms).subList(0, 600)).getBytes(StandardCharsets.UTF_8));
        }
        // Repeats of earlier and later files' lines, and new lines.
        Random random = new Random(12);
        List<String> pool = new ArrayList<>();
        pool.addAll(Files.readAllLines(helpDe));
        pool.addAll(Files.readAllLines(rawZh));
        pool.addAll(bibleLines.subList(0, 1000));
        List<String> repeats = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            ObjectNode n = (ObjectNode) JSON.readTree(pool.get(random.nextInt(pool.size())));
            switch (i % 4) {
                case 0 -> { }                                                     // exact repeat
                case 1 -> n.put("source", n.get("source").asText().toUpperCase()); // near: case
                case 2 -> n.put("target", n.get("target").asText() + " !");       // near: punctuation/spacing
                default -> n.put("source", "Fresh line " + i + ": " + n.get("source").asText());
            }
            repeats.add(n.toString());
        }
        Path repeated = dir.resolve("repeats.jsonl");
        Files.write(repeated, repeats);
        // The repeats file comes second, so some of its lines are the first occurrence of what follows.
        corpus = List.of(helpDe, repeated, rawZh, tsv, gz);
    }

    static SparkSession spark() {
        return SparkTestSession.get();
    }

    /** Runs {@code hymt-spark} in-process; the exit code, stdout and stderr. */
    record Run(int exitCode, String out, String err) {}

    static Run hymtSpark(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = HymtSpark.newCommandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        spark(); // the commands find this session
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** The lines of a Spark output directory: its part files concatenated in name order. */
    static List<String> parts(Path sparkDir) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(sparkDir)) {
            for (Path p : files.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
                lines.addAll(Files.readAllLines(p));
            }
        }
        return lines;
    }

    static void assertSameAsLocal(Path local, Path spark) throws IOException {
        assertTrue(Files.exists(spark.resolve("train/_SUCCESS")), "committed");
        for (Split s : Split.values()) {
            String name = s.name().toLowerCase();
            assertEquals(Files.readAllLines(local.resolve(s.fileName())), parts(spark.resolve(name)), name);
        }
        assertEquals(Files.readAllLines(local.resolve(Preparer.REJECTS)), parts(spark.resolve("rejects")), "rejects");
        ObjectNode a = (ObjectNode) JSON.readTree(local.resolve(Preparer.SUMMARY).toFile());
        ObjectNode b = (ObjectNode) JSON.readTree(spark.resolve(Preparer.SUMMARY).toFile());
        for (ObjectNode n : List.of(a, b)) n.remove(List.of("seconds", "lines_per_second"));
        assertEquals(a, b, "summary");
    }

    static List<String> paths(List<Path> files) {
        return files.stream().map(Path::toString).toList();
    }

    @Test
    void sameKeptRowsSplitsRejectsAndSummaryAsLocalPrepare() throws Exception {
        Path local = dir.resolve("local");
        new Preparer(new PrepareOptions().seed(7)).run(corpus, local);
        List<String> args = new ArrayList<>(paths(corpus));
        args.addAll(List.of("--out", dir.resolve("spark").toString(), "--seed", "7"));
        Run r = hymtSpark(Stream.concat(Stream.of("prepare"), args.stream()).toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.err());
        assertSameAsLocal(local, dir.resolve("spark"));
        // The corpus exercises what it should: cross-file repeats of both kinds, and several rules.
        var summary = JSON.readTree(local.resolve(Preparer.SUMMARY).toFile());
        assertTrue(summary.at("/rejected_by_rule/duplicate").asInt() > 50, summary.toString());
        assertTrue(summary.at("/rejected_by_rule/near-duplicate").asInt() > 50, summary.toString());
        assertTrue(summary.at("/read").asInt() > 5000, summary.toString());
        assertTrue(r.out().contains("kept"), r.out());
    }

    @Test
    void fixedSizeSplitSourceKeyAndOptionsMatchLocalPrepare() throws Exception {
        Path local = dir.resolve("local-fixed");
        new Preparer(new PrepareOptions().splitSizes(120, 80).duplicateKey(dev.hymt4j.data.DuplicateRule.Key.SOURCE)
                .disable(List.of("language")).enable(List.of("lowercase")).seed(3)).run(corpus, local);
        List<String> args = new ArrayList<>(List.of("prepare"));
        args.addAll(paths(corpus));
        args.addAll(List.of("--out", dir.resolve("spark-fixed").toString(), "--valid-size", "120", "--test-size", "80",
                "--dedup-key", "source", "--disable", "language", "--enable", "lowercase", "--seed", "3"));
        Run r = hymtSpark(args.toArray(String[]::new));
        assertEquals(0, r.exitCode(), r.err());
        assertSameAsLocal(local, dir.resolve("spark-fixed"));
    }
}
