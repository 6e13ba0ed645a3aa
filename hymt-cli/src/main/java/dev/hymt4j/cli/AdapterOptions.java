package dev.hymt4j.cli;

import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.model.ModelConfig;
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

    /** The weights of the model at {@code model} (a directory or a GGUF file), with the projections in NF4 under --nf4. */
    WeightSource weights(Path model) throws IOException {
        return weights(model, nf4);
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
