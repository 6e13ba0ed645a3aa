package dev.hymt4j.cli;

import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.tensor.Parallel;
import picocli.CommandLine.Option;

import dev.hymt4j.hub.ModelLocator;

import java.io.IOException;
import java.nio.file.Path;

/** The options every command that runs a model shares. */
final class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "DIR|FILE.gguf|REPO",
            description = "Model directory (config.json, model.safetensors or shards with an index, tokenizer.json), "
                    + "a GGUF file (any type hymt quantize or llama.cpp writes), "
                    + "or a hub repo id such as tencent/HY-MT1.5-1.8B (cached, or downloaded when online).")
    String model;

    @Option(names = "--adapter", paramLabel = "DIR",
            description = "A PEFT LoRA adapter applied on top of the model without merging (a quantized GGUF base too).")
    Path adapter;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads (default: all processors).")
    Integer threads;

    /** The model directory or GGUF file: the argument itself, or the cached hub snapshot of a repo id (downloaded if needed). */
    Path dir() throws IOException {
        return ModelLocator.resolve(model);
    }

    /** The --adapter checked against the model's configuration, or null without one. */
    LoraAdapter adapter(ModelConfig config) throws IOException {
        return adapter == null ? null : LoraAdapter.load(adapter, config);
    }

    void applyThreads() {
        if (threads != null) Parallel.setThreads(threads);
    }
}
