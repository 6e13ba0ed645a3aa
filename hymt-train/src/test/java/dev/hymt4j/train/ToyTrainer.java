package dev.hymt4j.train;

import dev.hymt4j.optim.LrSchedule;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.safetensors.SafetensorsWriter;
import dev.hymt4j.train.testing.ChildJvm;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A stand-in for {@code hymt train}, wired from this package as the real trainer will be: config, bucketed
 * batches, AdamW with a cosine schedule and gradient clipping, dropout drawn from a checkpointed RNG, metrics.jsonl,
 * TensorBoard, checkpoints with retention and best-model tracking, and {@code --resume}. The "model" is a vector fit
 * to per-example targets in float arithmetic, so any divergence after a resume shows up in the final bits.
 *
 * <p>Arguments: {@code OUTPUT_DIR [--resume] [--pause-at LABEL]}. It prints a label at each point where a kill is
 * interesting: {@code step N} once step N is done (logged, evaluated and saved), and {@code writing checkpoint N}
 * halfway through writing that checkpoint's weights. At the label given to {@code --pause-at} it waits, so that a
 * test killing it on that line kills it exactly there (the toy is too fast to be caught otherwise).
 */
public final class ToyTrainer {
    static final String FINAL_WEIGHTS = "final_weights.safetensors";
    private static final int DIM = 8;
    private static final int EXAMPLES = 37;

    private final TrainingConfig config;
    private final String pauseAt;
    private final float[] w = new float[DIM];
    private final float[] m = new float[DIM];
    private final float[] v = new float[DIM];
    private Rng dropout;

    private ToyTrainer(TrainingConfig config, String pauseAt) {
        this.config = config;
        this.pauseAt = pauseAt;
    }

    static TrainingConfig config(Path outputDir) {
        return TrainingConfig.fromOverrides(List.of("model=toy", "data.train=toy", "output_dir=" + outputDir,
                "per_device_train_batch_size=4", "gradient_accumulation_steps=2", "max_steps=24",
                "learning_rate=0.05", "lr_scheduler_type=cosine", "warmup_steps=3", "weight_decay=0.01",
                "max_grad_norm=0.5", "lora.dropout=0.1", "logging_steps=2", "save_steps=5", "eval_steps=5",
                "save_total_limit=2", "seed=1234"));
    }

    public static void main(String[] args) throws Exception {
        Path outputDir = Path.of(args[0]);
        boolean resume = false;
        String pauseAt = null;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--resume" -> resume = true;
                case "--pause-at" -> pauseAt = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        new ToyTrainer(config(outputDir), pauseAt).train(resume);
    }

    private static final LengthAware DATA = new LengthAware() {
        public int size() { return EXAMPLES; }
        public int length(int i) { return 5 + (i * 7) % 23; }
    };

    private float[] target(int example) {
        Rng r = Rng.derive(config.seed(), 99, example);
        float[] x = new float[DIM];
        for (int d = 0; d < DIM; d++) x[d] = r.nextFloat() * 2 - 1;
        return x;
    }

    private void train(boolean resume) throws IOException {
        Path out = config.outputDir();
        LengthBucketedBatcher batcher = new LengthBucketedBatcher(DATA, config.perDeviceTrainBatchSize(), 2, config.seed());
        long total = config.totalOptimizerSteps(batcher.batchesPerEpoch());
        LrSchedule schedule = config.lrSchedule(total);
        CheckpointManager checkpoints = new CheckpointManager(out, config.saveTotalLimit());

        Optional<Checkpoint> from = resume ? checkpoints.latestComplete() : Optional.empty();
        TrainerState state;
        BatchPosition position;
        if (from.isPresent()) {
            Checkpoint c = from.get();
            state = c.trainerState();
            position = BatchPosition.read(c.file(BatchPosition.FILE_NAME));
            try (SafetensorsFile f = SafetensorsFile.open(c.file("weights.safetensors"))) {
                System.arraycopy(f.readFloats("w"), 0, w, 0, DIM);
                System.arraycopy(f.readFloats("adam_m"), 0, m, 0, DIM);
                System.arraycopy(f.readFloats("adam_v"), 0, v, 0, DIM);
                dropout = Rng.fromState(f.readLongs("dropout_rng"));
            }
            System.out.println("resumed from step " + state.globalStep());
        } else {
            state = new TrainerState(total);
            position = BatchPosition.START;
            Rng init = Rng.derive(config.seed(), 0);
            for (int d = 0; d < DIM; d++) w[d] = init.nextFloat() - 0.5f;
            dropout = Rng.derive(config.seed(), 1);
        }
        config.save(out.resolve(TrainingConfig.FILE_NAME));
        LengthBucketedBatcher.Cursor cursor = batcher.cursor(position);
        try (MetricsLog metrics = from.isPresent() ? MetricsLog.resume(out.resolve(MetricsLog.FILE_NAME), state.globalStep())
                     : MetricsLog.create(out.resolve(MetricsLog.FILE_NAME));
             TensorBoardWriter tb = TensorBoardWriter.open(out.resolve("runs"))) {
            if (from.isPresent()) tb.sessionStart(state.globalStep() + 1);
            for (long step = state.globalStep(); step < total; ) {
                double lr = schedule.learningRate(step);
                float[] grad = new float[DIM];
                double lossSum = 0;
                int count = 0;
                for (int micro = 0; micro < config.gradientAccumulationSteps(); micro++) {
                    Batch batch = cursor.next();
                    for (int i : batch.indices()) {
                        lossSum += accumulate(target(i), grad, true);
                        count++;
                    }
                }
                for (int d = 0; d < DIM; d++) grad[d] /= count;
                double norm = clip(grad);
                adamW(grad, (float) lr, step + 1);
                step++;
                state.advance(step, cursor.epochProgress());

                if (step % config.loggingSteps() == 0) {
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("epoch", state.epoch());
                    entry.put("loss", lossSum / count);
                    entry.put("learning_rate", lr);
                    entry.put("grad_norm", norm);
                    log(step, entry, metrics, tb, state);
                }
                if (step % config.evalSteps() == 0) {
                    double evalLoss = 0;
                    for (int i = 0; i < EXAMPLES; i++) evalLoss += accumulate(target(i), new float[DIM], false);
                    evalLoss /= EXAMPLES;
                    log(step, Map.of("eval_loss", evalLoss), metrics, tb, state);
                    state.offerMetric(evalLoss, config.greaterIsBetter());
                }
                if (step % config.saveSteps() == 0) save(checkpoints, state, cursor.position());
                killPoint("step " + step);
            }
        }
        SafetensorsWriter finalWeights = new SafetensorsWriter().addF32("w", new long[]{DIM}, w);
        finalWeights.write(out.resolve(FINAL_WEIGHTS));
        System.out.println("done");
    }

