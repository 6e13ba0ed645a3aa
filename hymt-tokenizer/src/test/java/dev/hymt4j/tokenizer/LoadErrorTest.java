package dev.hymt4j.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every load failure names the file and says what is wrong. */
class LoadErrorTest {
    @TempDir Path dir;

    private static final String VALID = """
            {"normalizer": null,
             "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
             "decoder": {"type": "ByteLevel"},
             "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}}
            """;

    private void assertFault(Path file, String content, String... expectedFragments) throws IOException {
        if (content != null) Files.writeString(file, content);
        TokenizerLoadException e = assertThrows(TokenizerLoadException.class, () -> Tokenizer.load(file));
        assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
        for (String fragment : expectedFragments) assertTrue(e.getMessage().contains(fragment), "missing '" + fragment + "' in: " + e.getMessage());
    }

    @Test
    void validBaselineLoads() throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), VALID);
        assertTrue(Tokenizer.load(dir.resolve("tokenizer.json")).encode("ab").length == 1);
    }

    @Test
    void missingFile() throws IOException {
        assertFault(dir.resolve("absent.json"), null, "file not found");
    }

    @Test
    void directoryWithoutTokenizer() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty-model"));
        assertFault(empty, null, "no tokenizer.json or *.tiktoken");
    }

    @Test
    void malformedJson() throws IOException {
        assertFault(dir.resolve("broken.json"), "{\"model\": {\"type\": \"BPE\",", "malformed JSON", "line 1");
    }

    @Test
    void unsupportedModelType() throws IOException {
        assertFault(dir.resolve("wordpiece.json"), VALID.replace("\"type\": \"BPE\"", "\"type\": \"WordPiece\""),
                "model.type", "unsupported \"WordPiece\"", "BPE");
    }

    @Test
    void unsupportedPreTokenizerType() throws IOException {
        String json = VALID.replace("{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"use_regex\": true}",
                "{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Whitespace\"}, {\"type\": \"ByteLevel\"}]}");
        assertFault(dir.resolve("whitespace.json"), json, "pre_tokenizer.pretokenizers[0].type", "unsupported \"Whitespace\"");
    }

    @Test
    void unsupportedNormalizerType() throws IOException {
        assertFault(dir.resolve("replace.json"), VALID.replace("\"normalizer\": null", "\"normalizer\": {\"type\": \"Replace\"}"),
                "normalizer.type", "unsupported \"Replace\"");
    }

    @Test
    void unsupportedSplitBehaviour() throws IOException {
        String json = VALID.replace("{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"use_regex\": true}",
                "{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Split\", \"pattern\": {\"String\": \"-\"}, \"behavior\": \"Sideways\"}, {\"type\": \"ByteLevel\"}]}");
        assertFault(dir.resolve("split.json"), json, "behavior", "\"Sideways\"");
    }

    @Test
    void nonByteLevelTokenizer() throws IOException {
        assertFault(dir.resolve("nobytelevel.json"), VALID.replace("\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"use_regex\": true",
                "\"type\": \"Digits\""), "no ByteLevel stage");
    }

    @Test
    void mergeOfUnknownTokens() throws IOException {
        assertFault(dir.resolve("merges.json"), VALID.replace("\"merges\": [\"a b\"]", "\"merges\": [\"a x\"]"), "model.merges[0]", "missing from model.vocab");
    }

    @Test
    void badCleanUpSettingNamesTheConfigFile() throws IOException {
        Files.writeString(dir.resolve("tokenizer.json"), VALID);
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"clean_up_tokenization_spaces\": \"yes\"}");
        TokenizerLoadException e = assertThrows(TokenizerLoadException.class, () -> Tokenizer.load(dir));
        assertTrue(e.getMessage().contains("tokenizer_config.json") && e.getMessage().contains("clean_up_tokenization_spaces"), e.getMessage());
    }
}
