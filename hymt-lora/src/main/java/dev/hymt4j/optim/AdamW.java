package dev.hymt4j.optim;

import dev.hymt4j.safetensors.SafetensorsException;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.safetensors.SafetensorsWriter;
import dev.hymt4j.safetensors.TensorInfo;
import dev.hymt4j.tensor.Parallel;
import dev.hymt4j.tensor.Parameter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * AdamW exactly as {@code torch.optim.AdamW} (single-tensor path) updates each parameter, in float32 with the
 * scalar factors computed in double and rounded to float as torch does:
 * <pre>
 *   step += 1
 *   p  *= 1 − lr·wd                                  (decoupled weight decay, before the Adam update)
 *   m   = m + (1 − β1)·(g − m)                       (exp_avg.lerp_(g, 1 − β1))
 *   v   = v·β2 + (1 − β2)·g·g                         (exp_avg_sq.mul_(β2).addcmul_(g, g, 1 − β2))
 *   denom = √v / √(1 − β2^step) + eps
 *   p  += −(lr / (1 − β1^step)) · m / denom
 * </pre>
 * The state (step, m, v per parameter) saves to and restores from a safetensors file bit for bit.
 */
public final class AdamW {
    private final List<Parameter> params;
    private final float[][] expAvg, expAvgSq;
    private double lr;
    private final double beta1, beta2, eps, weightDecay;
    private long step;

    public AdamW(List<Parameter> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        if (lr < 0 || eps < 0 || weightDecay < 0) throw new IllegalArgumentException("lr, eps and weight_decay must be ≥ 0");
        if (beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1) throw new IllegalArgumentException("betas must be in [0, 1)");
        this.params = List.copyOf(params);
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.expAvg = new float[params.size()][];
        this.expAvgSq = new float[params.size()][];
        for (int i = 0; i < params.size(); i++) {
            expAvg[i] = new float[params.get(i).size()];
            expAvgSq[i] = new float[params.get(i).size()];
        }
    }

    /** torch's defaults: betas (0.9, 0.999), eps 1e-8, weight_decay 0.01. */
    public static AdamW withDefaults(List<Parameter> params, double lr) {
        return new AdamW(params, lr, 0.9, 0.999, 1e-8, 0.01);
    }

    public double lr() {
        return lr;
    }

    /** Sets the learning rate of the next steps (what a scheduler does between steps). */
    public void setLr(double lr) {
        this.lr = lr;
    }

    /** Steps taken so far. */
    public long stepCount() {
        return step;
    }

    public List<Parameter> parameters() {
        return params;
    }

    /** One update of every parameter from its current gradient (gradients are left as they are). */
    public void step() {
        step++;
        float decay = (float) (1 - lr * weightDecay);
        float oneMinusBeta1 = (float) (1 - beta1), b2 = (float) beta2, oneMinusBeta2 = (float) (1 - beta2);
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2 = 1 - Math.pow(beta2, step);
        float negStepSize = (float) -(lr / biasCorrection1);
        float bc2Sqrt = (float) Math.sqrt(biasCorrection2);
        float epsF = (float) eps;
        boolean decays = weightDecay != 0;
        // Parameters are independent, each element's update the same whichever thread runs it: split by parameter.
        Parallel.forRange(params.size(), 1, (i0, i1) -> {
            for (int i = i0; i < i1; i++) {
                float[] p = params.get(i).value(), g = params.get(i).grad(), m = expAvg[i], v = expAvgSq[i];
                for (int j = 0; j < p.length; j++) {
                    if (decays) p[j] *= decay;
                    m[j] += oneMinusBeta1 * (g[j] - m[j]);
                    v[j] = v[j] * b2 + oneMinusBeta2 * g[j] * g[j];
                    float denom = (float) Math.sqrt(v[j]) / bc2Sqrt + epsF;
                    p[j] += negStepSize * (m[j] / denom);
                }
                params.get(i).markUpdated();
            }
        });
    }

    public void zeroGrad() {
        params.forEach(Parameter::zeroGrad);
    }

    /**
     * Writes {@code step} (I64 [1]) and {@code <param>.exp_avg} / {@code <param>.exp_avg_sq} (F32, the parameter's
     * shape), with the hyper-parameters as metadata; atomic.
     */
    public void saveState(Path file) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        w.addI64("step", new long[]{1}, new long[]{step});
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            w.addF32(p.name() + ".exp_avg", p.shape(), expAvg[i]);
            w.addF32(p.name() + ".exp_avg_sq", p.shape(), expAvgSq[i]);
        }
        w.metadata("optimizer", "AdamW").metadata("lr", Double.toString(lr)).metadata("betas", beta1 + "," + beta2)
                .metadata("eps", Double.toString(eps)).metadata("weight_decay", Double.toString(weightDecay));
        w.write(file);
    }

    /** Restores the state written by {@link #saveState}; the parameters must match by name and shape. */
    public void loadState(Path file) throws IOException {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            long[] s = f.readLongs("step");
            if (s.length != 1 || s[0] < 0) throw new SafetensorsException(file + ": tensor 'step' must hold one count ≥ 0");
            int expected = 1 + 2 * params.size();
            if (f.tensors().size() != expected) {
                throw new SafetensorsException(file + ": holds " + f.tensors().size() + " tensors but an optimizer over "
                        + params.size() + " parameters has " + expected);
            }
            float[][] m = new float[params.size()][], v = new float[params.size()][];
            for (int i = 0; i < params.size(); i++) {
                Parameter p = params.get(i);
                m[i] = readState(f, p, ".exp_avg");
                v[i] = readState(f, p, ".exp_avg_sq");
            }
            for (int i = 0; i < params.size(); i++) {
                System.arraycopy(m[i], 0, expAvg[i], 0, m[i].length);
                System.arraycopy(v[i], 0, expAvgSq[i], 0, v[i].length);
            }
            step = s[0];
        }
    }

    private static float[] readState(SafetensorsFile f, Parameter p, String suffix) throws SafetensorsException {
        TensorInfo t = f.info(p.name() + suffix);
        if (!Arrays.equals(t.shape(), p.shape())) {
            throw new SafetensorsException(f.path() + ": '" + t.name() + "' has shape " + t.shapeString() + " but the parameter has "
                    + Arrays.toString(p.shape()));
        }
        return f.readFloats(t.name());
    }
}
