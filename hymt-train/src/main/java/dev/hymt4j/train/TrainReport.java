package dev.hymt4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hymt4j.io.AtomicFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@code hymt train} run produced: where the final adapter and the best checkpoint are, the last training
 * loss and evaluation metrics, and the throughput of this session. Written as {@code train_report.json} and
 * printed as text.
 */
public record TrainReport(Path outputDir, Path adapterDir, long globalStep, long maxSteps, double epoch,
                          Double trainLoss, Map<String, Object> finalEval, String bestCheckpoint, Double bestMetric,
                          String metricForBestModel, int trainExamples, int trainDropped, Integer validExamples,
                          Integer validDropped, long sessionSteps, long sessionTokens, double tokensPerSecond,
                          double trainSeconds, double evalSeconds, double checkpointSeconds, double runtimeSeconds) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static TrainReport of(TrainingConfig config, TrainerState state, EncodedDataset train, Optional<EncodedDataset> valid,
                          Trainer.Timings timings, double runtimeSeconds) {
        List<Map<String, Object>> history = state.logHistory();
        Double loss = history.reversed().stream().filter(e -> e.containsKey("loss"))
                .map(e -> ((Number) e.get("loss")).doubleValue()).findFirst().orElse(null);
        Map<String, Object> eval = new LinkedHashMap<>();
        history.reversed().stream().filter(e -> e.containsKey("eval_loss")).findFirst()
                .ifPresent(e -> e.forEach((k, v) -> { if (k.startsWith("eval_")) eval.put(k, v); }));
        Path out = config.outputDir();
        return new TrainReport(out, out.resolve(Trainer.ADAPTER_DIR), state.globalStep(), state.maxSteps(), state.epoch(),
                loss, eval, state.bestModelCheckpoint(), state.bestMetric(), config.metricForBestModel(),
                train.size(), train.dropped(), valid.map(EncodedDataset::size).orElse(null),
                valid.map(EncodedDataset::dropped).orElse(null), timings.steps(), timings.tokens(),
                timings.tokensPerSecond(), timings.trainSeconds(), timings.evalSeconds(), timings.checkpointSeconds(),
                runtimeSeconds);
    }

    /** The last {@code eval_*} value logged, or null if the run never evaluated. */
    public Double eval(String key) {
        Object v = finalEval.get(key);
        return v == null ? null : ((Number) v).doubleValue();
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("output_dir", outputDir.toString());
        m.put("adapter_dir", adapterDir.toString());
        m.put("global_step", globalStep);
        m.put("max_steps", maxSteps);
        m.put("epoch", epoch);
        m.put("train_loss", trainLoss);
        m.put("final_eval", finalEval);
        m.put("best_model_checkpoint", bestCheckpoint == null ? null : outputDir.resolve(bestCheckpoint).toString());
        m.put("metric_for_best_model", metricForBestModel);
        m.put("best_metric", bestMetric);
        m.put("train_examples", trainExamples);
        m.put("train_examples_dropped_over_max_seq_len", trainDropped);
        m.put("valid_examples", validExamples);
        m.put("valid_examples_dropped_over_max_seq_len", validDropped);
        m.put("session_steps", sessionSteps);
        m.put("session_tokens", sessionTokens);
        m.put("tokens_per_second", tokensPerSecond);
        m.put("train_seconds", trainSeconds);
        m.put("eval_seconds", evalSeconds);
        m.put("checkpoint_seconds", checkpointSeconds);
        m.put("runtime_seconds", runtimeSeconds);
        return m;
    }

    public void write(Path file) throws IOException {
        AtomicFile.writeString(file, JSON.writeValueAsString(toMap()) + "\n");
    }

    public String toText() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "done: step %d/%d (epoch %.2f)%s%n", globalStep, maxSteps, epoch,
                trainLoss == null ? "" : String.format(Locale.ROOT, ", last train loss %.4f", trainLoss)));
        if (!finalEval.isEmpty()) {
            b.append(String.format(Locale.ROOT, "final eval: loss %.4f, BLEU %.2f, chrF %.2f%n",
                    eval("eval_loss"), eval("eval_bleu"), eval("eval_chrf")));
        }
        if (bestCheckpoint != null) {
            b.append(String.format(Locale.ROOT, "best checkpoint: %s (%s %.4f)%n", outputDir.resolve(bestCheckpoint),
                    metricForBestModel, bestMetric));
        }
        b.append(String.format(Locale.ROOT, "throughput: %.0f tokens/s over %d steps (train %.1f s, eval %.1f s, checkpoints %.1f s, total %.1f s)%n",
                tokensPerSecond, sessionSteps, trainSeconds, evalSeconds, checkpointSeconds, runtimeSeconds));
        b.append("final adapter: ").append(adapterDir).append(System.lineSeparator());
        b.append("report: ").append(outputDir.resolve(Trainer.REPORT_FILE)).append(System.lineSeparator());
        return b.toString();
    }
}
