package dev.hymt4j.train;

import dev.hymt4j.hub.ModelLocator;
import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.lora.LoraConfig;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.model.Training;
import dev.hymt4j.model.TrainingBatch;
import dev.hymt4j.onednn.TrainingBackend;
import dev.hymt4j.optim.AdamW;
import dev.hymt4j.optim.LoraTrainer;
import dev.hymt4j.optim.LrSchedule;
import dev.hymt4j.prompt.GenerationDefaults;
import dev.hymt4j.quant.QuantizedModels;
import dev.hymt4j.tensor.Parallel;
import dev.hymt4j.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code hymt train}: LoRA (or QLoRA) fine-tuning of a HY-MT1.5 model on parallel data, wired from this
 * package's run infrastructure (see {@code package-info}) around the LoRA engine's {@link LoraTrainer}.
 *
 * <p>A run can be killed at any instant and continued with {@code resume}: it then ends with the same adapter,
 * bit for bit, as a run never interrupted (same machine, same thread count). Everything random is a pure
 * function of the seed and the position: the batch order of {@link LengthBucketedBatcher} of (seed, epoch), the
 * dropout masks of (seed, optimizer step), the initial adapter of the seed. A checkpoint therefore only needs
 * the adapter, the optimizer moments and step, the {@link BatchPosition} and the {@link TrainerState}.
 */
public final class Trainer {
    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    public static final String ADAPTER_DIR = "adapter";
    public static final String REPORT_FILE = "train_report.json";

    private static final long ADAPTER_INIT_STREAM = 1;
    private static final long DROPOUT_STREAM = 2;
    private static final int QLORA_BLOCK_SIZE = 64;

    /** Points of a run that tests interrupt at; {@code hymt train} does not listen. */
    public interface Listener {
        /** Step {@code step} is done: logged, evaluated and saved as due. */
        default void stepDone(long step) {}

        /** A file of checkpoint {@code step} is written, the checkpoint not yet published. */
        default void checkpointFileWritten(long step, String file) {}
    }

    private final TrainingConfig config;
    private final PrintStream out;
    private final Listener listener;

    public Trainer(TrainingConfig config, PrintStream out) {
        this(config, out, new Listener() {});
    }

    public Trainer(TrainingConfig config, PrintStream out, Listener listener) {
        this.config = config;
        this.out = out;
        this.listener = Objects.requireNonNull(listener);
    }

