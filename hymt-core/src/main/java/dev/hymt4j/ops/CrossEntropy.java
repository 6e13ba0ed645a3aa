package dev.hymt4j.ops;

import dev.hymt4j.tensor.Parallel;

/** Token cross-entropy on rows of logits, fused with its gradient (the logits buffer becomes dlogits). */
public final class CrossEntropy {
    private CrossEntropy() {}

    /**
     * Returns {@code Σ_rows −log softmax(logits[row])[target[row]]} (double) and overwrites {@code logits} with
     * {@code gradScale · (softmax − onehot(target))}.
     */
    public static double forwardBackward(float[] logits, int rows, int vocab, int[] targets, float gradScale) {
        double[] losses = new double[rows];
        Parallel.forRange(rows, 1, (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int o = r * vocab;
                float max = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < vocab; i++) max = Math.max(max, logits[o + i]);
                int target = targets[r];
                float shiftedTarget = logits[o + target] - max;
                double sum = 0;
                for (int i = 0; i < vocab; i++) {
                    float e = (float) Math.exp(logits[o + i] - max);
                    logits[o + i] = e;
                    sum += e;
                }
                losses[r] = Math.log(sum) - shiftedTarget;
                float inv = (float) (gradScale / sum);
                for (int i = 0; i < vocab; i++) logits[o + i] *= inv;
                logits[o + target] -= gradScale;
            }
        });
        double total = 0;
        for (double l : losses) total += l;
        return total;
    }

    /** The loss only: {@code Σ_rows −log softmax(logits[row])[target[row]]}; logits are left untouched. */
    public static double forward(float[] logits, int rows, int vocab, int[] targets) {
        double total = 0;
        for (int r = 0; r < rows; r++) {
            int o = r * vocab;
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < vocab; i++) max = Math.max(max, logits[o + i]);
            double sum = 0;
            for (int i = 0; i < vocab; i++) sum += Math.exp(logits[o + i] - max);
            total += Math.log(sum) - (logits[o + targets[r]] - max);
        }
        return total;
    }
}
