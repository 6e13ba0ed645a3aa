package dev.hymt4j.cli;

import dev.hymt4j.train.Trainer;
import dev.hymt4j.train.TrainingConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code hymt train [CONFIG] [--set key=value]... [--resume] [--output-dir DIR]}: LoRA/QLoRA fine-tuning. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Fine-tune a LoRA (or QLoRA) adapter on parallel data, with periodic evaluation (validation loss, "
                + "BLEU, chrF), resumable checkpoints, metrics.jsonl and TensorBoard logs.",
                "Settings use Hugging Face names (learning_rate, lora.r, per_device_train_batch_size, ...), from a YAML or "
                + "JSON file and/or --set, e.g.: hymt train --set model=DIR --set data.train=train.jsonl --set output_dir=out"})
public final class TrainCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "CONFIG", description = "Training config (.yaml/.yml or .json); optional with --set.")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one setting, e.g. --set lora.r=8 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--output-dir", paramLabel = "DIR", description = "Same as --set output_dir=DIR.")
    Path outputDir;

    @Option(names = "--resume", description = "Continue from the latest complete checkpoint in the output directory.")
    boolean resume;

    @Option(names = "--backend", paramLabel = "java|onednn|auto",
            description = {"Where the frozen products of training run (same as --set backend=...): java (exact FP32, the default), "
                    + "onednn (BF16 compute, as PyTorch's bf16 autocast; falls back to java where oneDNN cannot load) or auto "
                    + "(onednn only where AMX runs, checked in a child process). Evaluation always decodes on java."})
    String backend;

    @Override
    public Integer call() throws Exception {
        List<String> all = new ArrayList<>(overrides);
        if (outputDir != null) all.add("output_dir=" + outputDir);
        if (backend != null) all.add("backend=" + backend);
        TrainingConfig config = configFile == null ? TrainingConfig.fromOverrides(all) : TrainingConfig.load(configFile, all);
        new Trainer(config, System.out).run(resume);
        return 0;
    }
}
