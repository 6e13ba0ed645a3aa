package dev.hymt4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code hymt debug ...}: diagnostic commands that dump intermediate results for comparison with Python.
 * (The inference branch defines this parent too; at merge time both subcommand lists are combined.)
 */
@Command(name = "debug", mixinStandardHelpOptions = true,
        description = "Diagnostics: dump gradients, losses and intermediate results for comparison with Python.",
        subcommands = {LoraGradsCommand.class, LoraStepsCommand.class})
public final class DebugCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
