package dev.hymt4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code trainer_state.json}, with the fields of transformers' {@code TrainerState} that a run needs to resume
 * and to report: the optimizer step reached, the fractional epoch, the best evaluation metric with the checkpoint
 * that had it, and the history of logged entries.
 */
public final class TrainerState {
    public static final String FILE_NAME = "trainer_state.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private long globalStep;
    private double epoch;
    private long maxSteps;
    private Double bestMetric;
    private String bestModelCheckpoint;
    private final List<Map<String, Object>> logHistory = new ArrayList<>();

    public TrainerState(long maxSteps) {
        this.maxSteps = maxSteps;
    }

    public long globalStep() {
        return globalStep;
    }

    public double epoch() {
        return epoch;
    }

    public long maxSteps() {
        return maxSteps;
    }

    /** The best value so far of {@code metric_for_best_model}, or null before the first evaluation. */
    public Double bestMetric() {
        return bestMetric;
    }

    /** The checkpoint directory name (e.g. {@code checkpoint-500}) that had {@link #bestMetric()}, or null. */
    public String bestModelCheckpoint() {
        return bestModelCheckpoint;
    }

    public List<Map<String, Object>> logHistory() {
        return List.copyOf(logHistory);
    }

    /** Records that {@code step} optimizer updates are done, at fractional {@code epoch}. */
    public void advance(long step, double epoch) {
        this.globalStep = step;
        this.epoch = epoch;
    }

    /** Appends a log entry (e.g. loss and learning rate, or eval metrics); {@code step} is added if missing. */
    public void log(Map<String, ?> entry) {
        Map<String, Object> e = new LinkedHashMap<>(entry);
        e.putIfAbsent("step", globalStep);
        logHistory.add(e);
    }

    /**
     * Offers an evaluation result for the checkpoint about to be saved at the current step. As transformers, the
     * first value, or one strictly better than the best so far, becomes the best. Returns whether it did.
     */
    public boolean offerMetric(double value, boolean greaterIsBetter) {
        if (!Double.isFinite(value)) return false;   // a NaN metric never names the best checkpoint
        boolean better = bestMetric == null || (greaterIsBetter ? value > bestMetric : value < bestMetric);
        if (better) {
            bestMetric = value;
            bestModelCheckpoint = CheckpointManager.directoryName(globalStep);
        }
        return better;
    }

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("global_step", globalStep);
        m.put("epoch", epoch);
        m.put("max_steps", maxSteps);
        m.put("best_metric", bestMetric);
        m.put("best_model_checkpoint", bestModelCheckpoint);
        m.put("log_history", logHistory);
        try {
            return JSON.writeValueAsString(m) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static TrainerState read(Path file) throws IOException {
        Map<?, ?> m = JSON.readValue(file.toFile(), Map.class);
        try {
            TrainerState s = new TrainerState(((Number) m.get("max_steps")).longValue());
            s.globalStep = ((Number) m.get("global_step")).longValue();
            s.epoch = ((Number) m.get("epoch")).doubleValue();
            s.bestMetric = m.get("best_metric") == null ? null : ((Number) m.get("best_metric")).doubleValue();
            s.bestModelCheckpoint = (String) m.get("best_model_checkpoint");
            for (Object entry : (List<?>) m.get("log_history")) {
                Map<String, Object> e = new LinkedHashMap<>();
                ((Map<?, ?>) entry).forEach((k, v) -> e.put((String) k, v));
                s.logHistory.add(e);
            }
            return s;
        } catch (ClassCastException | NullPointerException e) {
            throw new IOException(file + ": not a trainer state (global_step, epoch, max_steps, log_history)", e);
        }
    }
}
