package dev.hymt4j.cli;

import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.model.Checkpoint;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.model.Training;
import dev.hymt4j.model.TrainingBatch;
import dev.hymt4j.safetensors.SafetensorsWriter;
import dev.hymt4j.tensor.Parameter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code hymt debug lora-grads}: loss and LoRA gradients of one batch, for comparison with PEFT. Output tensors:
 * {@code loss} [1] and one gradient per LoRA matrix under its PEFT parameter name
 * ({@code base_model.model.model.layers.0.self_attn.q_proj.lora_A.default.weight}).
 */
@Command(name = "lora-grads", mixinStandardHelpOptions = true,
        description = "Compute the loss and the LoRA gradients of one batch and write them as safetensors.")
public final class LoraGradsCommand implements Callable<Integer> {
    @Reads(Reads.Kind.DIRECTORY)
    @Option(names = "--model", required = true, description = "Base model directory.")
    Path model;

    @Reads(Reads.Kind.DIRECTORY)
    @Option(names = "--adapter", required = true, description = "PEFT adapter directory.")
    Path adapter;

    @Reads(Reads.Kind.FILE)
    @Option(names = "--batch", required = true, description = "Safetensors file with input_ids, attention_mask, labels (I64 [B, T]).")
    Path batch;

    @Writes(Writes.Kind.FILE)
    @Option(names = "--out", required = true, description = "Output safetensors file.")
    Path out;

    @picocli.CommandLine.Mixin
    ForceOption force;

    @Override
    public Integer call() throws Exception {
        try (Checkpoint ckpt = Checkpoint.open(model)) {
            LoraAdapter lora = LoraAdapter.load(adapter, ckpt.config());
            float loss = new Training(new HunyuanModel(ModelWeights.load(ckpt)), lora).forwardBackward(TrainingBatch.load(batch), 1f);
            SafetensorsWriter w = new SafetensorsWriter();
            w.addF32("loss", new long[]{1}, new float[]{loss});
            for (Parameter p : lora.parameters()) w.addF32(p.name(), p.shape(), p.grad());
            w.write(out);
            System.out.printf("loss %.6f; %d gradients → %s%n", loss, lora.parameters().size(), out);
        }
        return 0;
    }
}