    /** Trains to the end (from the latest complete checkpoint if {@code resume}); writes and returns the report. */
    public TrainReport run(boolean resume) throws IOException {
        long started = System.nanoTime();
        // Fail on a mistyped data path before mapping and quantizing a model that may take minutes.
        for (Path data : config.validData().map(v -> List.of(config.trainData(), v)).orElse(List.of(config.trainData()))) {
            if (!Files.isRegularFile(data)) throw new NoSuchFileException(data.toString(), null, "data file not found");
        }
        Parallel.setThreads(config.threads());
        Path output = config.outputDir();
        Files.createDirectories(output);
        Path modelDir = ModelLocator.resolve(config.model());
        try (dev.hymt4j.model.Checkpoint checkpoint = dev.hymt4j.model.Checkpoint.open(modelDir)) {
            Tokenizer tokenizer = Tokenizer.load(modelDir);
            ModelWeights weights = ModelWeights.load(checkpoint);
            if (config.qlora()) weights = QuantizedModels.nf4(weights, QLORA_BLOCK_SIZE, true);
            ExampleEncoder encoder = new ExampleEncoder(tokenizer);
            EncodedDataset train = encode(config.trainData(), 0, encoder);
            Optional<EncodedDataset> valid = config.validData().isEmpty() ? Optional.empty()
                    : Optional.of(encode(config.validData().get(), config.evalMaxSamples().orElse(0), encoder));

            LengthBucketedBatcher batcher = new LengthBucketedBatcher(train, config.perDeviceTrainBatchSize(), config.seed());
            long total = config.totalOptimizerSteps(batcher.batchesPerEpoch());
            CheckpointManager checkpoints = new CheckpointManager(output, config.saveTotalLimit());
            Optional<Checkpoint> from = resume ? checkpoints.latestComplete() : Optional.empty();
            if (resume && from.isEmpty()) out.println("no complete checkpoint in " + output + ": starting from step 0");

            LoraAdapter adapter = from.isPresent() ? LoraAdapter.load(from.get().dir(), weights.config())
                    : LoraAdapter.create(weights.config(), loraConfig(), Rng.derive(config.seed(), ADAPTER_INIT_STREAM).nextLong());
            AdamW optimizer = new AdamW(adapter.parameters(), config.learningRate(), config.adamBeta1(), config.adamBeta2(),
                    config.adamEpsilon(), config.weightDecay());
            TrainerState state = new TrainerState(total);
            BatchPosition position = BatchPosition.START;
            if (from.isPresent()) {
                Checkpoint c = from.get();
                warnAboutChangedSettings(c);
                optimizer.loadState(c.file(OPTIMIZER_FILE));
                state = c.trainerState();
                position = BatchPosition.read(c.file(BatchPosition.FILE_NAME));
                out.println("resumed from step " + state.globalStep() + " (" + c.dir() + ")");
            }
            config.save(output.resolve(TrainingConfig.FILE_NAME));
            // The training passes may run on oneDNN; the evaluation's greedy decoding always runs on the Java
            // kernels (the engine's results must not depend on the batch, which oneDNN's do).
            TrainingBackend.Choice backend = config.backend().choose(weights);
            out.println(backend.line());
            Training model = new Training(new HunyuanModel(backend.weights()), adapter).setGradientCheckpointing(config.gradientCheckpointing());
            LrSchedule schedule = config.lrSchedule(total);
            LoraTrainer engine = new LoraTrainer(model, optimizer, schedule, config.maxGradNorm());
            HunyuanModel inference = backend.weights() == weights ? model.model() : new HunyuanModel(weights);
            Optional<Evaluator> evaluator = valid.map(v -> new Evaluator(model, inference, v, tokenizer, generationDefaults(modelDir),
                    config.evalMaxNewTokens(), config.perDeviceTrainBatchSize()));

            describe(train, valid, batcher, total, adapter);
            Loop loop = new Loop(model, engine, optimizer, train, batcher.cursor(position), state, checkpoints, evaluator, from.isPresent());
            Timings timings = loop.run(total);
            adapter.save(output.resolve(ADAPTER_DIR));
            TrainReport report = TrainReport.of(config, state, train, valid, timings, (System.nanoTime() - started) / 1e9);
            report.write(output.resolve(REPORT_FILE));
            out.print(report.toText());
            out.flush();
            return report;
        }
    }

    private EncodedDataset encode(Path file, int limit, ExampleEncoder encoder) throws IOException {
        return EncodedDataset.encode(file, TranslationEvaluation.read(file, limit), encoder, config.maxSeqLen());
    }

    private LoraConfig loraConfig() {
        return LoraConfig.of(config.loraR(), config.loraAlpha(), config.loraDropout(),
                        config.loraTargetModules().toArray(String[]::new))
                .withRslora(config.loraUseRslora()).withBaseModel(config.model());
    }

