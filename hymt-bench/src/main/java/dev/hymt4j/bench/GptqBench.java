package dev.hymt4j.bench;

import dev.hymt4j.gptq.GptqModelQuantizer;
import dev.hymt4j.gptq.GptqOptions;
import dev.hymt4j.model.DemoModel;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.tensor.Parallel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

/**
 * GPTQ wall time and peak RSS on the HY-MT1.5-1.8B shape: {@code GptqBench MODEL_DIR OUT_DIR LAYERS SAMPLES SEQ_LEN THREADS}.
 * Writes a random BF16 model of the 1.8B layer shape with LAYERS layers into MODEL_DIR if it is not there, then
 * quantizes it (4-bit, group 128, sym) on SAMPLES × SEQ_LEN calibration tokens (random ids: the cost does not depend
 * on the text), printing each layer's time, the total, and the peak RSS (VmHWM). Every layer of the 1.8B model has
 * the same shape, so the time per layer times 32 is the full model's time.
 */
public final class GptqBench {
    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]), out = Path.of(args[1]);
        int layers = Integer.parseInt(args[2]), samples = Integer.parseInt(args[3]), seqLen = Integer.parseInt(args[4]);
        Parallel.setThreads(Integer.parseInt(args[5]));
        DemoModel.Shape full = DemoModel.Shape.HY_MT_1_8B;
        if (!Files.isRegularFile(model.resolve("model.safetensors"))) {
            DemoModel.write(model, new DemoModel.Shape(full.vocabSize(), full.hiddenSize(), layers, full.heads(), full.kvHeads(),
                    full.headDim(), full.intermediateSize(), true), DType.BF16, 1);
        }
        Random r = new Random(1);
        int[][] calibration = new int[samples][seqLen];
        for (int[] s : calibration) for (int t = 0; t < seqLen; t++) s[t] = r.nextInt(full.vocabSize());
        GptqModelQuantizer.Report report = new GptqModelQuantizer(GptqModelQuantizer.Method.GPTQ, GptqOptions.DEFAULT, false)
                .run(model, calibration, "random", out, l -> System.out.printf(Locale.ROOT, "layer %d: %.1f s, error %.3e%n",
                        l.layer(), l.seconds(), l.meanError()));
        double perLayer = report.layers().stream().mapToDouble(GptqModelQuantizer.LayerReport::seconds).average().orElse(0);
        System.out.printf(Locale.ROOT, "GPTQ %d layers, %d x %d tokens, %d threads: %.1f s total, %.1f s per layer -> 32 layers ~ %.0f s; peak RSS %s%n",
                layers, samples, seqLen, Parallel.threads(), report.seconds(), perLayer, 32 * perLayer, peakRss());
    }

    static String peakRss() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) if (line.startsWith("VmHWM")) return line.substring(6).trim();
        return "?";
    }
}
