package dev.hymt4j.cli;

import dev.hymt4j.io.AtomicDirectory;
import dev.hymt4j.io.PathPlan;
import dev.hymt4j.train.Trainer;
import dev.hymt4j.train.TrainingConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code hymt train [CONFIG] [--set key=value]... [--resume | --force] [--output-dir DIR]}: LoRA/QLoRA fine-tuning. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Fine-tune a LoRA (or QLoRA) adapter on parallel data, with periodic evaluation (validation loss, "
                + "BLEU, chrF), resumable checkpoints, metrics.jsonl and TensorBoard logs.",
                "Settings use Hugging Face names (learning_rate, lora.r, per_device_train_batch_size, ...), from a YAML or "
                + "JSON file and/or --set, e.g.: hymt train --set model=DIR --set data.train=train.jsonl --set output_dir=out",
                "An output_dir that holds another run is refused: --resume continues it (same settings; "
                + "Trainer.RESUMABLE_KEYS may change), --force deletes it and starts over."})
public final class TrainCommand implements Callable<Integer>, DeclaresPaths {
    @Reads(Reads.Kind.FILE)
    @Parameters(arity = "0..1", paramLabel = "CONFIG", description = "Training config (.yaml/.yml or .json); optional with --set.")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one setting, e.g. --set lora.r=8 (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--output-dir", paramLabel = "DIR", description = "Same as --set output_dir=DIR.")
    Path outputDir;

    @Option(names = "--resume", description = "Continue the run in the output directory from its latest complete checkpoint.")
    boolean resume;

    @Option(names = "--backend", paramLabel = "java|onednn|auto",
            description = {"Where the frozen products of training run (same as --set backend=...): java (exact FP32, the default), "
                    + "onednn (BF16 compute, as PyTorch's bf16 autocast; falls back to java where oneDNN cannot load) or auto "
                    + "(onednn where AMX runs, checked in a child process, or where one product timed both ways at start-up shows it "
                    + "at least 1.3x faster; a resumed run keeps the choice). Evaluation always decodes on java."})
    String backend;

    @Mixin
    ForceOption force;

    private TrainingConfig config;

    /** The settings, loaded once: the path check needs them before the run. */
    TrainingConfig config() {
        if (config == null) {
            List<String> all = new ArrayList<>(overrides);
            if (outputDir != null) all.add("output_dir=" + outputDir);
            if (backend != null) all.add("backend=" + backend);
            config = configFile == null ? TrainingConfig.fromOverrides(all) : TrainingConfig.load(configFile, all);
        }
        return config;
    }

    /** The config's paths: what the run reads ({@link TrainingConfig#INPUT_PATH_KEYS}) and its output directory. */
    @Override
    public void declarePaths(PathPlan plan) throws Exception {
        if (resume && force.force) throw new IllegalArgumentException("give --resume or --force, not both");
        TrainingConfig c = config();
        for (String key : TrainingConfig.INPUT_PATH_KEYS) {
            Object value = c.asMap().get(key);
            if (value != null) {
                plan.reads(key, CommandPaths.inputPath(key.equals("model") ? Reads.Kind.MODEL : Reads.Kind.FILE, value));
            }
        }
        // The trainer itself refuses a directory holding another run (or anything else), naming --resume too.
        plan.writesDirectory(TrainingConfig.OUTPUT_PATH_KEY, c.outputDir(), true);
    }

    @Override
    public Integer call() throws Exception {
        TrainingConfig c = config();
        if (force.force) AtomicDirectory.discard(c.outputDir());
        new Trainer(c, System.out).run(resume);
        return 0;
    }
}
