package dev.hymt4j.cli;

import dev.hymt4j.io.AtomicDirectory;
import dev.hymt4j.io.AtomicFile;
import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.model.Checkpoint;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.model.Training;
import dev.hymt4j.model.TrainingBatch;
import dev.hymt4j.optim.AdamW;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code hymt debug lora-steps}: N AdamW steps on one batch. Writes {@code DIR/losses.json} (the loss computed
 * just before each step) and the trained adapter in PEFT format in {@code DIR/adapter}.
 */
@Command(name = "lora-steps", mixinStandardHelpOptions = true,
        description = "Run N AdamW steps of LoRA training on one batch; write the losses and the trained adapter.")
public final class LoraStepsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Reads(Reads.Kind.DIRECTORY)
    @Option(names = "--model", required = true, description = "Base model directory.")
    Path model;

    @Reads(Reads.Kind.DIRECTORY)
    @Option(names = "--adapter", required = true, description = "PEFT adapter directory (the starting point).")
    Path adapter;

    @Reads(Reads.Kind.FILE)
    @Option(names = "--batch", required = true, description = "Safetensors file with input_ids, attention_mask, labels (I64 [B, T]).")
    Path batch;

    @Bounds(min = 1)
    @Option(names = "--steps", required = true, description = "Number of optimizer steps.")
    int steps;

    @Bounds(min = 0, minExclusive = true)
    @Option(names = "--lr", defaultValue = "1e-3", description = "Learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--betas", defaultValue = "0.9,0.999", description = "Adam betas b1,b2 (default ${DEFAULT-VALUE}).")
    String betas;

    @Bounds(min = 0, minExclusive = true)
    @Option(names = "--eps", defaultValue = "1e-8", description = "Adam epsilon (default ${DEFAULT-VALUE}).")
    double eps;

    @Bounds(min = 0)
    @Option(names = "--weight-decay", defaultValue = "0.01", description = "Decoupled weight decay (default ${DEFAULT-VALUE}).")
    double weightDecay;

    @Writes(Writes.Kind.DIRECTORY)
    @Option(names = "--out", required = true, description = "Output directory (losses.json, adapter/).")
    Path out;

    @picocli.CommandLine.Mixin
    ForceOption force;

    @Override
    public Integer call() throws Exception {
        String[] b = betas.split(",");
        if (b.length != 2) throw new ParameterException(spec.commandLine(), "--betas must be two numbers b1,b2, got '" + betas + "'");
        if (steps < 1) throw new ParameterException(spec.commandLine(), "--steps must be ≥ 1, got " + steps);
        try (Checkpoint ckpt = Checkpoint.open(model)) {
            LoraAdapter lora = LoraAdapter.load(adapter, ckpt.config());
            Training m = new Training(new HunyuanModel(ModelWeights.load(ckpt)), lora);
            AdamW opt = new AdamW(lora.parameters(), lr, Double.parseDouble(b[0].trim()), Double.parseDouble(b[1].trim()), eps, weightDecay);
            TrainingBatch data = TrainingBatch.load(batch);
            List<String> losses = new ArrayList<>();
            for (int s = 0; s < steps; s++) {
                opt.zeroGrad();
                float loss = m.forwardBackward(data, 1f);
                losses.add(Float.toString(loss));
                opt.step();
                System.out.printf("step %d: loss %.6f%n", s, loss);
            }
            AtomicDirectory.write(out, dir -> {
                AtomicFile.writeString(dir.resolve("losses.json"), "[" + String.join(", ", losses) + "]\n");
                lora.save(dir.resolve("adapter"));
            });
        }
        return 0;
    }
}
