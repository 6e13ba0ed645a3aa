package dev.hymt4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hymt4j.testing.TestData;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.hymt4j.cli.CoreCommandsTest.hymt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code hymt eval --model DIR --data FILE}: translate a test set with the demo model, then score it. */
class ModelEvalCommandTest extends DemoModelTest {
    @Test
    void translatesScoresAndPicksTheChineseTokenizer() throws Exception {
        Path data = tmp.resolve("test.jsonl");
        List<String> lines = Files.readAllLines(TestData.path("data/libreoffice-help/libreoffice-help.en-zh.jsonl")).subList(0, 6);
        Files.write(data, lines);
        Path hyps = tmp.resolve("hyps.txt");
        CoreCommandsTest.Run r = hymt("eval", "--model", model.toString(), "--data", data.toString(), "--max-new-tokens", "6",
                "--format", "json", "--hyp-out", hyps.toString());
        assertEquals(0, r.exitCode(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        for (String metric : List.of("bleu", "chrf", "chrf++", "ter")) {
            assertTrue(json.path(metric).has("score"), metric + " in " + r.out());
        }
        // sacreBLEU's default for a Chinese target is the zh tokenizer.
        assertTrue(json.path("bleu").path("signature").asText().contains("tok:zh"), r.out());
        assertEquals(6, Files.readAllLines(hyps).size());
    }

    @Test
    void modeMixingAndMissingTargetLanguageAreClearErrors() throws Exception {
        CoreCommandsTest.Run both = hymt("eval", "--model", model.toString(), "--hyp", "h.txt", "--ref", "r.txt");
        assertEquals(2, both.exitCode());
        assertTrue(both.err().contains("--model needs --data FILE (and no --hyp/--ref)"), both.err());
        Path data = tmp.resolve("nolang.jsonl");
        Files.writeString(data, "{\"source\": \"a\", \"target\": \"b\"}\n");
        CoreCommandsTest.Run noLang = hymt("eval", "--model", model.toString(), "--data", data.toString());
        assertEquals(1, noLang.exitCode());
        assertEquals("hymt eval: " + data + ":1: field \"tgt_lang\": needed to know what to translate into", noLang.err().trim());
    }
}
