package dev.hymt4j.cli;

import dev.hymt4j.model.ForwardOptions;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.safetensors.SafetensorsWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code hymt debug logits}: one forward pass, all positions' logits saved as F32 safetensors. */
@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Write the F32 logits [n, vocab] of one forward pass as safetensors tensor 'logits'.")
public final class DebugLogitsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    AdapterOptions adapterOptions;

    @Bounds(min = 0)
    @Option(names = "--ids", required = true, split = ",", paramLabel = "ID[,ID...]", description = "Input token ids.")
    int[] ids;

    @Writes(Writes.Kind.FILE)
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output .safetensors file.")
    Path out;

    @picocli.CommandLine.Mixin
    ForceOption force;

    @Override
    public Integer call() throws Exception {
        modelOptions.applyThreads();
        try (HunyuanModel model = HunyuanModel.load(adapterOptions.weights(modelOptions.dir()))) {
            ModelOptions.requireTokenIds(spec, "--ids", ids, model.config().vocabSize());
            float[] logits = model.forward(ids, ForwardOptions.ALL_LOGITS, adapterOptions.adapter(model.config())).logits();
            int vocab = model.config().vocabSize();
            new SafetensorsWriter().addF32("logits", new long[]{ids.length, vocab}, logits).write(out);
            spec.commandLine().getOut().printf("wrote logits [%d, %d] to %s%n", ids.length, vocab, out);
        }
        return 0;
    }
}
