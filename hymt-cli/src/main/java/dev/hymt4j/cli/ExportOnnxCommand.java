package dev.hymt4j.cli;

import dev.hymt4j.gguf.GgufFile;
import dev.hymt4j.io.AtomicDirectory;
import dev.hymt4j.onnx.OnnxExporter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code hymt export onnx}: the decoder with KV cache as one ONNX graph (onnxruntime-genai layout). */
@Command(name = "onnx", mixinStandardHelpOptions = true,
        description = "Export the decoder with KV cache as model.onnx (+ model.onnx.data over 2 GB), genai_config.json and "
                + "the tokenizer files, for ONNX Runtime and onnxruntime-genai, from a model directory or a GGUF file. int4 "
                + "uses com.microsoft:MatMulNBits: a GPTQ checkpoint's codes and a GGUF's Q4_0 blocks are carried over "
                + "losslessly; a float model (or other GGUF blocks, dequantized) is quantized round-to-nearest. fp32/fp16 "
                + "from a quantized GGUF hold its dequantized weights.")
public final class ExportOnnxCommand implements Callable<Integer> {
    enum Precision { fp32, fp16, int4 }

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Writes(Writes.Kind.DIRECTORY)
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;

    @Mixin
    ForceOption force;

    @Option(names = "--precision", defaultValue = "fp32", description = "fp32 (default), fp16 (weights; float32 compute) or int4.")
    Precision precision;

    @Bounds(min = 16, max = 4096)
    @Option(names = "--block-size", defaultValue = "32", description = "int4 block along the input dimension for a float model "
            + "(default ${DEFAULT-VALUE}; a GPTQ checkpoint keeps its group size).")
    int blockSize;

    @Bounds(min = 0, max = 4)
    @Option(names = "--accuracy-level", defaultValue = "0", description = "MatMulNBits accuracy_level: 0 unset, 1 fp32, 2 fp16, "
            + "3 bf16, 4 int8 activations (fastest on CPU) (default ${DEFAULT-VALUE}).")
    int accuracyLevel;

    @Override
    public Integer call() throws Exception {
        model.applyThreads();
        OnnxExporter.Precision p = OnnxExporter.Precision.valueOf(precision.name().toUpperCase(Locale.ROOT));
        Path dir = model.dir();
        long start = System.nanoTime();
        OnnxExporter.Result[] written = new OnnxExporter.Result[1];
        // Into a temporary sibling first: an interrupted export leaves no half-written graph at --out.
        AtomicDirectory.write(out, tmp -> written[0] = OnnxExporter.export(dir, tmp, new OnnxExporter.Options(p, blockSize, accuracyLevel, null)));
        OnnxExporter.Result r = written[0];
        Path graph = out.resolve(r.model().getFileName());
        long bytes = Files.size(graph) + (r.externalData() ? Files.size(out.resolve("model.onnx.data")) : 0);
        spec.commandLine().getOut().printf(Locale.ROOT, "wrote %s (%s%s, %.1f MB%s) in %.1f s%n", graph, precision,
                r.blockSize() > 0 ? ", block " + r.blockSize() : "", bytes / 1e6, r.externalData() ? ", external data" : "",
                (System.nanoTime() - start) / 1e9);
        if (p == OnnxExporter.Precision.INT4 && GgufFile.isGguf(dir)) {
            spec.commandLine().getOut().printf(Locale.ROOT, "int4 from GGUF: %d Q4_0 matrices carried over losslessly%n", r.carriedOver());
        }
        if (!r.requantized().isEmpty()) {
            double worst = r.requantized().values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
            spec.commandLine().getOut().printf(Locale.ROOT, "%d matrices re-quantized to int4 from other GGUF blocks (lossy), largest "
                    + "relative L2 error %.3e against the GGUF weights%n", r.requantized().size(), worst);
        }
        for (String note : r.notes()) spec.commandLine().getErr().println("note: " + note);
        return 0;
    }
}
