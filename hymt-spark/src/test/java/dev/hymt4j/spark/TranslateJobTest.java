package dev.hymt4j.spark;

import static dev.hymt4j.spark.PrepareJobTest.hymtSpark;
import static dev.hymt4j.spark.PrepareJobTest.parts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hymt4j.cli.Hymt;
import dev.hymt4j.cli.TranslationOptions;
import dev.hymt4j.testing.TestData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * TranslateJob on the demo model against {@code hymt translate --in/--out} run in-process on the same input: the
 * reference is the single-JVM command's own output file (the demo model's translations mean nothing; what is
 * checked is that Spark gives the same ones, row for row, whatever the partitioning and the faults).
 */
class TranslateJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String[] DECODING = {"--to", "de", "--greedy", "--max-new-tokens", "12"};

    @TempDir static Path dir;
    static Path model;
    static Path lines500;

    @BeforeAll
    static void demoModelAndInput() throws Exception {
        model = dir.resolve("demo");
        assertEquals(0, Hymt.newCommandLine().execute("init-demo", model.toString()));
        List<String> sources = new ArrayList<>();
        for (String l : Files.readAllLines(TestData.path("data/libreoffice-help/libreoffice-help.en-de.jsonl"))) {
            sources.add(JSON.readTree(l).get("source").asText());
        }
        lines500 = Files.write(dir.resolve("help-500.txt"), sources.subList(0, 500));
    }

    /** {@code hymt translate --in IN --out OUT} with the test's decoding, in this JVM; its output lines. */
    static List<String> localTranslate(Path in, String... extra) throws Exception {
        Path out = dir.resolve("local-" + in.getFileName() + "-" + extra.length + ".txt");
        List<String> args = new ArrayList<>(List.of("translate", "--model", model.toString(), "--in", in.toString(), "--out", out.toString()));
        args.addAll(List.of(DECODING));
        args.addAll(List.of(extra));
        CommandLine cl = Hymt.newCommandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        assertEquals(0, cl.execute(args.toArray(String[]::new)), err.toString());
        return Files.readAllLines(out);
    }

    static String[] sparkArgs(Path in, Path out, String... extra) {
        return Stream.of(new String[] {"translate", "--model", model.toString(), "--in", in.toString(), "--out", out.toString()},
                DECODING, extra).flatMap(Stream::of).toArray(String[]::new);
    }

    @Test
    void fiveHundredLinesEqualHymtTranslateLineForLine() throws Exception {
        List<String> local = localTranslate(lines500);
        Path out = dir.resolve("spark-500");
        var r = hymtSpark(sparkArgs(lines500, out, "--partitions", "5"));
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(500, local.size());
        assertEquals(local, parts(out));
        assertTrue(r.err().contains("500 rows translated, 0 failed"), r.err());
        assertFalse(Files.exists(out.resolve("_errors")));
    }

    // ---- fault injection ----

    static final AtomicInteger thrown = new AtomicInteger();
    static final AtomicLong blockedTask = new AtomicLong(-1);
    static final CountDownLatch blocked = new CountDownLatch(1);
    static final java.util.concurrent.atomic.AtomicBoolean partialOutput = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Rows pass through unchanged, except in the first attempt of two partitions: partition 1 throws at its 12th
     * row (a task that fails mid-partition), partition 2 blocks at its 12th row until the driver kills it. With
     * --batch-size 1 a task keeps 2 rows in flight, so both attempts have already handed 9 translations to the
     * writer when they die.
     */
    static Dataset<Row> withFaults(Dataset<Row> rows) {
        return rows.mapPartitions((MapPartitionsFunction<Row, Row>) it -> {
            TaskContext task = TaskContext.get();
            boolean first = task.attemptNumber() == 0;
            return new Iterator<>() {
                int n;

                @Override public boolean hasNext() { return it.hasNext(); }

                @Override
                public Row next() {
                    if (first && n == 11 && task.partitionId() == 1) {
                        thrown.incrementAndGet();
                        throw new IllegalStateException("fault injection: task fails mid-partition");
                    }
                    if (first && n == 11 && task.partitionId() == 2) {
                        blockedTask.set(task.taskAttemptId());
                        blocked.countDown();
                        try {
                            Thread.sleep(60_000); // until killed
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException("fault injection: killed");
                        }
                    }
                    n++;
                    return it.next();
                }
            };
        }, Encoders.row(rows.schema()));
    }

    @Test
    void aTaskThatFailsAndATaskKilledAfterWritingPartOfItsOutputAreRetriedAndEveryRowIsWrittenOnce() throws Exception {
        Path in = Files.write(dir.resolve("faults.txt"), Files.readAllLines(lines500).subList(0, 80));
        List<String> local = localTranslate(in, "--batch-size", "1");
        var spark = SparkTestSession.get();
        TranslationOptions options = new TranslationOptions();
        new CommandLine(options).parseArgs(Stream.concat(Stream.of(DECODING), Stream.of("--batch-size", "1")).toArray(String[]::new));
        TranslateJob job = new TranslateJob(model.toString(), options, List.of(), TranslateJob.Columns.of("text"));
        Path out = dir.resolve("spark-faults");
        // The driver kills the blocked attempt as it would a lost or preempted one; Spark reschedules it.
        Thread killer = new Thread(() -> {
            try {
                if (blocked.await(120, TimeUnit.SECONDS)) {
                    Thread.sleep(500);
                    try (Stream<Path> attempt = Files.walk(out.resolve("_temporary"))) {
                        partialOutput.set(attempt.anyMatch(p -> p.getFileName().toString().startsWith("part-")));
                    } catch (java.io.IOException e) {
                        partialOutput.set(false);
                    }
                    spark.sparkContext().killTaskAttempt(blockedTask.get(), true, "fault injection: killed after writing part of its output");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        killer.start();
        long failed = job.write(job.translate(withFaults(job.read(spark, in.toString(), 4))), out.toString(),
                TranslateJob.OutputFormat.TEXT, false);
        killer.join();
        assertEquals(1, thrown.get());
        assertTrue(blockedTask.get() >= 0, "the kill was injected");
        assertTrue(partialOutput.get(), "the killed attempt had an output file open in _temporary");
        assertEquals(0, failed);
        assertEquals(local, parts(out));
        assertFalse(Files.exists(out.resolve("_temporary")));
    }

    // ---- bad input ----

    @Test
    void malformedJsonlRowsAndRowsThatCannotBeTranslatedGoToTheErrorColumn() throws Exception {
        Path in = Files.writeString(dir.resolve("rows.jsonl"), """
                {"source": "Select a cell.", "terms": [{"source": "cell", "target": "Zelle"}]}
                {"source": 7}
                not json

                {"source": "Open the menu.", "context": "Tools", "terms": [["menu", "Menü"]]}
                {"text": "no source field"}
                {"source": "Close the dialog."}
                """);
        Path out = dir.resolve("spark-rows");
        var r = hymtSpark(sparkArgs(in, out, "--glossary-column", "terms", "--context-column", "context", "--out-format", "jsonl"));
        assertEquals(0, r.exitCode(), r.err());
        List<JsonNode> rows = new ArrayList<>();
        for (String l : parts(out)) rows.add(JSON.readTree(l));
        assertEquals(6, rows.size(), rows.toString());
        assertTrue(rows.get(0).has("translation") && !rows.get(0).has("error"), rows.get(0).toString());
        assertEquals("rows.jsonl:2: field \"source\": expected a string", rows.get(1).get("error").asText());
        assertTrue(rows.get(2).get("error").asText().startsWith("rows.jsonl:3: not valid JSON"), rows.get(2).toString());
        assertEquals(3, rows.get(2).get("line").asInt());
        assertTrue(rows.get(3).get("error").asText().contains("glossary") && rows.get(3).get("error").asText().contains("context"),
                rows.get(3).toString());
        assertEquals("no text: column \"source\" is null", rows.get(4).get("error").asText());
        assertTrue(rows.get(5).has("translation"), rows.get(5).toString());
        assertTrue(r.err().contains("2 rows translated, 4 failed (see the error column)"), r.err());
    }

    @Test
    void failedRowsOfATextOutputAreListedInErrors() throws Exception {
        Path in = Files.writeString(dir.resolve("mixed.jsonl"), "{\"source\":\"Save the file.\"}\n{\"source\":null}\n");
        Path out = dir.resolve("spark-mixed");
        var r = hymtSpark(sparkArgs(in, out));
        assertEquals(0, r.exitCode(), r.err());
        List<String> lines = parts(out);
        assertEquals(2, lines.size());
        assertEquals("", lines.get(1));
        assertEquals(List.of("{\"file\":\"mixed.jsonl\",\"line\":2,\"error\":\"no text: column \\\"source\\\" is null\"}"),
                parts(out.resolve("_errors")));
    }

    @Test
    void aMissingInputAndAModelAnExecutorCannotReadAreOneClearLine() throws Exception {
        Path missing = dir.resolve("nope.txt");
        var r = hymtSpark(sparkArgs(missing, dir.resolve("o1")));
        assertEquals(1, r.exitCode());
        assertEquals("hymt-spark translate: " + missing + ": no such file or directory", r.err().trim());

        Path in = Files.writeString(dir.resolve("two.txt"), "One.\nTwo.\n");
        String[] args = sparkArgs(in, dir.resolve("o2"));
        args[2] = dir.resolve("no-model").toString();
        var bad = hymtSpark(args);
        assertEquals(1, bad.exitCode());
        String err = bad.err().trim();
        assertTrue(err.startsWith("hymt-spark translate: executor driver on "), err);
        assertTrue(err.contains("cannot read the model " + dir.resolve("no-model") + ": --model " + dir.resolve("no-model")
                + ": no such folder"), err);
        assertTrue(err.contains("readable on every executor"), err);
        assertEquals(1, err.lines().count(), err);
    }
}
