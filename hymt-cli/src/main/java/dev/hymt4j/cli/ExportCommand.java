package dev.hymt4j.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hymt export FORMAT}: write a model or an adapter in another runtime's format. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Export a model or adapter for other runtimes (ONNX, llama.cpp GGUF LoRA).",
        subcommands = {ExportOnnxCommand.class, ExportGgufLoraCommand.class})
public final class ExportCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
