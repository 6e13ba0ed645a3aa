package dev.hymt4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code hymt eval} run in-process. */
class EvalCommandTest {
    static final String APERTIUM = TestData.path("data/libreoffice-help/libreoffice-help.en-es.apertium-hyp.jsonl").toString();

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = Hymt.newCommandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void tableOnApertiumJsonl() {
        Run r = run("eval", "--hyp", APERTIUM + ":hypothesis", "--ref", APERTIUM + ":target", "--metrics", "bleu,chrf");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("bleu        23.32  nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0"), r.out());
        assertTrue(r.out().contains("chrf        51.58  nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0"), r.out());
    }

    @Test
    void jsonOutputAndFullReport() throws IOException {
        Path report = dir.resolve("out.json");
        Run r = run("eval", "--hyp", APERTIUM, "--field", "hypothesis", "--ref", APERTIUM + ":target",
                "--format", "json", "--report", report.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(23.321189005356487, json.get("bleu").get("score").asDouble(), 1e-9);
        assertEquals(16547, json.get("bleu").get("sys_len").asInt());
        assertEquals(0.9698246518007139, json.get("bleu").get("bp").asDouble(), 1e-12);
        assertEquals(4, json.get("bleu").get("precisions").size());
        assertEquals(51.57733364554029, json.get("chrf").get("score").asDouble(), 1e-9);
        assertEquals(49.07644836600379, json.get("chrf++").get("score").asDouble(), 1e-9);
        assertEquals(61.234124609349024, json.get("ter").get("score").asDouble(), 1e-9);
        assertTrue(json.get("ter").get("signature").asText().startsWith("nrefs:1|case:lc|tok:tercom"));
        JsonNode full = new ObjectMapper().readTree(report.toFile());
        assertEquals(800, full.get("sentences").size());
        assertEquals(52.664038784792666, full.get("sentences").get(0).get("bleu").asDouble(), 1e-9);
    }

    @Test
    void chineseTokenizerAndTextFiles() throws IOException {
        Path hyp = Files.writeString(dir.resolve("hyp.zh"), "我喜欢猫。\n");
        Path ref = Files.writeString(dir.resolve("ref.zh"), "我很喜欢猫。\n");
        Run r = run("eval", "--hyp", hyp.toString(), "--ref", ref.toString(), "--tokenize", "zh", "--metrics", "bleu", "--format", "json");
        assertEquals(0, r.exit(), r.err());
        JsonNode bleu = new ObjectMapper().readTree(r.out()).get("bleu");
        assertEquals(57.8930, bleu.get("score").asDouble(), 5e-5);
        assertTrue(bleu.get("signature").asText().contains("tok:zh"));
    }

    @Test
    void badInputGivesOneClearLine() throws IOException {
        Path hyp = Files.writeString(dir.resolve("hyp.txt"), "a\nb\n");
        Path ref = Files.writeString(dir.resolve("ref.txt"), "a\n");
        Run r = run("eval", "--hyp", hyp.toString(), "--ref", ref.toString());
        assertEquals(1, r.exit());
        assertEquals("hymt eval: line counts differ: hypotheses " + hyp + " has 2, references " + ref + " has 1", r.err().strip());

        r = run("eval", "--hyp", hyp.toString(), "--ref", hyp.toString(), "--metrics", "bleu,rouge");
        assertEquals(1, r.exit());
        assertEquals("hymt eval: unknown metric 'rouge' (known: bleu, chrf, chrf++, ter)", r.err().strip());

        r = run("eval", "--hyp", hyp.toString(), "--ref", hyp.toString(), "--tokenize", "ja-mecab");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("unknown BLEU tokenizer 'ja-mecab' (known: 13a, intl, zh, char, none, ja-kuromoji, ko-nori)"), r.err());

        r = run("eval", "--hyp", dir.resolve("missing.txt").toString(), "--ref", ref.toString());
        assertEquals(1, r.exit());
        assertEquals("hymt eval: cannot read " + dir.resolve("missing.txt") + ": no such file", r.err().strip());
    }
}
