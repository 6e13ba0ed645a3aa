package dev.hymt4j.cli;

import dev.hymt4j.demo.DemoSetup;
import dev.hymt4j.io.AtomicDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code hymt init-demo DIR}: writes the small random demo model with a tokenizer trained on shipped text. */
@Command(name = "init-demo", mixinStandardHelpOptions = true,
        description = "Write a small random HY-MT1.5-architecture model with a BPE tokenizer trained on a shipped "
                + "LibreOffice en-zh sample. Its output means nothing until fine-tuned.")
public final class InitDemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Writes(Writes.Kind.DIRECTORY)
    @Parameters(paramLabel = "DIR", description = "Directory to write the model into.")
    Path dir;

    @picocli.CommandLine.Mixin
    ForceOption force;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random weights (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--full-size", description = "The HY-MT1.5-1.8B shape (3.6 GB of random BF16) instead of the small demo shape.")
    boolean fullSize;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        AtomicDirectory.write(dir, tmp -> DemoSetup.create(tmp, seed, fullSize));
        spec.commandLine().getOut().printf("demo model written to %s in %.1f s (random weights: fine-tune it before expecting translations)%n",
                dir, (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
