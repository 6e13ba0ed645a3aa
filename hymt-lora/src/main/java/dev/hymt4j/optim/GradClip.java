package dev.hymt4j.optim;

import dev.hymt4j.tensor.Parameter;

import java.util.List;

/** {@code torch.nn.utils.clip_grad_norm_} over a set of parameters (L2 norm). */
public final class GradClip {
    private GradClip() {}

    /**
     * Scales every gradient by {@code min(1, maxNorm / (total + 1e-6))}, where {@code total} is the L2 norm of all
     * gradients together; returns {@code total} (before clipping).
     */
    public static double clipGlobalNorm(List<Parameter> params, double maxNorm) {
        double total = globalNorm(params);
        float coef = (float) Math.min(1.0, maxNorm / (total + 1e-6));
        for (Parameter p : params) {
            float[] g = p.grad();
            for (int i = 0; i < g.length; i++) g[i] *= coef;
        }
        return total;
    }

    public static double globalNorm(List<Parameter> params) {
        double sumSq = 0;
        for (Parameter p : params) for (float x : p.grad()) sumSq += (double) x * x;
        return Math.sqrt(sumSq);
    }
}
