package dev.hymt4j.cli;

import picocli.CommandLine.Option;

/** {@code --force}, mixed into every command that writes: existing outputs may then be replaced. */
final class ForceOption {
    @Option(names = "--force",
            description = "Replace outputs that already exist (atomically: the old ones stay until the new ones are complete)."
                    + " Inputs are never overwritten, with or without it.")
    boolean force;
}
