package dev.hymt4j.cli;

import dev.hymt4j.gguf.GgufCheckpoint;
import dev.hymt4j.gguf.GgufFile;
import dev.hymt4j.gguf.GgufTensorInfo;
import dev.hymt4j.gguf.HunyuanGguf;
import dev.hymt4j.hub.ModelLocator;
import dev.hymt4j.kv.PagedKvCache;
import dev.hymt4j.model.Checkpoint;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.quant.GgufFileType;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.safetensors.TensorInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code hymt inspect}: what a model directory holds and what running it will cost. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show a model's configuration, tensors, parameter count and memory estimate.")
public final class InspectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Reads(Reads.Kind.MODEL)
    @Option(names = "--model", required = true, paramLabel = "DIR|FILE.gguf|REPO", description = "Model directory, GGUF file or hub repo id.")
    String modelArg;

    @Bounds(min = 1)
    @Option(names = "--context", defaultValue = "4096", description = "Tokens to size the KV-cache estimate for (default ${DEFAULT-VALUE}).")
    int context;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Path model = ModelLocator.resolve(modelArg);
        if (GgufFile.isGguf(model)) {
            try (GgufCheckpoint gguf = GgufCheckpoint.open(model)) {
                ModelWeights.load(gguf); // validates every tensor against the metadata before we report on them
                printConfig(out, model, gguf.config());
                GgufFile f = gguf.file();
                out.printf("gguf            version %d, file type %s, alignment %d, %d metadata keys%n", f.version(),
                        f.metadata().get("general.file_type").map(v -> fileType(v.describe())).orElse("?"), f.alignment(),
                        f.metadata().asMap().size());
                out.println();
                out.printf("%-32s %-48s %-6s %s%n", "tensor", "hf name", "type", "ne");
                long parameters = 0;
                for (GgufTensorInfo t : f.tensors().values()) {
                    out.printf("%-32s %-48s %-6s %s%n", t.name(), HunyuanGguf.toHf(t.name()).orElse("?"), t.type(), t.neString());
                    parameters += t.elements();
                }
                printFooter(out, gguf.config(), parameters, Files.size(model), 1);
            }
            return 0;
        }
        try (Checkpoint ckpt = Checkpoint.open(model)) {
            ModelConfig c = ckpt.config();
            ModelWeights.load(ckpt); // validates every tensor against the config before we report on them
            printConfig(out, model, c);
            out.printf("%-56s %-5s %-14s %s%n", "tensor", "dtype", "shape", "file");
            long parameters = 0, mapped = 0;
            for (String name : ckpt.tensorNames()) {
                TensorInfo t = ckpt.info(name);
                out.printf("%-56s %-5s %-14s %s%n", name, t.dtype(), t.shapeString().replace(" ", ""),
                        ckpt.fileOf(name).getFileName());
                parameters += t.numel();
            }
            for (SafetensorsFile f : ckpt.files()) mapped += Files.size(f.path());
            printFooter(out, c, parameters, mapped, ckpt.files().size());
        }
        return 0;
    }

    private static void printConfig(PrintWriter out, Path model, ModelConfig c) {
        out.printf("model           %s%n", model);
        out.printf("model_type      %s%n", c.modelType());
        out.printf("layers          %d, hidden %d, intermediate %d, vocab %d%n", c.numLayers(), c.hiddenSize(),
                c.intermediateSize(), c.vocabSize());
        out.printf("attention       %d heads, %d KV heads (group %d), head_dim %d, qk-norm %b%n", c.numHeads(),
                c.numKvHeads(), c.kvGroup(), c.headDim(), c.useQkNorm());
        out.printf("rope            type %s, theta %s, alpha %s, factor %s → effective base %.2f%n", c.ropeType(),
                c.ropeTheta(), c.ropeAlpha(), c.ropeFactor(), c.effectiveRopeBase());
        out.printf("norm eps        %s; max positions %d; tied embeddings %b%n", c.rmsNormEps(),
                c.maxPositionEmbeddings(), c.tieWordEmbeddings());
        out.printf("special ids     bos %d, eos %s, pad %d%n", c.bosTokenId(), c.eosTokenIds(), c.padTokenId());
        out.println();
    }

    private void printFooter(PrintWriter out, ModelConfig c, long parameters, long mapped, int files) {
        long kvPerToken = PagedKvCache.bytesPerToken(c.numLayers(), c.kvDim());
        out.println();
        out.printf("parameters      %,d%n", parameters);
        out.printf("mapped          %,d bytes (%s) in %d file(s)%n", mapped, size(mapped), files);
        out.printf("memory estimate weights %s (mapped, paged in on use); KV cache %s per token (float32)"
                + " = %s at %d tokens%n", size(mapped), size(kvPerToken), size(kvPerToken * context), context);
    }

    /** {@code general.file_type} as its llama.cpp name where we know it, e.g. "15 (Q4_K_M)". */
    private static String fileType(String id) {
        GgufFileType t = GgufFileType.byId(Long.parseLong(id));
        return t == null ? id : id + " (" + t + ")";
    }

    /** Bytes in the largest binary unit that keeps the number ≥ 1, e.g. "512 B", "128.0 KiB", "3.34 GiB". */
    static String size(long bytes) {
        if (bytes < 1024) return bytes + " B";
        if (bytes < 1L << 20) return String.format("%.1f KiB", bytes / 1024.0);
        if (bytes < 1L << 30) return String.format("%.1f MiB", bytes / (double) (1L << 20));
        return String.format("%.2f GiB", bytes / (double) (1L << 30));
    }
}
