package dev.hymt4j.bench;

import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.lora.LoraConfig;
import dev.hymt4j.model.Checkpoint;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.model.Training;
import dev.hymt4j.model.TrainingBatch;
import dev.hymt4j.optim.AdamW;
import dev.hymt4j.optim.LoraTrainer;
import dev.hymt4j.tokenizer.Tokenizer;
import dev.hymt4j.train.EncodedDataset;
import dev.hymt4j.train.ExampleEncoder;
import dev.hymt4j.train.LengthBucketedBatcher;
import dev.hymt4j.train.BatchPosition;
import dev.hymt4j.train.TrainReport;
import dev.hymt4j.train.Trainer;
import dev.hymt4j.train.TrainingConfig;
import dev.hymt4j.train.TranslationEvaluation;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The data path's overhead in {@code hymt train}: its tokens/s (training steps only) against the engine alone —
 * a loop of {@link LoraTrainer#step} over the same, pre-built batches — in one JVM. A first trainer run warms the
 * JIT and is not counted.
 *
 * <pre>  TrainThroughputBench MODEL_DIR TRAIN.jsonl STEPS [BATCH_SIZE (default 8)]</pre>
 */
public final class TrainThroughputBench {
    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]), data = Path.of(args[1]);
        int steps = Integer.parseInt(args[2]);
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        Path out = Files.createTempDirectory("train-bench");
        List<String> settings = List.of("model=" + model, "data.train=" + data, "max_steps=" + steps,
                "per_device_train_batch_size=" + batch, "learning_rate=2e-3", "lora.r=16", "lora.dropout=0.05",
                "logging_steps=" + steps, "save_steps=" + steps, "threads=2", "seed=3");
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        trainer(settings, out.resolve("warmup"), quiet);
        double engine = engine(TrainingConfig.fromOverrides(withOutput(settings, out.resolve("engine"))), steps);
        double trainer = trainer(settings, out.resolve("measured"), quiet);
        System.out.printf(Locale.ROOT, "engine alone: %.0f tokens/s%nhymt train:   %.0f tokens/s%nratio train/engine: %.3f%n",
                engine, trainer, trainer / engine);
    }

    private static List<String> withOutput(List<String> settings, Path dir) {
        List<String> all = new ArrayList<>(settings);
        all.add("output_dir=" + dir);
        return all;
    }

    private static double trainer(List<String> settings, Path dir, PrintStream quiet) throws Exception {
        TrainReport report = new Trainer(TrainingConfig.fromOverrides(withOutput(settings, dir)), quiet).run(false);
        return report.tokensPerSecond();
    }

    /** The same steps as the trainer takes (same batches, dropout on), timed around {@code step} alone. */
    private static double engine(TrainingConfig c, int steps) throws Exception {
        try (Checkpoint ckpt = Checkpoint.open(Path.of(c.model()))) {
            ModelWeights weights = ModelWeights.load(ckpt);
            EncodedDataset train = EncodedDataset.encode(c.trainData(), TranslationEvaluation.read(c.trainData(), 0),
                    new ExampleEncoder(Tokenizer.load(Path.of(c.model()))), c.maxSeqLen());
            LengthBucketedBatcher.Cursor cursor = new LengthBucketedBatcher(train, c.perDeviceTrainBatchSize(), c.seed())
                    .cursor(BatchPosition.START);
            List<TrainingBatch> batches = new ArrayList<>();
            long tokens = 0;
            for (int i = 0; i < steps; i++) {
                TrainingBatch b = train.batch(cursor.next());
                batches.add(b);
                for (int m : b.attentionMask()) tokens += m;
            }
            LoraAdapter adapter = LoraAdapter.create(weights.config(), LoraConfig.of(c.loraR(), c.loraAlpha(), c.loraDropout(),
                    c.loraTargetModules().toArray(String[]::new)), c.seed());
            Training model = new Training(new HunyuanModel(weights), adapter);
            LoraTrainer engine = new LoraTrainer(model, new AdamW(adapter.parameters(), c.learningRate(), 0.9, 0.999, 1e-8, 0),
                    c.lrSchedule(steps), c.maxGradNorm());
            long t0 = System.nanoTime();
            for (TrainingBatch b : batches) engine.step(List.of(b));
            return tokens / ((System.nanoTime() - t0) / 1e9);
        }
    }
}
