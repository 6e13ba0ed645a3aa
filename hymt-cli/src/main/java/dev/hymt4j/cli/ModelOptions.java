package dev.hymt4j.cli;

import dev.hymt4j.tensor.Parallel;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The options every command that runs a model shares. */
final class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Model directory: config.json and model.safetensors (or shards with an index).")
    Path model;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads (default: all processors).")
    Integer threads;

    void applyThreads() {
        if (threads != null) Parallel.setThreads(threads);
    }
}