    private static GenerationDefaults generationDefaults(Path modelDir) {
        try {
            return GenerationDefaults.load(modelDir);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** A resume with other settings than the checkpoint's is allowed (e.g. more steps), but said out loud. */
    private void warnAboutChangedSettings(Checkpoint c) throws IOException {
        Path saved = c.file(TrainingConfig.FILE_NAME);
        Map<String, Object> before = TrainingConfig.load(saved, List.of()).asMap();
        for (Map.Entry<String, Object> e : config.asMap().entrySet()) {
            if (!Objects.equals(before.get(e.getKey()), e.getValue())) {
                out.println("warning: " + e.getKey() + " is " + e.getValue() + " but was " + before.get(e.getKey())
                        + " when " + c.dir().getFileName() + " was saved; the run will not equal an uninterrupted one");
            }
        }
    }

    private void describe(EncodedDataset train, Optional<EncodedDataset> valid, LengthBucketedBatcher batcher, long total,
                          LoraAdapter adapter) {
        long params = adapter.parameters().stream().mapToLong(p -> p.size()).sum();
        out.printf("train: %d examples (%d target tokens), %d dropped as longer than max_seq_len=%d%n",
                train.size(), train.targetTokens(), train.dropped(), config.maxSeqLen());
        valid.ifPresent(v -> out.printf("valid: %d examples, %d dropped as longer than max_seq_len%n", v.size(), v.dropped()));
        out.printf("%d optimizer steps: %d micro-batches per epoch of up to %d, accumulating %d; LoRA r=%d on %s, %,d trainable parameters%s%n",
                total, batcher.batchesPerEpoch(), config.perDeviceTrainBatchSize(), config.gradientAccumulationSteps(),
                config.loraR(), String.join(",", config.loraTargetModules()), params, config.qlora() ? " (QLoRA, NF4 base)" : "");
        out.flush();
    }

    /** The metrics.jsonl key of {@code metric_for_best_model} ({@code eval_loss}, {@code bleu} → {@code eval_bleu}...). */
    private String bestMetricKey() {
        String name = config.metricForBestModel();
        return name.startsWith("eval_") ? name : "eval_" + name;
    }

    /** Where the seconds of a session went; tokens are real (unpadded) tokens of the training steps. */
    record Timings(double trainSeconds, double evalSeconds, double checkpointSeconds, long tokens, long steps) {
        double tokensPerSecond() {
            return trainSeconds > 0 ? tokens / trainSeconds : 0;
        }
    }

    /** The optimizer-step loop of one session, with its logging, evaluation and checkpoint cadence. */
    private final class Loop {
        private final Training model;
        private final LoraTrainer engine;
        private final AdamW optimizer;
        private final EncodedDataset train;
        private final LengthBucketedBatcher.Cursor cursor;
        private final TrainerState state;
        private final CheckpointManager checkpoints;
        private final Optional<Evaluator> evaluator;
        private final boolean resumed;
        // the current logging window
        private double windowLoss;
        private long windowSteps, windowTokens;
        private double windowSeconds;

        Loop(Training model, LoraTrainer engine, AdamW optimizer, EncodedDataset train, LengthBucketedBatcher.Cursor cursor,
             TrainerState state, CheckpointManager checkpoints, Optional<Evaluator> evaluator, boolean resumed) {
            this.model = model;
            this.engine = engine;
            this.optimizer = optimizer;
            this.train = train;
            this.cursor = cursor;
            this.state = state;
            this.checkpoints = checkpoints;
            this.evaluator = evaluator;
            this.resumed = resumed;
        }

        Timings run(long total) throws IOException {
            Path output = config.outputDir();
            double trainSeconds = 0, evalSeconds = 0, checkpointSeconds = 0;
            long tokens = 0, first = state.globalStep();
            try (MetricsLog metrics = resumed ? MetricsLog.resume(output.resolve(MetricsLog.FILE_NAME), first)
                         : MetricsLog.create(output.resolve(MetricsLog.FILE_NAME));
                 TensorBoardWriter tb = TensorBoardWriter.open(output.resolve("runs"));
                 TrainingProgress progress = TrainingProgress.forConsole(total, first)) {
                if (resumed) tb.sessionStart(first + 1);
                if (first == 0 && config.evalOnStart() && evaluator.isPresent()) evalSeconds += evaluate(0, false, metrics, tb);
                for (long step = first; step < total; ) {
                    long t0 = System.nanoTime();
                    List<TrainingBatch> window = new ArrayList<>();
                    long stepTokens = 0;
                    for (int i = 0; i < config.gradientAccumulationSteps(); i++) {
                        TrainingBatch b = train.batch(cursor.next());
                        window.add(b);
                        for (int m : b.attentionMask()) stepTokens += m;
                    }
                    model.setDropoutSeed(Rng.derive(config.seed(), DROPOUT_STREAM, step).nextLong());
                    LoraTrainer.StepResult r = engine.step(window);
                    step = optimizer.stepCount();
                    state.advance(step, cursor.epochProgress());
                    double seconds = (System.nanoTime() - t0) / 1e9;
                    trainSeconds += seconds;
                    tokens += stepTokens;
                    windowLoss += r.loss();
                    windowSteps++;
                    windowTokens += stepTokens;
                    windowSeconds += seconds;
                    progress.update(step, r.loss(), r.lr(), windowTokens / windowSeconds);

                    boolean last = step == total;
                    if (step % config.loggingSteps() == 0 || last) log(step, r, metrics, tb);
                    boolean saving = step % config.saveSteps() == 0 || last;
                    if (evaluator.isPresent() && (step % config.evalSteps() == 0 || last)) {
                        evalSeconds += evaluate(step, saving, metrics, tb);
                    }
                    if (saving) {
                        long c0 = System.nanoTime();
                        save(step);
                        checkpointSeconds += (System.nanoTime() - c0) / 1e9;
                    }
                    listener.stepDone(step);
                }
            }
            return new Timings(trainSeconds, evalSeconds, checkpointSeconds, tokens, state.globalStep() - first);
        }

        /**
         * Evaluates and logs; when this step's checkpoint is about to be saved, offers the metric for the best
         * checkpoint (a metric of a step without a checkpoint could name one that never exists). Returns the seconds.
         */
        private double evaluate(long step, boolean checkpointFollows, MetricsLog metrics, TensorBoardWriter tb) throws IOException {
            long e0 = System.nanoTime();
            Map<String, Object> eval = evaluator.orElseThrow().evaluate();
            record(step, eval, metrics, tb);
            if (checkpointFollows) state.offerMetric(((Number) eval.get(bestMetricKey())).doubleValue(), config.greaterIsBetter());
            out.printf("step %d: eval loss %.4f, BLEU %.2f, chrF %.2f%n", step, eval.get("eval_loss"),
                    eval.get("eval_bleu"), eval.get("eval_chrf"));
            return (System.nanoTime() - e0) / 1e9;
        }

        private void log(long step, LoraTrainer.StepResult last, MetricsLog metrics, TensorBoardWriter tb) throws IOException {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("epoch", state.epoch());
            entry.put("loss", windowLoss / windowSteps);
            entry.put("learning_rate", last.lr());
            entry.put("grad_norm", last.gradNorm());
            entry.put("tokens_per_second", windowTokens / windowSeconds);
            record(step, entry, metrics, tb);
            windowLoss = 0;
            windowSteps = windowTokens = 0;
            windowSeconds = 0;
        }

        /** One metrics.jsonl line, TensorBoard scalars ({@code train/*}, {@code eval/*}) and a log-history entry. */
        private void record(long step, Map<String, Object> entry, MetricsLog metrics, TensorBoardWriter tb) throws IOException {
            metrics.log(step, entry);
            for (Map.Entry<String, Object> e : entry.entrySet()) {
                if (e.getKey().equals("epoch")) continue;
                String tag = e.getKey().startsWith("eval_") ? "eval/" + e.getKey().substring(5) : "train/" + e.getKey();
                tb.scalar(tag, step, ((Number) e.getValue()).doubleValue());
            }
            state.log(entry);
        }

        private void save(long step) throws IOException {
            LoraAdapter adapter = model.adapter();
            BatchPosition position = cursor.position();
            Map<String, CheckpointFile> files = new LinkedHashMap<>();
            files.put(LoraAdapter.WEIGHTS_FILE, adapter::saveWeights);
            files.put(LoraAdapter.CONFIG_FILE, adapter::saveConfig);
            files.put(OPTIMIZER_FILE, optimizer::saveState);
            files.put(BatchPosition.FILE_NAME, position::save);
            files.put(TrainingConfig.FILE_NAME, config::save);
            Map<String, CheckpointFile> announced = new LinkedHashMap<>();
            files.forEach((name, file) -> announced.put(name, target -> {
                file.writeTo(target);
                listener.checkpointFileWritten(step, name);
            }));
            checkpoints.save(state, announced);
        }
    }
}
