package dev.hymt4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hymt4j.data.PrepareOptions;
import dev.hymt4j.testing.TestData;
import dev.hymt4j.tokenizer.BpeTrainer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PrepareCommandTest {
    @TempDir Path dir;

    private record Result(int exit, String out, String err) {}

    private static Result run(String... args) {
        CommandLine cl = Hymt.newCommandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void preparesTheRawSampleWithFixedSizes() throws Exception {
        Path raw = TestData.path("data/libreoffice-help/raw/libreoffice-help.en-zh.raw-sample.jsonl");
        Path out = dir.resolve("out");
        Result r = run("prepare", raw.toString(), "--out", out.toString(), "--valid-size", "50", "--test-size", "50",
                "--disable", "language", "--dedup-key", "source");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("dropped by untranslated"), r.out());
        for (String f : new String[] {"train.jsonl", "valid.jsonl", "test.jsonl", "rejects.jsonl", "summary.json"}) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        assertEquals(50, Files.readAllLines(out.resolve("valid.jsonl")).size());
        assertTrue(Files.readString(out.resolve("summary.json")).contains("\"en-zh\""));
    }

    @Test
    void tsvWithDefaultLanguagesAndRatioSplit() throws Exception {
        Path in = Files.writeString(dir.resolve("in.tsv"), "Open the file.\t打开文件.\nSave\t保存\n");
        Result r = run("prepare", in.toString(), "--out", dir.resolve("o").toString(), "--src-lang", "en", "--tgt-lang", "zh",
                "--split", "1,0,0");
        assertEquals(0, r.exit(), r.err());
        assertEquals("{\"source\":\"Open the file.\",\"target\":\"打开文件。\",\"src_lang\":\"en\",\"tgt_lang\":\"zh\"}",
                Files.readAllLines(dir.resolve("o/train.jsonl")).get(0));
    }

    @Test
    void badInputAndBadOptionsGiveOneClearLine() throws Exception {
        Path bad = Files.writeString(dir.resolve("train.jsonl"), "{\"source\":\"a\",\"target\":[1]}\n");
        Result r = run("prepare", bad.toString(), "--out", dir.resolve("o").toString());
        assertEquals(1, r.exit());
        assertEquals("hymt prepare: train.jsonl:1: field \"target\": expected a string, got array", r.err().strip());

        Result unknown = run("prepare", bad.toString(), "--out", dir.resolve("o").toString(), "--disable", "nope");
        assertEquals(1, unknown.exit());
        assertTrue(unknown.err().contains("unknown rule \"nope\""), unknown.err());
    }

    @Test
    void helpListsEveryRuleAndTransformationFromTheOptions() {
        Result r = run("prepare", "--help");
        assertEquals(0, r.exit(), r.err());
        String help = r.out().replaceAll("\\s+", " ");
        assertTrue(help.contains("Rules: " + String.join(", ", PrepareOptions.RULES) + "."), r.out());
        assertTrue(help.contains("Transformations: whitespace, punctuation-width, lowercase (off by default)."), r.out());
        assertTrue(help.contains("--tokenizer=PATH"), r.out());
        // A second command line builds its own model: the generated lines are not added twice.
        assertEquals(1, run("prepare", "--help").out().split("Rules:", -1).length - 1);
    }

    @Test
    void tokenizerOptionMakesTheLengthRuleCountRealTokens() throws Exception {
        Path tok = dir.resolve("tok");
        new BpeTrainer(500).train(Collections.nCopies(20, "Open the file and save the document. 打开文件并保存文档。")).writeTo(tok);
        // "zqxjvk" is 2 tokens by the estimate but 6 bytes-as-tokens for a tokenizer that never saw it.
        Path in = Files.writeString(dir.resolve("in.tsv"), "Open the file.\t打开\nzqxjvk\t保存\n");
        String[] common = {"prepare", in.toString(), "--src-lang", "en", "--tgt-lang", "zh", "--split", "1,0,0",
                "--max-tokens", "5", "--disable", "language"};
        Result estimate = run(concat(common, "--out", dir.resolve("a").toString()));
        assertEquals(0, estimate.exit(), estimate.err());
        assertEquals(2, Files.readAllLines(dir.resolve("a/train.jsonl")).size());

        Result exact = run(concat(common, "--out", dir.resolve("b").toString(), "--tokenizer", tok.toString()));
        assertEquals(0, exact.exit(), exact.err());
        assertEquals(1, Files.readAllLines(dir.resolve("b/train.jsonl")).size(), Files.readString(dir.resolve("b/rejects.jsonl")));
        assertTrue(Files.readString(dir.resolve("b/rejects.jsonl")).contains("source has 6 tokens > 5"),
                Files.readString(dir.resolve("b/rejects.jsonl")));

        Result missing = run(concat(common, "--out", dir.resolve("c").toString(), "--tokenizer", dir.resolve("nope").toString()));
        assertEquals(1, missing.exit());
        assertTrue(missing.err().startsWith("hymt prepare: ") && missing.err().contains("nope"), missing.err());
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
