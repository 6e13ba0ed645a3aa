package dev.hymt4j.cli;

import dev.hymt4j.gguf.GgufCheckpoint;
import dev.hymt4j.gguf.GgufFile;
import dev.hymt4j.hub.ModelLocator;
import dev.hymt4j.io.ConfigFields;
import dev.hymt4j.io.PathPlan;
import dev.hymt4j.lora.GgufAdapterWriter;
import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.quant.GgufFileType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code hymt export gguf-lora}: a PEFT LoRA adapter → llama.cpp's GGUF adapter format (ships without merging). */
@Command(name = "gguf-lora", mixinStandardHelpOptions = true,
        description = {"Write a PEFT LoRA adapter as a llama.cpp GGUF adapter (llama-server --lora, Ollama ADAPTER, hymt --adapter).",
                "The base model's configuration is read from --model, else from base_model_name_or_path in adapter_config.json."})
public final class ExportGgufLoraCommand implements Callable<Integer>, DeclaresPaths {
    enum OutType { f32, f16, bf16 }

    @Reads(Reads.Kind.DIRECTORY)
    @Option(names = "--adapter", required = true, paramLabel = "DIR", description = "PEFT adapter directory.")
    Path adapter;

    @Reads(Reads.Kind.MODEL)
    @Option(names = "--model", paramLabel = "DIR|FILE.gguf|REPO", description = "The base model (default: the adapter's base_model_name_or_path).")
    String model;

    @Writes(Writes.Kind.FILE)
    @Option(names = "--out", required = true, paramLabel = "FILE.gguf", description = "The GGUF adapter file to write.")
    Path out;

    @Mixin
    ForceOption force;

    @Option(names = "--outtype", defaultValue = "f32", description = "Tensor type: f32, f16 or bf16 (default ${DEFAULT-VALUE}, as llama.cpp's converter).")
    OutType outType;

    @Spec
    CommandSpec spec;

    /** Without --model the base named in adapter_config.json is read too: an input like the others. */
    @Override
    public void declarePaths(PathPlan plan) throws IOException {
        if (model != null) return;
        String base = baseNamedByAdapter();
        if (!base.isEmpty()) plan.reads("base_model_name_or_path", CommandPaths.inputPath(Reads.Kind.MODEL, base));
    }

    @Override
    public Integer call() throws Exception {
        ModelConfig base = baseConfig();
        LoraAdapter lora = LoraAdapter.load(adapter, base);
        GgufFileType type = switch (outType) {
            case f32 -> GgufFileType.F32;
            case f16 -> GgufFileType.F16;
            case bf16 -> GgufFileType.BF16;
        };
        GgufAdapterWriter.write(lora, type, adapter.toAbsolutePath().normalize().getFileName().toString(), out);
        spec.commandLine().getErr().printf("wrote %s: LoRA r=%d alpha=%s, %d modules, %,d bytes%n", out, lora.config().r(),
                lora.config().loraAlpha(), lora.modules().size(), Files.size(out));
        return 0;
    }

    /** {@code base_model_name_or_path} of the adapter's config, or "" when it names none (or cannot be read). */
    private String baseNamedByAdapter() throws IOException {
        Path config = adapter.resolve(LoraAdapter.CONFIG_FILE);
        if (!Files.isRegularFile(config)) return "";
        return ConfigFields.read(config, IOException::new).path("base_model_name_or_path").asText("");
    }

    private ModelConfig baseConfig() throws IOException {
        String where = model != null ? model : baseNamedByAdapter();
        if (where.isEmpty()) {
            throw new ParameterException(spec.commandLine(), adapter.resolve(LoraAdapter.CONFIG_FILE)
                    + " names no base_model_name_or_path; give the base with --model");
        }
        Path path = ModelLocator.resolve(where);
        if (GgufFile.isGguf(path)) {
            try (GgufCheckpoint c = GgufCheckpoint.open(path)) {
                return c.config();
            }
        }
        return ModelConfig.load(path.resolve("config.json"));
    }
}
