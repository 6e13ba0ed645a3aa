package dev.hymt4j.cli;

import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.quant.Nf4WeightSource;
import dev.hymt4j.weights.WeightSource;
import dev.hymt4j.weights.WeightSources;
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

    @Option(names = "--nf4",
            description = "Run the base's seven projections in NF4, quantized as the model loads (QLoRA's base: "
                    + "blocksize 64, double quantization), e.g. with the --adapter of a training run with qlora: true.")
    boolean nf4;

    @Option(names = "--threads", paramLabel = "N", description = "Compute threads (default: all processors).")
    Integer threads;

    /** The model directory or GGUF file: the argument itself, or the cached hub snapshot of a repo id (downloaded if needed). */
    Path dir() throws IOException {
        return ModelLocator.resolve(model);
    }

    /** The model's weights, with the projections in NF4 under --nf4. */
    WeightSource weights() throws IOException {
        return weights(dir(), nf4);
    }

    /** The weights of the model at {@code dir}, with the projections in NF4 when {@code nf4}. */
    static WeightSource weights(Path dir, boolean nf4) throws IOException {
        WeightSource source = WeightSources.open(dir);
        return nf4 ? new Nf4WeightSource(source) : source;
    }

    /** The --adapter checked against the model's configuration, or null without one. */
    LoraAdapter adapter(ModelConfig config) throws IOException {
        return adapter == null ? null : LoraAdapter.load(adapter, config);
    }

    void applyThreads() {
        if (threads != null) Parallel.setThreads(threads);
    }
}
