package dev.hymt4j.train;

import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.lora.LoraConfig;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.model.Training;
import dev.hymt4j.model.TrainingBatch;
import dev.hymt4j.optim.AdamW;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Times the LoRA training step that the benchmarks compare with PyTorch's ({@code hymt-bench/scripts/torch_lora_step.py}):
 * r 16, alpha 32, dropout 0.05 on all seven projections, AdamW, one batch of {@code batch × len} random tokens
 * (all real, labels = inputs), forward + backward + optimizer step, repeated {@code steps} times on the same batch.
 * Used by {@code hymt bench --case lora} and {@code LoraTrainBench}.
 */
public final class LoraStepTimer {
    /** The seven projections, as PyTorch's script adapts them. */
    public static final LoraConfig ALL_LINEAR = LoraConfig.of(16, 32, 0.05, "q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
            "up_proj", "down_proj");

    /**
     * @param stepSeconds wall seconds of each step, in order (the first includes JIT compilation)
     * @param cpuSeconds  process CPU seconds of each step
     * @param loss        the last step's loss
     * @param savedActivationBytes what the forward pass kept for the backward pass
     */
    public record Result(int tokens, List<Double> stepSeconds, List<Double> cpuSeconds, float loss, long savedActivationBytes) {
        public double bestSeconds() {
            return stepSeconds.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        }

        public double tokensPerSecond() {
            return tokens / bestSeconds();
        }
    }

    private LoraStepTimer() {}

    public static Result time(ModelWeights weights, int batch, int len, boolean checkpointing, int steps) {
        ModelConfig c = weights.config();
        LoraAdapter adapter = LoraAdapter.create(c, ALL_LINEAR, 1);
        Training model = new Training(new HunyuanModel(weights), adapter).setGradientCheckpointing(checkpointing);
        AdamW opt = AdamW.withDefaults(adapter.parameters(), 1e-4);
        SplittableRandom rng = new SplittableRandom(7);
        int n = batch * len;
        int[] ids = new int[n], mask = new int[n], labels = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = rng.nextInt(c.vocabSize());
            mask[i] = 1;
            labels[i] = ids[i];
        }
        TrainingBatch b = new TrainingBatch(batch, len, ids, mask, labels);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        List<Double> wall = new ArrayList<>(), cpu = new ArrayList<>();
        float loss = 0;
        for (int s = 0; s < steps; s++) {
            long c0 = os.getProcessCpuTime(), t0 = System.nanoTime();
            loss = model.forwardBackward(b, 1f);
            opt.step();
            opt.zeroGrad();
            wall.add((System.nanoTime() - t0) / 1e9);
            cpu.add((os.getProcessCpuTime() - c0) / 1e9);
        }
        return new Result(n, List.copyOf(wall), List.copyOf(cpu), loss, model.savedActivationBytes());
    }
}
