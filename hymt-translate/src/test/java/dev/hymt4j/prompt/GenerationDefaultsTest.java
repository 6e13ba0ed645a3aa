package dev.hymt4j.prompt;

import dev.hymt4j.testing.FieldTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerationDefaultsTest {

    @Test
    void readmeValues() {
        GenerationDefaults d = GenerationDefaults.readme();
        assertEquals(20, d.topK());
        assertEquals(0.6, d.topP());
        assertEquals(1.05, d.repetitionPenalty());
        assertEquals(0.7, d.temperature());
        assertTrue(d.doSample());
        assertEquals(List.of(120020), d.eosTokenIds());
    }

    @Test
    void missingFileGivesReadmeValues(@TempDir Path dir) throws Exception {
        assertEquals(GenerationDefaults.readme(), GenerationDefaults.load(dir));
    }

    @Test
    void generationConfigOverridesTheFieldsItSets(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("generation_config.json"), """
                {"eos_token_id": [120020, 120026], "top_p": 0.8, "do_sample": false, "transformers_version": "4.57.0"}
                """);
        GenerationDefaults d = GenerationDefaults.load(dir);
        assertEquals(new GenerationDefaults(20, 0.8, 1.05, 0.7, false, List.of(120020, 120026)), d);
    }

    @Test
    void singleEosIdIsAccepted(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": 2, \"top_k\": 5}");
        GenerationDefaults d = GenerationDefaults.load(dir);
        assertEquals(List.of(2), d.eosTokenIds());
        assertEquals(5, d.topK());
    }

    @Test
    void stopIdsJoinConfigEosAndTemplateStops() {
        GenerationDefaults d = new GenerationDefaults(20, 0.6, 1.05, 0.7, true, List.of(7));
        assertEquals(List.of(7, 120020, 120001, 120008, 120000, 120006, 120007, 120026),
                List.copyOf(d.stopIds(SpecialTokens.hyMt15())));
    }

    @Test
    void badFilesNameThemselves(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("generation_config.json");
        Files.writeString(file, "{\"top_p\": 0}");
        Exception e = assertThrows(java.io.IOException.class, () -> GenerationDefaults.load(dir));
        assertEquals(file + ": field \"top_p\": expected a number in (0, 1], got 0", e.getMessage());
        Files.writeString(file, "{not json");
        Exception parse = assertThrows(java.io.IOException.class, () -> GenerationDefaults.load(dir));
        assertTrue(parse.getMessage().startsWith(file + ": not valid JSON ("), parse.getMessage());
    }

    static final List<FieldTable.Row> ROWS = List.of(
            FieldTable.Row.of("top_k", "\"20\"", "-1", "an integer in [0, 2147483647]"),
            FieldTable.Row.of("top_p", "\"0.6\"", "1.5", "a number in (0, 1]"),
            FieldTable.Row.of("temperature", "\"hot\"", "0", "a number in (0, 100]"),
            FieldTable.Row.of("repetition_penalty", "[1.05]", "-1", "a number in (0, 100]"),
            FieldTable.Row.of("do_sample", "\"yes\"", null, null),
            FieldTable.Row.of("eos_token_id", "\"x\"", "[2, 99999]", "an integer in [0, 4033]"),
            FieldTable.Row.of("bos_token_id", "true", "-1", "an integer in [0, 4033]"),
            FieldTable.Row.of("pad_token_id", "{}", "4034", "an integer in [0, 4033]"),
            FieldTable.Row.of("max_length", "\"512\"", "0", "an integer in [1, 2147483647]"),
            FieldTable.Row.of("max_new_tokens", "1.5", "-3", "an integer in [1, 2147483647]"),
            FieldTable.Row.of("transformers_version", "4.57", null, null));

    @org.junit.jupiter.api.TestFactory
    java.util.stream.Stream<org.junit.jupiter.api.DynamicTest> everyFieldRefusesAWrongTypeAndAnImpossibleValue(@TempDir Path dir) {
        return FieldTable.tests(ROWS, (field, value, says) -> refused(dir, field, value, says));
    }

    private static void refused(Path dir, String field, String value, String expected) throws Exception {
        Path file = dir.resolve("generation_config.json");
        Files.writeString(file, "{\"do_sample\": true, \"" + field + "\": " + value + "}");
        Exception e = assertThrows(java.io.IOException.class, () -> GenerationDefaults.load(dir, 4034));
        assertTrue(e.getMessage().startsWith(file + ": field \"" + field), e.getMessage());
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains("got "), e.getMessage());
    }
}
