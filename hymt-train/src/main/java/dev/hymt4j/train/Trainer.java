package dev.hymt4j.train;

import dev.hymt4j.hub.ModelLocator;
import dev.hymt4j.io.UnsafePathException;
import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.lora.LoraConfig;
import dev.hymt4j.lora.TrainingMemory;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.model.Training;
import dev.hymt4j.model.TrainingBatch;
import dev.hymt4j.io.AtomicFile;
import dev.hymt4j.onednn.TrainingBackend;
import dev.hymt4j.optim.AdamW;
import dev.hymt4j.optim.LoraTrainer;
import dev.hymt4j.optim.LrSchedule;
import dev.hymt4j.prompt.GenerationDefaults;
import dev.hymt4j.quant.QuantizedModels;
import dev.hymt4j.tensor.NonFiniteException;
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
    /** What {@code backend=auto} chose when the run started: {@code java} or {@code onednn}. */
    public static final String BACKEND_FILE = "backend_choice.txt";

    /**
     * Settings a resumed run may change: when and how much to log, evaluate and save, how long to train (the
     * schedule then differs from an uninterrupted run, which is said), threads, the validation data, and the
     * learning rate and clipping (the remedies when a run diverged to NaN). Any
     * other difference from the checkpoint's settings refuses the resume. The paths of the model and the training
     * data may be spelled differently if their bytes are the same ({@link RunInputs}); output_dir may move.
     */
    public static final List<String> RESUMABLE_KEYS = List.of("max_steps", "num_train_epochs", "logging_steps",
            "eval_steps", "save_steps", "save_total_limit", "threads", "eval_max_samples", "eval_max_new_tokens",
            "eval_on_start", "data.valid", "output_dir", "learning_rate", "max_grad_norm");
    private static final List<String> FINGERPRINTED_KEYS = List.of("model", "data.train");

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
        Path output = config.outputDir();
        if (!resume) requireNoOtherRun(output);
        else requireRunOrNothing(output);
        Parallel.setThreads(config.threads());
        Path modelDir = ModelLocator.resolve(config.model());
        try (dev.hymt4j.model.Checkpoint checkpoint = dev.hymt4j.model.Checkpoint.open(modelDir)) {
            // Limits that need only the config: before the weights are mapped or the data encoded.
            ModelConfig modelConfig = checkpoint.config();
            loraConfig().validateAgainst(modelConfig, "training config (lora.r, lora.target_modules)");
            if (config.maxSeqLen() > modelConfig.maxPositionEmbeddings()) {
                throw new ConfigException("key 'max_seq_len' is " + config.maxSeqLen() + ", more than the model's"
                        + " max_position_embeddings (" + modelConfig.maxPositionEmbeddings() + ")");
            }
            RunInputs inputs = RunInputs.of(config.trainData(), modelDir);
            CheckpointManager checkpoints = new CheckpointManager(output, config.saveTotalLimit());
            Optional<Checkpoint> from = resume ? checkpoints.latestComplete() : Optional.empty();
            if (from.isPresent()) requireSameRun(from.get(), inputs);
            Tokenizer tokenizer = Tokenizer.load(modelDir);
            ModelWeights weights = ModelWeights.load(checkpoint);
            if (config.qlora()) weights = QuantizedModels.nf4(weights, QLORA_BLOCK_SIZE, true);
            ExampleEncoder encoder = new ExampleEncoder(tokenizer);
            EncodedDataset train = encode(config.trainData(), 0, encoder);
            Optional<EncodedDataset> valid = config.validData().isEmpty() ? Optional.empty()
                    : Optional.of(encode(config.validData().get(), config.evalMaxSamples().orElse(0), encoder));

            requireMemoryFor(modelConfig, train);
            LengthBucketedBatcher batcher = new LengthBucketedBatcher(train, config.perDeviceTrainBatchSize(), config.seed());
            long total = config.totalOptimizerSteps(batcher.batchesPerEpoch());
            if (resume && from.isEmpty()) out.println("no complete checkpoint in " + output + ": starting from step 0");
            if (from.isPresent() && from.get().step() > total) {
                throw new ConfigException("cannot resume " + output + ": " + from.get().dir().getFileName() + " is at step "
                        + from.get().step() + ", past the last step of these settings (" + total + "); resume with"
                        + " max_steps >= " + from.get().step() + ", or --force to start over");
            }

            LoraAdapter adapter = from.isPresent() ? LoraAdapter.load(from.get().dir(), weights.config())
                    : LoraAdapter.create(weights.config(), loraConfig(), Rng.derive(config.seed(), ADAPTER_INIT_STREAM).nextLong());
            AdamW optimizer = new AdamW(adapter.parameters(), config.learningRate(), config.adamBeta1(), config.adamBeta2(),
                    config.adamEpsilon(), config.weightDecay());
            TrainerState state = new TrainerState(total);
            BatchPosition position = BatchPosition.START;
            if (from.isPresent()) {
                Checkpoint c = from.get();
                optimizer.loadState(c.file(OPTIMIZER_FILE));
                state = c.trainerState();
                position = BatchPosition.read(c.file(BatchPosition.FILE_NAME));
                out.println("resumed from step " + state.globalStep() + " (" + c.dir() + ")");
            }
            // Every check is done: only now does the run write anything.
            Files.createDirectories(output);
            config.save(output.resolve(TrainingConfig.FILE_NAME));
            // The training passes may run on oneDNN; the evaluation's greedy decoding always runs on the Java
            // kernels (the engine's results must not depend on the batch, which oneDNN's do).
            TrainingBackend.Choice backend = chooseBackend(weights, from.isPresent(), output);
            out.println(backend.line());
            Training model = new Training(new HunyuanModel(backend.weights()), adapter).setGradientCheckpointing(config.gradientCheckpointing());
            LrSchedule schedule = config.lrSchedule(total);
            LoraTrainer engine = new LoraTrainer(model, optimizer, schedule, config.maxGradNorm());
            HunyuanModel inference = backend.weights() == weights ? model.model() : new HunyuanModel(weights);
            GenerationDefaults defaults = GenerationDefaults.load(modelDir, weights.config().vocabSize());
            Optional<Evaluator> evaluator = valid.map(v -> new Evaluator(model, inference, v, tokenizer, defaults,
                    config.evalMaxNewTokens(), config.perDeviceTrainBatchSize()));

            describe(train, valid, batcher, total, adapter);
            Loop loop = new Loop(model, engine, optimizer, train, batcher.cursor(position), state, checkpoints, evaluator,
                    from.isPresent(), inputs);
            Timings timings = loop.run(total);
            adapter.save(output.resolve(ADAPTER_DIR));
            TrainReport report = TrainReport.of(config, state, train, valid, timings, (System.nanoTime() - started) / 1e9);
            report.write(output.resolve(REPORT_FILE));
            out.print(report.toText());
            out.flush();
            return report;
        }
    }

    /**
     * Refuses, before the first step allocates it, a micro-batch that cannot fit the heap (or a Java array):
     * {@code per_device_train_batch_size} sequences as long as the longest training example.
     */
    private void requireMemoryFor(ModelConfig c, EncodedDataset train) {
        int longest = 0;
        for (int i = 0; i < train.size(); i++) longest = Math.max(longest, train.length(i));
        int batch = config.perDeviceTrainBatchSize();
        String what = "per_device_train_batch_size " + batch + " × " + longest + " tokens (the longest example, max_seq_len "
                + config.maxSeqLen() + ")";
        if (TrainingMemory.largestArray(c, batch, longest) > Integer.MAX_VALUE - 8) {
            throw new ConfigException(what + " needs arrays longer than Java allows; lower per_device_train_batch_size"
                    + " or max_seq_len (and raise gradient_accumulation_steps to keep the effective batch)");
        }
        long need = TrainingMemory.microBatchBytes(c, loraConfig(), batch, longest, config.gradientCheckpointing());
        Runtime rt = Runtime.getRuntime();
        long available = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (need > available) {
            throw new ConfigException(String.format("%s needs about %.1f GiB of heap for one step, but only %.1f GiB of"
                            + " the JVM's %.1f GiB is free; lower per_device_train_batch_size or max_seq_len (raise"
                            + " gradient_accumulation_steps to keep the effective batch)%s, or raise the heap, e.g."
                            + " HYMT_JAVA_OPTS=-Xmx%dg", what, need / GIB, available / GIB, rt.maxMemory() / GIB,
                    config.gradientCheckpointing() ? "" : ", set gradient_checkpointing: true",
                    (long) Math.ceil((need + (rt.totalMemory() - rt.freeMemory())) * 1.25 / GIB)));
        }
    }

    private static final double GIB = 1L << 30;

    private EncodedDataset encode(Path file, int limit, ExampleEncoder encoder) throws IOException {
        return EncodedDataset.encode(file, TranslationEvaluation.read(file, limit), encoder, config.maxSeqLen());
    }

    /**
     * The backend of the training passes. {@code auto} decides by a measurement at start-up, which a loaded machine
     * could tip the other way: a run records what it chose ({@value #BACKEND_FILE}) and a resumed run takes that
     * record, so that it repeats the uninterrupted run bit for bit.
     */
    private TrainingBackend.Choice chooseBackend(ModelWeights weights, boolean resumed, Path output) throws IOException {
        if (config.backend() != TrainingBackend.AUTO) return config.backend().choose(weights);
        Path record = output.resolve(BACKEND_FILE);
        if (resumed && Files.exists(record)) {
            String name = Files.readString(record).trim();
            TrainingBackend then;
            try {
                then = TrainingBackend.parse(name);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(record + ": " + e.getMessage() + ", the backend that backend=auto chose when the run started");
            }
            TrainingBackend.Choice c = then.choose(weights);
            return new TrainingBackend.Choice(c.backend(), c.weights(), c.line() + " (backend=auto: what the resumed run chose, from " + BACKEND_FILE + ")");
        }
        TrainingBackend.Choice c = TrainingBackend.AUTO.choose(weights);
        AtomicFile.writeString(record, c.backend().configName() + "\n");
        return c;
    }

    private LoraConfig loraConfig() {
        return LoraConfig.of(config.loraR(), config.loraAlpha(), config.loraDropout(),
                        config.loraTargetModules().toArray(String[]::new))
                .withRslora(config.loraUseRslora()).withBaseModel(config.model());
    }

    /**
     * Refuses to start a fresh run in a directory that holds anything: another run would be overwritten and its
     * later checkpoints left behind for a future resume to pick up.
     */
    private static void requireNoOtherRun(Path output) throws IOException {
        List<String> held = entries(output);
        if (held.isEmpty()) return;
        if (isRun(output, held)) {
            throw new UnsafePathException("output_dir " + output + " already holds a training run (" + shown(held)
                    + "); add --resume to continue it, or --force to delete it and start over");
        }
        throw new UnsafePathException("output_dir " + output + " already holds " + shown(held)
                + ", which is not a training run; choose a new or empty output_dir, or --force to delete what it holds");
    }

    /** For a resume: the directory holds a run (or nothing yet), never unrelated files. */
    private static void requireRunOrNothing(Path output) throws IOException {
        List<String> held = entries(output);
        if (!held.isEmpty() && !isRun(output, held)) {
            throw new UnsafePathException("output_dir " + output + " holds " + shown(held) + ", which is not a training"
                    + " run to resume; choose the run's own output_dir");
        }
    }

    private static boolean isRun(Path output, List<String> held) {
        return held.contains(TrainingConfig.FILE_NAME) || held.stream().anyMatch(n -> n.startsWith(CheckpointManager.PREFIX));
    }

    private static List<String> entries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            if (Files.exists(dir)) throw new UnsafePathException("output_dir " + dir + " is a file; expected a directory");
            return List.of();
        }
        try (var list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String shown(List<String> names) {
        return String.join(", ", names.subList(0, Math.min(4, names.size()))) + (names.size() > 4 ? ", ..." : "");
    }

    /**
     * A checkpoint is resumed only by the run that wrote it: the same settings except {@link #RESUMABLE_KEYS},
     * and the same model and training data bytes. Allowed changes are said out loud.
     */
    private void requireSameRun(Checkpoint c, RunInputs inputs) throws IOException {
        Map<String, Object> before = TrainingConfig.load(c.file(TrainingConfig.FILE_NAME), List.of()).asMap();
        Optional<RunInputs> saved = RunInputs.read(c.file(RunInputs.FILE_NAME));
        List<String> refused = new ArrayList<>();
        for (Map.Entry<String, Object> e : config.asMap().entrySet()) {
            Object then = before.get(e.getKey());
            if (Objects.equals(then, e.getValue())) continue;
            String change = e.getKey() + " is " + e.getValue() + " but was " + then;
            if (RESUMABLE_KEYS.contains(e.getKey())) {
                out.println("warning: " + change + " when " + c.dir().getFileName() + " was saved; the run will not equal an uninterrupted one");
            } else if (!(FINGERPRINTED_KEYS.contains(e.getKey()) && saved.isPresent())) {
                refused.add(change);
            }
        }
        saved.ifPresent(s -> refused.addAll(inputs.differences(s)));
        if (!refused.isEmpty()) {
            throw new ConfigException("cannot resume from " + c.dir() + ", which another run wrote: " + String.join("; ", refused)
                    + ". Resume with that run's settings (only " + String.join(", ", RESUMABLE_KEYS) + " may change),"
                    + " or use --force to start over in " + config.outputDir());
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
        private final RunInputs inputs;
        // the current logging window
        private double windowLoss;
        private long windowSteps, windowTokens;
        private double windowSeconds;

        Loop(Training model, LoraTrainer engine, AdamW optimizer, EncodedDataset train, LengthBucketedBatcher.Cursor cursor,
             TrainerState state, CheckpointManager checkpoints, Optional<Evaluator> evaluator, boolean resumed,
             RunInputs inputs) {
            this.model = model;
            this.engine = engine;
            this.optimizer = optimizer;
            this.train = train;
            this.cursor = cursor;
            this.state = state;
            this.checkpoints = checkpoints;
            this.evaluator = evaluator;
            this.resumed = resumed;
            this.inputs = inputs;
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
                    LoraTrainer.StepResult r;
                    try {
                        r = engine.step(window);
                    } catch (NonFiniteException e) {
                        throw stopped(e);
                    }
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

        /** The run stops on a non-finite step: what happened, and what is left to continue from. */
        private NonFiniteException stopped(NonFiniteException e) throws IOException {
            String last = checkpoints.completeCheckpoints().stream().reduce((a, b) -> b)
                    .map(c -> "the last good checkpoint is " + c.dir() + " (continue it with --resume, e.g. with a lower"
                            + " learning_rate or max_grad_norm)")
                    .orElse("no checkpoint was saved yet");
            return new NonFiniteException("training stopped: " + e.getMessage() + "; nothing of it was saved, " + last);
        }

        /**
         * Evaluates and logs; when this step's checkpoint is about to be saved, offers the metric for the best
         * checkpoint (a metric of a step without a checkpoint could name one that never exists). Returns the seconds.
         */
        private double evaluate(long step, boolean checkpointFollows, MetricsLog metrics, TensorBoardWriter tb) throws IOException {
            long e0 = System.nanoTime();
            Map<String, Object> eval = evaluator.orElseThrow().evaluate();
            record(step, eval, metrics, tb);
            double metric = ((Number) eval.get(bestMetricKey())).doubleValue();
            if (!Double.isFinite(metric)) {
                out.printf("warning: %s is %s at step %d; this checkpoint cannot be the best%n", bestMetricKey(), metric, step);
            } else if (checkpointFollows) {
                state.offerMetric(metric, config.greaterIsBetter());
            }
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
            files.put(RunInputs.FILE_NAME, inputs::save);
            Map<String, CheckpointFile> announced = new LinkedHashMap<>();
            files.forEach((name, file) -> announced.put(name, target -> {
                file.writeTo(target);
                listener.checkpointFileWritten(step, name);
            }));
            checkpoints.save(state, announced);
        }
    }
}
