package dev.hymt4j.cli;

import dev.hymt4j.demo.Quickstart;
import dev.hymt4j.io.AtomicDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code hymt quickstart [DIR]}: the whole workflow on the demo model and the shipped sample, in a few minutes. */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = {"Run the whole workflow in a few minutes without downloading anything: a random demo model, "
                + "the shipped LibreOffice en-zh sample prepared, a LoRA fine-tune with evaluation, the test split scored "
                + "before and after, the adapter merged, and a few sentences translated.",
                "The demo base is random: expect falling loss and rising chrF, not real translations."})
public final class QuickstartCommand implements Callable<Integer> {
    @Writes(Writes.Kind.DIRECTORY)
    @Parameters(arity = "0..1", paramLabel = "DIR", defaultValue = "hymt-quickstart",
            description = "Directory for everything it writes (default: ${DEFAULT-VALUE}).")
    Path dir;

    /** For tests and demos on slow machines: a shorter fine-tune. */
    @picocli.CommandLine.Mixin
    ForceOption force;

    @Bounds(min = 1)
    @Option(names = "--steps", hidden = true, defaultValue = "" + Quickstart.DEFAULT_STEPS)
    int steps;

    @Override
    public Integer call() throws Exception {
        if (force.force) AtomicDirectory.discard(dir);
        new Quickstart(dir, steps, System.out).run();
        return 0;
    }
}
