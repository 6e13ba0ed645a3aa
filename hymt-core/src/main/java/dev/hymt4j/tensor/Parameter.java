package dev.hymt4j.tensor;

import java.util.Arrays;

/**
 * A trainable fp32 tensor and its gradient, under the name the Python side uses for it (for LoRA: the PEFT
 * parameter name, e.g. {@code base_model.model.model.layers.0.self_attn.q_proj.lora_A.default.weight}).
 * Gradients accumulate ({@code +=}) until {@link #zeroGrad()}.
 */
public final class Parameter {
    private final String name;
    private final long[] shape;
    private final float[] value;
    private final float[] grad;
    private long version;

    public Parameter(String name, long[] shape, float[] value) {
        long numel = 1;
        for (long d : shape) numel *= d;
        if (numel != value.length) {
            throw new IllegalArgumentException(name + ": " + value.length + " values for shape " + Arrays.toString(shape));
        }
        this.name = name;
        this.shape = shape.clone();
        this.value = value;
        this.grad = new float[value.length];
    }

    public String name() {
        return name;
    }

    public long[] shape() {
        return shape.clone();
    }

    /** The live values (updated in place by the optimizer). */
    public float[] value() {
        return value;
    }

    /** The live gradient buffer. */
    public float[] grad() {
        return grad;
    }

    public int size() {
        return value.length;
    }

    /** Counts changes of the values (an optimizer step calls {@link #markUpdated()}). */
    public long version() {
        return version;
    }

    /** Records that the values changed, so that results cached from the old values are not reused. */
    public void markUpdated() {
        version++;
    }

    public void zeroGrad() {
        Arrays.fill(grad, 0f);
    }
}
