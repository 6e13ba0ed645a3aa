package dev.hymt4j.weights;

import dev.hymt4j.gguf.GgufCheckpoint;
import dev.hymt4j.gguf.GgufFile;
import dev.hymt4j.model.Checkpoint;
import dev.hymt4j.model.ModelException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens whatever a user calls a model: a Hugging Face directory (safetensors) or a GGUF file. */
public final class WeightSources {
    private WeightSources() {}

    /** A model directory or a {@code .gguf} file (recognized by its magic, whatever its name). */
    public static WeightSource open(Path path) throws IOException {
        if (Files.isDirectory(path)) return Checkpoint.open(path);
        if (GgufFile.isGguf(path)) return GgufCheckpoint.open(path);
        if (!Files.exists(path)) throw new ModelException(path + ": model directory or GGUF file not found");
        throw new ModelException(path + ": not a model: expected a directory (config.json + safetensors) or a GGUF file");
    }
}
