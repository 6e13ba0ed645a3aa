package dev.hymt4j.cli;

import dev.hymt4j.io.AtomicDirectory;
import dev.hymt4j.merge.Merger;
import dev.hymt4j.safetensors.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code hymt merge}: base model + PEFT LoRA adapter → a merged Hugging Face model directory. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Merge a LoRA adapter into its base model (W + scale·B·A) and write a Hugging Face model directory.")
public final class MergeCommand implements Callable<Integer> {
    enum OutDtype { bf16, f32 }

    @Reads(Reads.Kind.DIRECTORY)
    @Option(names = "--model", required = true, description = "Base model directory (config.json + safetensors).")
    Path model;

    @Reads(Reads.Kind.DIRECTORY)
    @Option(names = "--adapter", required = true, description = "PEFT adapter directory (adapter_config.json + adapter_model.safetensors).")
    Path adapter;

    @Writes(Writes.Kind.DIRECTORY)
    @Option(names = "--out", required = true, description = "Output model directory.")
    Path out;

    @picocli.CommandLine.Mixin
    ForceOption force;

    @Option(names = "--dtype", description = "Weight dtype of the output: bf16 or f32 (default: the base's dtype).")
    OutDtype dtype;

    @Override
    public Integer call() throws Exception {
        DType d = dtype == null ? null : dtype == OutDtype.bf16 ? DType.BF16 : DType.F32;
        // Into a temporary sibling first: a failed or interrupted merge leaves no half-written model at --out.
        AtomicDirectory.write(out, dir -> Merger.merge(model, adapter, dir, d));
        System.out.println("merged " + adapter + " into " + model + " → " + out);
        return 0;
    }
}
