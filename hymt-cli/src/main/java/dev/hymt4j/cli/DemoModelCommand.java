package dev.hymt4j.cli;

import dev.hymt4j.model.DemoModel;
import dev.hymt4j.safetensors.DType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code hymt demo-model}: a random model directory of the HY-MT1.5 architecture, for trying things out. */
@Command(name = "demo-model", mixinStandardHelpOptions = true,
        description = "Write a random-weight model of the HY-MT1.5 architecture (1.8B shape or a small one).")
public final class DemoModelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write.")
    Path out;

    @Option(names = "--full-size", description = "The HY-MT1.5-1.8B shape (3.6 GB in BF16) instead of a small one.")
    boolean fullSize;

    @Option(names = "--vocab", defaultValue = "512", description = "Vocabulary of the small shape (default ${DEFAULT-VALUE}).")
    int vocab;

    @Option(names = "--hidden", defaultValue = "64", description = "Hidden size of the small shape (default ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--layers", defaultValue = "2", description = "Layers of the small shape (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--dtype", defaultValue = "BF16", description = "BF16 or F32 (default ${DEFAULT-VALUE}).")
    DType dtype;

    @Option(names = "--seed", defaultValue = "1", description = "Weight seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (!fullSize && (hidden < 64 || hidden % 64 != 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--hidden must be a positive multiple of 64, got " + hidden);
        }
        // The small shape keeps the 1.8B proportions: head_dim 16, 4 query heads per KV head, MLP 3× hidden.
        DemoModel.Shape shape = fullSize ? DemoModel.Shape.HY_MT_1_8B
                : new DemoModel.Shape(vocab, hidden, layers, hidden / 16, hidden / 64, 16, 3 * hidden, true);
        DemoModel.write(out, shape, dtype, seed);
        spec.commandLine().getOut().printf("wrote a random %s model, %,d parameters, to %s%n", dtype,
                shape.parameterCount(), out);
        return 0;
    }
}
