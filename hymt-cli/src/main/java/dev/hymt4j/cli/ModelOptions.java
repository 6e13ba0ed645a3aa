package dev.hymt4j.cli;

import dev.hymt4j.hub.ModelLocator;
import dev.hymt4j.tensor.Parallel;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** The options every command that runs a model shares. */
final class ModelOptions {
    @Reads(Reads.Kind.MODEL)
    @Option(names = "--model", required = true, paramLabel = "DIR|FILE.gguf|REPO",
            description = "Model directory (config.json, model.safetensors or shards with an index, tokenizer.json), "
                    + "a GGUF file (any type hymt quantize or llama.cpp writes), "
                    + "or a hub repo id such as tencent/HY-MT1.5-1.8B (cached, or downloaded when online).")
    String model;

    @Bounds(min = 1, max = 4096)
    @Option(names = "--threads", paramLabel = "N", description = "Compute threads (default: all processors).")
    Integer threads;

    /** The model directory or GGUF file: the argument itself, or the cached hub snapshot of a repo id (downloaded if needed). */
    Path dir() throws IOException {
        return ModelLocator.resolve(model);
    }

    /** Token ids given on the command line must be ids of the model (an id past the vocabulary is a typo). */
    static void requireTokenIds(picocli.CommandLine.Model.CommandSpec spec, String option, int[] ids, int vocabSize) {
        if (ids == null) return;
        for (int id : ids) {
            if (id >= vocabSize) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), option + " " + id
                        + ": not a token id of this model (its vocabulary is 0.." + (vocabSize - 1) + ")");
            }
        }
    }

    void applyThreads() {
        if (threads != null) Parallel.setThreads(threads);
    }
}
