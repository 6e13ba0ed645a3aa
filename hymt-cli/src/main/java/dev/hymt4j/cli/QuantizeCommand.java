package dev.hymt4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.hymt4j.gguf.GgmlType;
import dev.hymt4j.gguf.GgufCheckpoint;
import dev.hymt4j.gguf.GgufFile;
import dev.hymt4j.gguf.GgufMetadata;
import dev.hymt4j.gguf.GgufModelWriter;
import dev.hymt4j.gguf.HunyuanGguf;
import dev.hymt4j.gptq.CalibrationData;
import dev.hymt4j.gptq.GptqModelQuantizer;
import dev.hymt4j.gptq.GptqOptions;
import dev.hymt4j.gptq.GptqProgress;
import dev.hymt4j.gptq.GptqToGguf;
import dev.hymt4j.io.AtomicDirectory;
import dev.hymt4j.io.ConfigFields;
import dev.hymt4j.model.Checkpoint;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.quant.GgufFileType;
import dev.hymt4j.quant.GptqConfig;
import dev.hymt4j.tokenizer.GgufVocabularyWriter;
import dev.hymt4j.tokenizer.Tokenizer;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code hymt quantize}: one command, two containers. {@code --type} writes a GGUF file in llama.cpp's block
 * formats, with llama-quantize's per-tensor type mix and quantization math (byte for byte what llama-quantize
 * writes from the same float weights); {@code --method gptq|rtn} writes a Hugging Face GPTQ checkpoint directory.
 */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = {"Quantize a model.",
                "--type Q8_0|Q6_K|Q5_K_M|Q4_K_M|Q4_0|F16|BF16 (or F32) --out FILE.gguf: a GGUF file from a Hugging Face "
                        + "directory (or an F32/F16/BF16 GGUF file), with llama-quantize's per-tensor type choice for the _M "
                        + "mixes and the tokenizer and chat template; it loads in llama.cpp, Ollama, LM Studio and hymt.",
                "From a GPTQ checkpoint directory, --type Q4_0 (4-bit symmetric) or Q8_0 (8-bit symmetric) carries the codes "
                        + "and scales over bit for bit (groups a multiple of 32, no act-order), F32 holds the dequantized weights "
                        + "exactly; float tensors keep their type.",
                "--method gptq --out DIR: GPTQ (Frantar et al. 2022) calibrated on translation prompts, written as a Hugging "
                        + "Face GPTQ checkpoint (transformers/optimum, GPTQModel, vLLM and hymt load it); --method rtn: "
                        + "round-to-nearest into the same format, the baseline."})
public final class QuantizeCommand implements Callable<Integer> {
    enum Method { gptq, rtn }

