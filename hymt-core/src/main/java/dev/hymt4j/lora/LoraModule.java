package dev.hymt4j.lora;

import dev.hymt4j.ops.Vec;
import dev.hymt4j.tensor.MappedMatrix;
import dev.hymt4j.tensor.Matrix;
import dev.hymt4j.tensor.Parameter;

/**
 * The adapter of one projection: {@code A [r, in]}, {@code B [out, r]} (fp32) and the scaling. {@code A} and
 * {@code B} are also exposed as {@link Matrix} views over the live arrays, so their products reuse the
 * engine's matmul kernels.
 */
public final class LoraModule {
    private final int layer;
    private final LoraTarget target;
    private final int rank, in, out;
    private final float scaling;
    private final Parameter a, b;
    private final Matrix aMatrix, bMatrix;

    LoraModule(int layer, LoraTarget target, int rank, int in, int out, float scaling, float[] aValues, float[] bValues) {
        this.layer = layer;
        this.target = target;
        this.rank = rank;
        this.in = in;
        this.out = out;
        this.scaling = scaling;
        String prefix = "base_model.model." + target.modulePath(layer);
        this.a = new Parameter(prefix + ".lora_A.default.weight", new long[]{rank, in}, aValues);
        this.b = new Parameter(prefix + ".lora_B.default.weight", new long[]{out, rank}, bValues);
        this.aMatrix = MappedMatrix.ofFloats(aValues, rank, in);
        this.bMatrix = MappedMatrix.ofFloats(bValues, out, rank);
    }

    public int layer() {
        return layer;
    }

    public LoraTarget target() {
        return target;
    }

    public int rank() {
        return rank;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }

    public float scaling() {
        return scaling;
    }

    /** {@code lora_A} as a trainable parameter (PEFT name with {@code .default}). */
    public Parameter a() {
        return a;
    }

    public Parameter b() {
        return b;
    }

    public Matrix aMatrix() {
        return aMatrix;
    }

    public Matrix bMatrix() {
        return bMatrix;
    }

    /** The key of {@code lora_A} in {@code adapter_model.safetensors} (PEFT drops the adapter name on save). */
    public String savedNameA() {
        return "base_model.model." + target.modulePath(layer) + ".lora_A.weight";
    }

    public String savedNameB() {
        return "base_model.model." + target.modulePath(layer) + ".lora_B.weight";
    }

    /** {@code ΔW = scaling · (B·A)} as {@code [out, in]}, summed in float like PEFT's fp32 {@code B @ A}. */
    public float[] deltaWeight() {
        float[] delta = new float[out * in];
        float[] av = a.value(), bv = b.value();
        for (int o = 0; o < out; o++) {
            for (int k = 0; k < rank; k++) Vec.axpy(bv[o * rank + k], av, k * in, delta, o * in, in);
            for (int c = 0; c < in; c++) delta[o * in + c] *= scaling;
        }
        return delta;
    }
}
