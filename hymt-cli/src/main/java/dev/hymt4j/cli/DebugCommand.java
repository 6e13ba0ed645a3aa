package dev.hymt4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code hymt debug}: tools that dump internals for comparison with a reference implementation. */
@Command(name = "debug", mixinStandardHelpOptions = true,
        description = "Dump model internals (logits, gradients) for comparison with a reference.",
        subcommands = {
                DebugLogitsCommand.class,
                LoraGradsCommand.class,
                LoraStepsCommand.class,
        })
public final class DebugCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