    /** The options of the GGUF path only; {@link GptqQuantizeOptions} holds those of the GPTQ path. */
    private static final List<String> GGUF_ONLY = List.of("--allow-requantize", "--name");

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = "--type", paramLabel = "TYPE", description = "GGUF type to write (see above); --out is then the .gguf file.")
    String type;

    @Option(names = "--method", description = "gptq, or rtn (round-to-nearest, the baseline): a GPTQ checkpoint; --out is then a directory.")
    Method method;

    @Mixin
    GptqQuantizeOptions gptq;

    @Option(names = "--allow-requantize", description = {"With --type: accept an already quantized GGUF as input (quality suffers, as in llama-quantize);",
            "from a GPTQ checkpoint: re-quantize the matrices that have no exact form in --type (lossless: 4-bit symmetric → Q4_0, "
                    + "8-bit symmetric → Q8_0, groups a multiple of 32, no act-order); the error is measured and reported."})
    boolean allowRequantize;

    @Option(names = "--name", paramLabel = "NAME", description = "With --type: general.name in the file (default: the model's folder name).")
    String name;

    @Writes(value = Writes.Kind.FILE, directoryWith = "--method")
    @Option(names = "--out", required = true, paramLabel = "FILE.gguf|DIR",
            description = "The GGUF file to write (--type) or the checkpoint directory (--method).")
    Path out;

    @Mixin
    ForceOption force;

    @Override
    public Integer call() throws Exception {
        if (type != null && method != null) {
            throw new ParameterException(spec.commandLine(), "give --type (a GGUF file) or --method " + method
                    + " (a GPTQ checkpoint directory), not both");
        }
        if (type == null && method == null) {
            throw new ParameterException(spec.commandLine(), "give --type " + types("|")
                    + " to write a GGUF file, or --method gptq|rtn to write a GPTQ checkpoint directory");
        }
        refuseOptionsOfTheOtherPath();
        model.applyThreads();
        return type != null ? gguf() : gptq();
    }

    /** An option of the path not taken would be silently ignored: refused instead. */
    private void refuseOptionsOfTheOtherPath() {
        var parsed = spec.commandLine().getParseResult();
        for (OptionSpec o : spec.options()) {
            if (!parsed.hasMatchedOption(o)) continue;
            boolean gptqOnly = o.userObject() instanceof java.lang.reflect.Field f && f.getDeclaringClass() == GptqQuantizeOptions.class;
            if (type != null && gptqOnly) {
                throw new ParameterException(spec.commandLine(), o.longestName() + " is an option of --method gptq|rtn, not of --type " + type);
            }
            if (method != null && GGUF_ONLY.contains(o.longestName())) {
                throw new ParameterException(spec.commandLine(), o.longestName() + " is an option of --type (GGUF), not of --method " + method);
            }
        }
    }

    private int gguf() throws IOException {
        GgufFileType fileType;
        try {
            fileType = GgufFileType.valueOf(type.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--type " + type + " is not a GGUF type; use one of "
                    + types(", ") + " (or --method gptq|rtn for a GPTQ checkpoint)");
        }
        Path source = model.dir();
        boolean gguf = GgufFile.isGguf(source);
        long start = System.nanoTime();
        Map<GgmlType, Integer> counts = new TreeMap<>();
        GptqToGguf.Result converted = null;
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("quantize " + fileType).setInitialMax(100)
                .setStyle(ProgressBarStyle.ASCII).setUnit("%", 1).setConsumer(new ConsoleProgressBarConsumer(System.err))
                .continuousUpdate().build()) {
            GgufModelWriter.Progress progress = new GgufModelWriter.Progress() {
                @Override
                public void tensor(String tensor, GgmlType t, int index, int count) {
                    counts.merge(t, 1, Integer::sum);
                    bar.setExtraMessage(tensor);
                }

                @Override
                public void advanced(long done, long total) {
                    bar.stepTo(100 * done / Math.max(1, total));
                }
            };
            if (gguf) {
                try (GgufCheckpoint c = GgufCheckpoint.open(source)) {
                    var quantized = c.file().tensors().values().stream().filter(t -> t.type().isQuantized()).findFirst();
                    if (quantized.isPresent() && !allowRequantize) {
                        throw new IOException(source + ": tensor '" + quantized.get().name() + "' is already " + quantized.get().type()
                                + "; quantize from F32/F16/BF16 weights, or pass --allow-requantize");
                    }
                    GgufModelWriter.write(ModelWeights.load(c), fileType, c.file().metadata(), out, progress);
                }
            } else {
                try (Checkpoint ckpt = Checkpoint.open(source)) {
                    ModelWeights weights = ModelWeights.load(ckpt);
                    String title = name != null ? name : source.toAbsolutePath().normalize().getFileName().toString();
                    Path generation = source.resolve("generation_config.json");
                    JsonNode generationConfig = Files.isRegularFile(generation) ? ConfigFields.read(generation, IOException::new)
                            : MissingNode.getInstance();
                    GgufMetadata metadata = HunyuanGguf.converterMetadata(ckpt.config(), title, generationConfig, out.toString());
                    GgufVocabularyWriter.put(source, ckpt.config().vocabSize(), metadata);
                    if (GptqConfig.find(source) != null) converted = GptqToGguf.convert(weights, fileType, metadata, allowRequantize, out, progress);
                    else GgufModelWriter.write(weights, fileType, metadata, out, progress);
                }
            }
        }
        StringBuilder mix = new StringBuilder();
        counts.forEach((t, n) -> mix.append(mix.isEmpty() ? "" : ", ").append(n).append(' ').append(t));
        PrintWriter err = spec.commandLine().getErr();
        err.printf(Locale.ROOT, "wrote %s: %s, %,d bytes, tensors %s (%.1f s)%n", out, fileType, Files.size(out), mix,
                (System.nanoTime() - start) / 1e9);
        if (converted != null) {
            err.printf(Locale.ROOT, "GPTQ → %s: %d matrices carried over bit for bit (checked on the written file)%n", fileType, converted.lossless());
            if (!converted.requantized().isEmpty()) {
                err.printf(Locale.ROOT, "%d matrices re-quantized (lossy), largest relative L2 error %.3e:%n", converted.requantized().size(),
                        converted.maxRelativeError());
                converted.requantized().forEach((tensor, why) -> err.println("  " + tensor + ": " + why));
            }
        }
        return 0;
    }

    private static String types(String separator) {
        return String.join(separator, Arrays.stream(GgufFileType.values()).map(Enum::name).toList());
    }

    private int gptq() throws Exception {
        GptqOptions options = gptq.options();
        Path dir = model.dir();
        if (GgufFile.isGguf(dir)) {
            throw new IOException(dir + ": --method " + method + " quantizes a Hugging Face directory (safetensors), not a GGUF "
                    + "file; give the directory the GGUF was made from, or use --type for another GGUF type");
        }
        ModelConfig config = ModelConfig.load(dir.resolve("config.json"));
        boolean calibrated = method == Method.gptq || gptq.compareRtn;
        if (calibrated && !Files.isRegularFile(dir.resolve("tokenizer.json"))) {
            throw new IllegalArgumentException(dir + ": missing tokenizer.json (calibration text is tokenized with the model's tokenizer)");
        }
        int[][] calibration = calibrated ? CalibrationData.load(gptq.calibration, Tokenizer.load(dir), gptq.samples, gptq.seqLen) : new int[0][];
        String calibrationName = gptq.calibration == null ? CalibrationData.DEFAULT_NAME : gptq.calibration.getFileName().toString();
        PrintWriter o = spec.commandLine().getOut();
        o.printf(Locale.ROOT, "%s %d-bit, group %d, %s%s: %d layers, calibration %d × %d tokens (%s)%n", method, options.bits(),
                options.groupSize(), options.sym() ? "sym" : "asym", options.actOrder() ? ", act-order" : "", config.numLayers(),
                calibration.length, gptq.seqLen, calibrationName);
        GptqModelQuantizer.Method m = method == Method.gptq ? GptqModelQuantizer.Method.GPTQ : GptqModelQuantizer.Method.RTN;
        GptqModelQuantizer.Report report;
        try (GptqProgress progress = new GptqProgress(config.numLayers(), o)) {
            GptqModelQuantizer quantizer = new GptqModelQuantizer(m, options, gptq.compareRtn);
            GptqModelQuantizer.Report[] written = new GptqModelQuantizer.Report[1];
            // Into a temporary sibling first: an interrupted quantization leaves no half-written model at --out.
            AtomicDirectory.write(out, tmp -> written[0] = quantizer.run(dir, calibration, calibrationName, tmp, progress));
            report = written[0];
        }
        double mean = report.layers().stream().mapToDouble(GptqModelQuantizer.LayerReport::meanError).average().orElse(0);
        // Round-to-nearest without --compare-rtn has no calibration activations, hence no output error to report.
        o.printf(Locale.ROOT, "wrote %s (%.1f MB) in %.1f s%s%n", out, Files.size(out.resolve("model.safetensors")) / 1e6, report.seconds(),
                Double.isNaN(mean) ? "" : String.format(Locale.ROOT, "; mean relative output error %.3e", mean));
        return 0;
    }
}
