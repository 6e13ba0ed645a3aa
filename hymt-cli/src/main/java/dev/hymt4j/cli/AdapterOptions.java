package dev.hymt4j.cli;

import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.onednn.OneDnnWeightSource;
import dev.hymt4j.quant.Nf4WeightSource;
import dev.hymt4j.weights.WeightSource;
import dev.hymt4j.weights.WeightSources;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/**
 * How the commands that run a model ({@code translate}, {@code generate}, {@code debug logits}) apply a fine-tune
 * without merging it: a PEFT adapter on top, and the base in NF4 as a QLoRA run trained it. Kept apart from
 * {@link ModelOptions} because the commands that convert a model ({@code quantize}, {@code export onnx}) take no
 * adapter.
 */
final class AdapterOptions {
    @Reads(Reads.Kind.DIRECTORY)
    @Option(names = "--adapter", paramLabel = "DIR",
            description = "A PEFT LoRA adapter applied on top of the model without merging (a quantized GGUF base too).")
    Path adapter;

    @Option(names = "--nf4",
            description = "Run the base's seven projections in NF4, quantized as the model loads (QLoRA's base: "
                    + "blocksize 64, double quantization), e.g. with the --adapter of a training run with qlora: true.")
    boolean nf4;

    /** Where the products of prefill and large batches run. */
    enum Backend { java, onednn }

    @Option(names = "--backend", paramLabel = "java|onednn",
            description = {"java (the default): exact FP32, batch-invariant. onednn: products of 16 or more tokens (prefill, "
                    + "large batches) in oneDNN with BF16 compute, as PyTorch's bf16 autocast — faster prefill on CPUs with "
                    + "AVX-512 BF16 or AMX, neither exact nor batch-invariant; BF16 and F32 weights in place, GGUF block types "
                    + "decoded to BF16 per product (NF4 and GPTQ stay on java); falls back to java, with one line, where oneDNN cannot load."})
    Backend backend = Backend.java;

    /**
     * The weights of the model at {@code model} (a directory or a GGUF file), with the projections in NF4 under --nf4
     * and the products behind oneDNN under --backend onednn.
     */
    WeightSource weights(Path model) throws IOException {
        WeightSource source = weights(model, nf4);
        return backend == Backend.onednn ? OneDnnWeightSource.wrap(source, System.err::println) : source;
    }

    /** The weights of the model at {@code model}, with the projections in NF4 when {@code nf4}. */
    static WeightSource weights(Path model, boolean nf4) throws IOException {
        WeightSource source = WeightSources.open(model);
        return nf4 ? new Nf4WeightSource(source) : source;
    }

    /** The --adapter checked against the model's configuration, or null without one. */
    LoraAdapter adapter(ModelConfig config) throws IOException {
        return adapter == null ? null : LoraAdapter.load(adapter, config);
    }
}
