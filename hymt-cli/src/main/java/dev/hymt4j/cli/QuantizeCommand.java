package dev.hymt4j.cli;

import dev.hymt4j.gptq.CalibrationData;
import dev.hymt4j.gptq.GptqModelQuantizer;
import dev.hymt4j.gptq.GptqOptions;
import dev.hymt4j.gptq.GptqProgress;
import dev.hymt4j.io.AtomicDirectory;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code hymt quantize --method gptq}: GPTQ with calibration into a Hugging Face GPTQ checkpoint
 * ({@code --method rtn}: round-to-nearest into the same format, the baseline).
 */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Quantize a model. --method gptq: GPTQ (Frantar et al. 2022) calibrated on translation prompts, "
                + "written as a Hugging Face GPTQ checkpoint (transformers/optimum, GPTQModel, vLLM and hymt load it).")
public final class QuantizeCommand implements Callable<Integer> {
    enum Method { gptq, rtn }

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--method", required = true, description = "gptq, or rtn (round-to-nearest, the baseline).")
    Method method;

    @Mixin
    GptqQuantizeOptions gptq;

    @Writes(Writes.Kind.DIRECTORY)
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output model directory.")
    Path out;

    @Mixin
    ForceOption force;

    @Override
    public Integer call() throws Exception {
        model.applyThreads();
        GptqOptions options = gptq.options();
        Path dir = model.dir();
        ModelConfig config = ModelConfig.load(dir.resolve("config.json"));
        boolean calibrated = method == Method.gptq || gptq.compareRtn;
        if (calibrated && !Files.isRegularFile(dir.resolve("tokenizer.json"))) {
            throw new IllegalArgumentException(dir + ": missing tokenizer.json (calibration text is tokenized with the model's tokenizer)");
        }
        int[][] calibration = calibrated ? CalibrationData.load(gptq.calibration, Tokenizer.load(dir), gptq.samples, gptq.seqLen) : new int[0][];
        String name = gptq.calibration == null ? CalibrationData.DEFAULT_NAME : gptq.calibration.getFileName().toString();
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "%s %d-bit, group %d, %s%s: %d layers, calibration %d × %d tokens (%s)%n", method, options.bits(),
                options.groupSize(), options.sym() ? "sym" : "asym", options.actOrder() ? ", act-order" : "", config.numLayers(),
                calibration.length, gptq.seqLen, name);
        GptqModelQuantizer.Method m = method == Method.gptq ? GptqModelQuantizer.Method.GPTQ : GptqModelQuantizer.Method.RTN;
        GptqModelQuantizer.Report report;
        try (GptqProgress progress = new GptqProgress(config.numLayers(), o)) {
            GptqModelQuantizer quantizer = new GptqModelQuantizer(m, options, gptq.compareRtn);
            GptqModelQuantizer.Report[] written = new GptqModelQuantizer.Report[1];
            // Into a temporary sibling first: an interrupted quantization leaves no half-written model at --out.
            AtomicDirectory.write(out, tmp -> written[0] = quantizer.run(dir, calibration, name, tmp, progress));
            report = written[0];
        }
        double mean = report.layers().stream().mapToDouble(GptqModelQuantizer.LayerReport::meanError).average().orElse(0);
        o.printf(Locale.ROOT, "wrote %s (%.1f MB) in %.1f s; mean relative output error %.3e%n", out,
                Files.size(out.resolve("model.safetensors")) / 1e6, report.seconds(), mean);
        return 0;
    }
}
