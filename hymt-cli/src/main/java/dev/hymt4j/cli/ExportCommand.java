package dev.hymt4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code hymt export FORMAT}: deployment formats. */
@Command(name = "export", mixinStandardHelpOptions = true, description = "Export a model for other runtimes.",
        subcommands = {ExportOnnxCommand.class})
public final class ExportCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
