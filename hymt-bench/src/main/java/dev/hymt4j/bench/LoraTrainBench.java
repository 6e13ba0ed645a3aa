package dev.hymt4j.bench;

import dev.hymt4j.model.Checkpoint;
import dev.hymt4j.model.DemoModel;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.onednn.TrainingBackend;
import dev.hymt4j.quant.QuantizedModels;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.tensor.MappedMatrix;
import dev.hymt4j.tensor.Parallel;
import dev.hymt4j.train.LoraStepTimer;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * LoRA training throughput and peak memory on the HY-MT1.5-1.8B shape with random weights.
 *
 * <pre>
 *   LoraTrainBench write DIR [LAYERS]                 # random BF16 model of the 1.8B shape (3.6 GB for 32 layers)
 *   LoraTrainBench run DIR bf16|nf4 BxT on|off STEPS [java|onednn|auto]  # r 16 on all seven projections; one result line
 * </pre>
 * Run each configuration in a fresh JVM: the peak RSS (VmHWM) then belongs to that configuration alone. For
 * NF4 the BF16 checkpoint is quantized and then unmapped (the embedding is copied first), so its pages leave
 * the RSS; the high-water mark is reset after quantization (/proc/self/clear_refs) to measure training only.
 */
public final class LoraTrainBench {

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("write")) {
            write(Path.of(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : 32);
        } else if ((args.length == 6 || args.length == 7) && args[0].equals("run")) {
            String[] bt = args[3].split("x");
            run(Path.of(args[1]), args[2], Integer.parseInt(bt[0]), Integer.parseInt(bt[1]), args[4].equals("on"), Integer.parseInt(args[5]),
                    args.length == 7 ? args[6] : "java");
        } else {
            System.err.println("usage: LoraTrainBench write DIR [LAYERS] | run DIR bf16|nf4 BxT on|off STEPS [java|onednn|auto]");
            System.exit(2);
        }
    }

    /** The random model is the demo writer's 1.8B shape, optionally with fewer layers (written streaming). */
    static void write(Path dir, int layers) throws IOException {
        long t0 = System.nanoTime();
        DemoModel.Shape full = DemoModel.Shape.HY_MT_1_8B;
        DemoModel.write(dir, new DemoModel.Shape(full.vocabSize(), full.hiddenSize(), layers, full.heads(), full.kvHeads(),
                full.headDim(), full.intermediateSize(), full.tied()), DType.BF16, 1);
        System.out.printf("wrote %s (%d layers, %.2f GB) in %.1f s%n", dir, layers,
                Files.size(dir.resolve(Checkpoint.SINGLE_FILE)) / 1e9, (System.nanoTime() - t0) / 1e9);
    }

    static void run(Path dir, String base, int batch, int len, boolean checkpointing, int steps, String backend) throws Exception {
        Checkpoint ckpt = Checkpoint.open(dir);
        ModelConfig c = ckpt.config();
        ModelWeights w = ModelWeights.load(ckpt);
        double quantizeSeconds = 0;
        if (base.equals("nf4")) {
            long t0 = System.nanoTime();
            ModelWeights q = QuantizedModels.nf4(w, 64, true);
            // Keep the embedding (also the tied head) as BF16 on the heap, then unmap the checkpoint.
            MappedMatrix e = (MappedMatrix) w.embedding();
            byte[] copy = e.segment().toArray(ValueLayout.JAVA_BYTE);
            MappedMatrix embedding = new MappedMatrix(MemorySegment.ofArray(copy), DType.BF16, e.rows(), e.cols());
            w = new ModelWeights(c, embedding, q.layers(), q.finalNorm(), embedding);
            ckpt.close();
            System.gc();
            quantizeSeconds = (System.nanoTime() - t0) / 1e9;
        }
        TrainingBackend.Choice choice = TrainingBackend.parse(backend).choose(w);
        System.out.println(choice.line());
        w = choice.weights();
        backend = choice.backend().configName();
        resetPeakRss();
        LoraStepTimer.Result r = LoraStepTimer.time(w, batch, len, checkpointing, steps);
        System.out.printf("RESULT backend=%s base=%s batch=%dx%d checkpointing=%s layers=%d threads=%d step_s=%s cpu_s=%s tokens_per_s=%.1f"
                        + " peak_rss_gb=%.2f saved_activations_mb=%.1f loss=%.3f quantize_s=%.1f%n",
                backend, base, batch, len, checkpointing ? "on" : "off", c.numLayers(), Parallel.threads(), oneDecimal(r.stepSeconds()),
                oneDecimal(r.cpuSeconds()), r.tokensPerSecond(), peakRssKb() / 1048576.0, r.savedActivationBytes() / 1048576.0, r.loss(),
                quantizeSeconds);
    }

    private static List<String> oneDecimal(List<Double> seconds) {
        return seconds.stream().map(s -> String.format("%.1f", s)).toList();
    }

    /** Writing "5" to clear_refs resets the VmHWM high-water mark to the current RSS (Linux ≥ 4.0). */
    private static void resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException e) {
            System.err.println("cannot reset VmHWM: " + e.getMessage());
        }
    }

    private static long peakRssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", ""));
        }
        return -1;
    }
}
