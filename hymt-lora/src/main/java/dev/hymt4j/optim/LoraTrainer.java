package dev.hymt4j.optim;

import dev.hymt4j.model.Training;
import dev.hymt4j.model.TrainingBatch;
import dev.hymt4j.tensor.NonFiniteException;

import java.util.List;

/**
 * One optimizer step over a window of micro-batches (gradient accumulation), as the Hugging Face Trainer does
 * it: the loss of the window is the mean over all its label tokens, so micro-batch {@code i} contributes with
 * weight {@code tokens_i / tokens_window}; then global-norm clipping, the scheduled learning rate, AdamW, and
 * zeroed gradients.
 */
public final class LoraTrainer {
    private final Training model;
    private final AdamW optimizer;
    private final LrSchedule schedule;
    private final double maxGradNorm;

    /** @param maxGradNorm global-norm clip threshold, or ≤ 0 for no clipping */
    public LoraTrainer(Training model, AdamW optimizer, LrSchedule schedule, double maxGradNorm) {
        this.model = model;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.maxGradNorm = maxGradNorm;
    }

    /** What one optimizer step saw: mean loss of the window, gradient norm before clipping, learning rate used. */
    public record StepResult(float loss, double gradNorm, double lr, int tokens) {}

    public StepResult step(List<TrainingBatch> microBatches) {
        int total = 0;
        for (TrainingBatch b : microBatches) total += b.targetCount();
        if (total == 0) throw new IllegalArgumentException("no label tokens in the accumulation window");
        double loss = 0;
        for (TrainingBatch b : microBatches) {
            int count = b.targetCount();
            if (count == 0) continue;
            float weight = (float) count / total;
            loss += weight * model.forwardBackward(b, weight);
        }
        var params = model.adapter().parameters();
        double norm = maxGradNorm > 0 ? GradClip.clipGlobalNorm(params, maxGradNorm) : GradClip.globalNorm(params);
        // A NaN or infinite loss or gradient would turn every adapter weight NaN in this update: refuse the update
        // instead, so the adapter (and every checkpoint saved so far) stays as it was.
        if (!Double.isFinite(loss) || !Double.isFinite(norm)) {
            optimizer.zeroGrad();
            throw new NonFiniteException((Double.isFinite(loss) ? "the gradient norm is " + norm : "the loss is " + loss)
                    + " at optimizer step " + (optimizer.stepCount() + 1) + " (learning rate "
                    + schedule.learningRate(optimizer.stepCount()) + "); the step was not applied");
        }
        double lr = schedule.learningRate(optimizer.stepCount());
        optimizer.setLr(lr);
        optimizer.step();
        optimizer.zeroGrad();
        return new StepResult((float) loss, norm, lr, total);
    }
}
