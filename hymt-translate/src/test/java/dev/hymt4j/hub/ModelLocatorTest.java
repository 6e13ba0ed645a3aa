package dev.hymt4j.hub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelLocatorTest {
    @TempDir
    Path dir;

    // An endpoint nothing listens on: these cases must never reach the network.
    private ModelLocator locator() {
        return new ModelLocator(new HubConfig(URI.create("http://127.0.0.1:9"), dir.resolve("cache"), null, true),
                DownloadProgress.NONE);
    }

    @Test
    void existingFolderIsItself() throws Exception {
        assertEquals(dir, locator().locate(dir.toString()));
    }

    @Test
    void aFileIsRejected() throws Exception {
        Path file = Files.writeString(dir.resolve("model.safetensors"), "x");
        HubException e = assertThrows(HubException.class, () -> locator().locate(file.toString()));
        assertTrue(e.getMessage().contains("is a file"), e.getMessage());
    }

    @Test
    void neitherFolderNorRepoId() {
        HubException e = assertThrows(HubException.class, () -> locator().locate(dir.resolve("nope").toString()));
        assertTrue(e.getMessage().contains("no such folder, and not a Hugging Face repo id"), e.getMessage());
    }

    @Test
    void missingModelFilesAreNamed() throws Exception {
        assertEquals(List.of("config.json", "tokenizer.json", "model.safetensors (or model.safetensors.index.json and its shards)"),
                ModelFiles.missing(dir));
        Files.writeString(dir.resolve("config.json"), "{}");
        Files.writeString(dir.resolve("tokenizer.json"), "{}");
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"weight_map\": {\"a\": \"model-00001-of-00002.safetensors\", \"b\": \"model-00002-of-00002.safetensors\"}}");
        Files.writeString(dir.resolve("model-00001-of-00002.safetensors"), "");
        assertEquals(List.of("model-00002-of-00002.safetensors"), ModelFiles.missing(dir));
    }

    @Test
    void defaultSelectionSkipsNonModelFiles() {
        assertEquals(List.of("config.json", "model-00001-of-00002.safetensors", "model.safetensors.index.json", "tokenizer.json"),
                ModelFiles.select(List.of("config.json", "README.md", "model-00001-of-00002.safetensors",
                        "model.safetensors.index.json", "tokenizer.json", "imgs/logo.png", "gguf/model.gguf"),
                        ModelFiles.DEFAULT_INCLUDES));
    }
}
