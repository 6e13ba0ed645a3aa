package dev.hymt4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.hymt4j.gguf.GgmlType;
import dev.hymt4j.gguf.GgufCheckpoint;
import dev.hymt4j.gguf.GgufFile;
import dev.hymt4j.gguf.GgufMetadata;
import dev.hymt4j.gguf.GgufModelWriter;
import dev.hymt4j.gguf.HunyuanGguf;
import dev.hymt4j.hub.ModelLocator;
import dev.hymt4j.model.Checkpoint;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.quant.GgufFileType;
import dev.hymt4j.tensor.Parallel;
import dev.hymt4j.tokenizer.GgufVocabularyWriter;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code hymt quantize}: a model directory (or a GGUF file) → a quantized GGUF file. The method decides the
 * output: {@code ggml} writes llama.cpp's block formats with llama-quantize's per-tensor type mix, byte for byte
 * what llama-quantize writes from the same float weights.
 */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = {"Quantize a model: a Hugging Face directory (or an F32/F16/BF16 GGUF file) to a GGUF file.",
                "--method ggml (default): llama.cpp's block formats and llama-quantize's per-tensor type choice for "
                        + "the _M mixes; the file loads in llama.cpp, Ollama, LM Studio and in hymt.",
                "Types: Q8_0, Q6_K, Q5_K_M, Q4_K_M, Q4_0, F16, BF16 (and F32)."})
public final class QuantizeCommand implements Callable<Integer> {
    /** How weights are quantized; each method names the types it writes. */
    enum Method { ggml }

    @Option(names = "--model", required = true, paramLabel = "DIR|FILE.gguf|REPO",
            description = "Model directory (config.json, safetensors, tokenizer.json), a GGUF file, or a hub repo id.")
    String model;

    @Option(names = "--type", required = true, paramLabel = "TYPE", description = "Output type (see above).")
    String type;

    @Option(names = "--method", defaultValue = "ggml", paramLabel = "METHOD", description = "Quantization method (default ${DEFAULT-VALUE}).")
    Method method;

    @Option(names = "--out", required = true, paramLabel = "FILE.gguf", description = "The GGUF file to write.")
    Path out;

    @Option(names = "--force", description = "Replace --out if it exists.")
    boolean force;

    @Option(names = "--allow-requantize", description = "Accept an already quantized GGUF as input (quality suffers, as in llama-quantize).")
    boolean allowRequantize;

    @Option(names = "--name", paramLabel = "NAME", description = "general.name in the file (default: the model's folder or file name).")
    String name;

    @Option(names = "--threads", paramLabel = "N", description = "Threads for quantizing (default: all processors).")
    Integer threads;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (threads != null) Parallel.setThreads(threads);
        return switch (method) {
            case ggml -> ggml();
        };
    }

    private int ggml() throws IOException {
        GgufFileType fileType;
        try {
            fileType = GgufFileType.valueOf(type.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--type " + type + " is not a ggml type; use one of "
                    + Arrays.toString(GgufFileType.values()));
        }
        Path input = Path.of(model);
        boolean gguf = Files.isRegularFile(input) && GgufFile.isGguf(input);
        Path source = gguf ? input : ModelLocator.resolve(model);
        checkOutput(source);
        long start = System.nanoTime();
        PrintWriter err = spec.commandLine().getErr();
        Map<GgmlType, Integer> counts = new TreeMap<>();
        try (ProgressBar bar = new ProgressBarBuilder().setTaskName("quantize " + fileType).setInitialMax(100)
                .setStyle(ProgressBarStyle.ASCII).setUnit("%", 1).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
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
                    JsonNode generationConfig = Files.isRegularFile(generation) ? new ObjectMapper().readTree(generation.toFile())
                            : MissingNode.getInstance();
                    GgufMetadata metadata = HunyuanGguf.converterMetadata(ckpt.config(), title, generationConfig, out.toString());
                    GgufVocabularyWriter.put(source, ckpt.config().vocabSize(), metadata);
                    GgufModelWriter.write(weights, fileType, metadata, out, progress);
                }
            }
        }
        StringBuilder mix = new StringBuilder();
        counts.forEach((t, n) -> mix.append(mix.isEmpty() ? "" : ", ").append(n).append(' ').append(t));
        err.printf(Locale.ROOT, "wrote %s: %s, %,d bytes, tensors %s (%.1f s)%n", out, fileType, Files.size(out), mix,
                (System.nanoTime() - start) / 1e9);
        return 0;
    }

    /** The output must not be the input or inside it, and an existing file is replaced only with --force. */
    private void checkOutput(Path source) throws IOException {
        Path target = out.toAbsolutePath().normalize();
        Path real = Files.exists(target) ? target.toRealPath() : target;
        Path input = source.toRealPath();
        if (real.equals(input) || real.startsWith(input)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--out " + out + " would overwrite the input " + source);
        }
        if (Files.isDirectory(target)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--out " + out + " is a directory; name the .gguf file to write");
        }
        if (Files.exists(target) && !force) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--out " + out + " already exists (add --force to replace it)");
        }
    }
}