    /** Adds the gradient of ½‖w⊙mask − x‖² to {@code grad}; returns the loss. */
    private double accumulate(float[] x, float[] grad, boolean train) {
        double loss = 0;
        float keep = (float) (1 - config.loraDropout());
        for (int d = 0; d < DIM; d++) {
            float mask = train ? (dropout.nextFloat() < config.loraDropout() ? 0f : 1f / keep) : 1f;
            float r = w[d] * mask - x[d];
            loss += 0.5 * r * r;
            grad[d] += r * mask;
        }
        return loss;
    }

    private double clip(float[] grad) {
        double sq = 0;
        for (float g : grad) sq += (double) g * g;
        double norm = Math.sqrt(sq);
        if (norm > config.maxGradNorm()) {
            float scale = (float) (config.maxGradNorm() / (norm + 1e-6));
            for (int d = 0; d < DIM; d++) grad[d] *= scale;
        }
        return norm;
    }

    private void adamW(float[] grad, float lr, long t) {
        float b1 = (float) config.adamBeta1(), b2 = (float) config.adamBeta2(), eps = (float) config.adamEpsilon();
        float c1 = (float) (1 - Math.pow(b1, t)), c2 = (float) (1 - Math.pow(b2, t));
        for (int d = 0; d < DIM; d++) {
            w[d] -= lr * (float) config.weightDecay() * w[d];
            m[d] = b1 * m[d] + (1 - b1) * grad[d];
            v[d] = b2 * v[d] + (1 - b2) * grad[d] * grad[d];
            w[d] -= lr * (m[d] / c1) / ((float) Math.sqrt(v[d] / c2) + eps);
        }
    }

    private static void log(long step, Map<String, Object> entry, MetricsLog metrics, TensorBoardWriter tb,
                            TrainerState state) throws IOException {
        metrics.log(step, entry);
        for (Map.Entry<String, Object> e : entry.entrySet()) {
            String key = e.getKey();
            if (key.equals("epoch")) continue;
            String tag = key.startsWith("eval_") ? "eval/" + key.substring(5) : "train/" + key;
            tb.scalar(tag, step, ((Number) e.getValue()).doubleValue());
        }
        state.log(entry);
    }

    private void save(CheckpointManager checkpoints, TrainerState state, BatchPosition position) throws IOException {
        byte[] weights = new SafetensorsWriter()
                .addF32("w", new long[]{DIM}, w).addF32("adam_m", new long[]{DIM}, m).addF32("adam_v", new long[]{DIM}, v)
                .addI64("dropout_rng", new long[]{4}, dropout.state()).toBytes();
        Map<String, CheckpointFile> files = new LinkedHashMap<>();
        files.put("weights.safetensors", target -> writeWeights(target, weights, state.globalStep()));
        files.put(BatchPosition.FILE_NAME, position::save);
        files.put(TrainingConfig.FILE_NAME, config::save);
        checkpoints.save(state, files);
    }

    private void writeWeights(Path target, byte[] bytes, long step) throws IOException {
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            int half = bytes.length / 2;
            ch.write(java.nio.ByteBuffer.wrap(bytes, 0, half));
            killPoint("writing checkpoint " + step);
            ch.write(java.nio.ByteBuffer.wrap(bytes, half, bytes.length - half));
        }
    }

    private void killPoint(String label) {
        ChildJvm.killPoint(label, pauseAt);
    }
}
