package dev.hymt4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hymt4j.gguf.GgufCheckpoint;
import dev.hymt4j.gguf.GgufFile;
import dev.hymt4j.hub.ModelLocator;
import dev.hymt4j.lora.GgufAdapterWriter;
import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.quant.GgufFileType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code hymt export gguf-lora}: a PEFT LoRA adapter → llama.cpp's GGUF adapter format (ships without merging). */
@Command(name = "gguf-lora", mixinStandardHelpOptions = true,
        description = {"Write a PEFT LoRA adapter as a llama.cpp GGUF adapter (llama-server --lora, Ollama ADAPTER, hymt --adapter).",
                "The base model's configuration is read from --model, else from base_model_name_or_path in adapter_config.json."})
public final class ExportGgufLoraCommand implements Callable<Integer> {
    enum OutType { f32, f16, bf16 }

    @Option(names = "--adapter", required = true, paramLabel = "DIR", description = "PEFT adapter directory.")
    Path adapter;

    @Option(names = "--model", paramLabel = "DIR|FILE.gguf|REPO", description = "The base model (default: the adapter's base_model_name_or_path).")
    String model;

    @Option(names = "--out", required = true, paramLabel = "FILE.gguf", description = "The GGUF adapter file to write.")
    Path out;

    @Option(names = "--outtype", defaultValue = "f32", description = "Tensor type: f32, f16 or bf16 (default ${DEFAULT-VALUE}, as llama.cpp's converter).")
    OutType outType;

    @Option(names = "--force", description = "Replace --out if it exists.")
    boolean force;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(out) && !force) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--out " + out + " already exists (add --force to replace it)");
        }
        if (out.toAbsolutePath().normalize().startsWith(adapter.toAbsolutePath().normalize())) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--out " + out + " is inside the input adapter " + adapter);
        }
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

    private ModelConfig baseConfig() throws IOException {
        String where = model;
        if (where == null) {
            Path config = adapter.resolve(LoraAdapter.CONFIG_FILE);
            where = Files.isRegularFile(config) ? new ObjectMapper().readTree(config.toFile()).path("base_model_name_or_path").asText("") : "";
            if (where.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), config + " names no base_model_name_or_path; give the base with --model");
            }
        }
        Path path = Path.of(where);
        if (Files.isRegularFile(path) && GgufFile.isGguf(path)) {
            try (GgufCheckpoint c = GgufCheckpoint.open(path)) {
                return c.config();
            }
        }
        return ModelConfig.load(ModelLocator.resolve(where).resolve("config.json"));
    }
}
