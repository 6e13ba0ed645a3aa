package dev.hymt4j.onednn;

import dev.hymt4j.model.ModelException;
import dev.hymt4j.tensor.Matrix;
import dev.hymt4j.weights.ForwardingWeightSource;
import dev.hymt4j.weights.WeightSource;

import java.util.function.Consumer;

/**
 * Inference with BF16 compute ({@code hymt translate|generate|bench --backend onednn}): every BF16 or F32 matrix of
 * the source held in native memory goes behind {@link OneDnnMatrix}, so products of {@value OneDnnMatrix#MIN_TOKENS}
 * tokens or more — prefill, large batches — run in oneDNN, while decode steps of fewer tokens stay on the Java
 * kernels. <b>Neither exact nor batch-invariant</b>: activations are rounded to BF16 (relative error about 2e-3 per
 * product) and a token's result depends on what else is in its product; the default (Java) path promises both.
 * GGUF block-quantized matrices are decoded to BF16 chunk by chunk for each such product ({@link OneDnnMatrix});
 * GPTQ and NF4 ones stay on the Java kernels.
 */
public final class OneDnnWeightSource extends ForwardingWeightSource {
    private final OneDnn dnn;

    private OneDnnWeightSource(WeightSource base, OneDnn dnn) {
        super(base);
        this.dnn = dnn;
    }

    /** {@code base} with its matrices behind oneDNN, or {@code base} itself where oneDNN cannot load; {@code log} gets one line. */
    public static WeightSource wrap(WeightSource base, Consumer<String> log) {
        return OneDnn.get().<WeightSource>map(dnn -> {
            log.accept("inference backend: onednn, BF16 compute for products of " + OneDnnMatrix.MIN_TOKENS + "+ tokens ("
                    + OneDnnMatrix.MIN_COMPRESSED_TOKENS + "+ from Q8_0/Q4_0/Q4_K weights, read compressed; not exact, not batch-invariant), " + PackedWeights.budgetLine() + " — "
                    + dnn.description());
            return new OneDnnWeightSource(base, dnn);
        }).orElseGet(() -> {
            log.accept("inference backend: java: oneDNN cannot load here (" + OneDnn.unavailableReason() + ")");
            return base;
        });
    }

    @Override
    public Matrix matrix(String name, int rows, int cols) throws ModelException {
        return OneDnnMatrix.wrap(base.matrix(name, rows, cols), dnn);
    }
}
