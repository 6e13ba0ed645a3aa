package dev.hymt4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code hymt tokenize} run in-process on a tokenizer small enough to know every id by hand. */
class TokenizeCommandTest {
    @TempDir Path dir;
    Path model;
    final StringWriter out = new StringWriter(), err = new StringWriter();

    @BeforeEach
    void writeTokenizer() throws IOException {
        model = Files.createDirectories(dir.resolve("model"));
        Files.writeString(model.resolve("tokenizer.json"), """
                {"added_tokens": [{"id": 5, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}],
                 "normalizer": null,
                 "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
                 "decoder": {"type": "ByteLevel"},
                 "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2, "Ġ": 3, "Ġab": 4}, "merges": ["a b", "Ġ ab"]}}
                """);
    }

    private int run(String... args) {
        CommandLine cl = Hymt.newCommandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void batchFileToIds() throws IOException {
        Path in = dir.resolve("texts.json"), ids = dir.resolve("ids.json");
        Files.writeString(in, "[\"ab\", \"ab ab\", \"\", \"a<s>b\"]");
        assertEquals(0, run("tokenize", "--tokenizer", model.toString(), "--in", in.toString(), "--out", ids.toString()), err.toString());
        // "ab" → a·b merge → 2; " ab" → Ġ·a·b → Ġ·ab → Ġab (4); "<s>" is the added token 5 between a (0) and b (1).
        assertEquals(new ObjectMapper().readTree("{\"ids\": [[2], [2, 4], [], [0, 5, 1]]}"), new ObjectMapper().readTree(ids.toFile()));
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.toString().endsWith(".tmp")), "temporary file left behind");
        }
    }

    @Test
    void textArgumentsShowIdsAndPieces() {
        assertEquals(0, run("tokenize", "--tokenizer", model.resolve("tokenizer.json").toString(), "ab ab"), err.toString());
        String shown = out.toString();
        assertTrue(shown.contains("2 tokens: [2, 4]"), shown);
        assertTrue(shown.contains("Ġab") && shown.contains("\" ab\""), shown);
    }

    @Test
    void missingTokenizerIsOneClearLine() {
        Path absent = dir.resolve("nowhere/tokenizer.json");
        assertEquals(1, run("tokenize", "--tokenizer", absent.toString(), "x"));
        assertTrue(err.toString().contains(absent.toString()) && err.toString().contains("file not found"), err.toString());
    }

    @Test
    void inputThatIsNotAnArrayOfStrings() throws IOException {
        Path in = dir.resolve("texts.json");
        Files.writeString(in, "[\"ok\", 42]");
        assertEquals(1, run("tokenize", "--tokenizer", model.toString(), "--in", in.toString(), "--out", dir.resolve("o.json").toString()));
        assertTrue(err.toString().contains("texts.json") && err.toString().contains("item 1: expected a string"), err.toString());
        assertFalse(Files.exists(dir.resolve("o.json")));
    }

    @Test
    void inWithoutOutIsAUsageError() throws IOException {
        assertEquals(2, run("tokenize", "--tokenizer", model.toString(), "--in", dir.resolve("t.json").toString()));
        assertTrue(err.toString().contains("--in and --out go together"), err.toString());
    }
}
