package dev.hymt4j.prompt;

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
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GenerationDefaults.load(dir));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("top_p"), e.getMessage());
        Files.writeString(file, "{not json");
        Exception parse = assertThrows(java.io.IOException.class, () -> GenerationDefaults.load(dir));
        assertTrue(parse.getMessage().contains("Cannot parse"), parse.getMessage());
    }
}
