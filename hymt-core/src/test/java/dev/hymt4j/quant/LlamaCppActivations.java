package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;
import dev.hymt4j.model.LayerWeights;
import dev.hymt4j.model.ModelWeights;
import dev.hymt4j.tensor.MappedMatrix;
import dev.hymt4j.tensor.Matrix;

import static dev.hymt4j.quant.GgmlFloats.nearestInt;

/**
 * Emulates what llama.cpp's CPU backend does to the activations of each matrix product (its {@code vec_dot_type}
 * in ggml-cpu.c): Q8_0 blocks of 32 ({@code d = fp16(max/127)}, {@code q = rint(x·127/max)}, the AVX path of
 * {@code quantize_row_q8_0}) for Q4_0/Q4_1/Q5_0/Q5_1/Q8_0 weights, Q8_K blocks of 256 ({@code q = nearest_int(x·−127/max)},
 * {@code d = 1/iscale}) for the k-quants, F16 for F16 weights and BF16 for BF16 weights. Each activation is replaced
 * by its dequantized value before our float kernel runs, so our result then differs from llama.cpp's only by
 * float summation order: the tests use this to show that the remaining difference to llama.cpp is its int8
 * activation path, and to measure how large that path's effect is.
 */
public final class LlamaCppActivations {
    private LlamaCppActivations() {}

    /** {@code weights} with every projection and the LM head seeing llama.cpp's rounded activations. */
    public static ModelWeights wrap(ModelWeights weights) {
        LayerWeights[] layers = new LayerWeights[weights.layers().length];
        for (int l = 0; l < layers.length; l++) {
            LayerWeights w = weights.layers()[l];
            layers[l] = new LayerWeights(w.inputNorm(), wrap(w.q()), wrap(w.k()), wrap(w.v()), wrap(w.o()), w.queryNorm(),
                    w.keyNorm(), w.postAttentionNorm(), wrap(w.gate()), wrap(w.up()), wrap(w.down()));
        }
        return new ModelWeights(weights.config(), weights.embedding(), layers, weights.finalNorm(), wrap(weights.lmHead()));
    }

    static Matrix wrap(Matrix m) {
        GgmlType type = m instanceof BlockMatrix b ? b.type() : m instanceof MappedMatrix mm ? switch (mm.dtype()) {
            case F16 -> GgmlType.F16;
            case BF16 -> GgmlType.BF16;
            default -> GgmlType.F32;
        } : GgmlType.F32;
        return new Matrix() {
            public int rows() { return m.rows(); }
            public int cols() { return m.cols(); }
            public String format() { return m.format(); }
            public void matmulRows(float[] x, int n, float[] out, int r0, int r1) { m.matmulRows(rounded(type, x), n, out, r0, r1); }
            public void accumulateTransposed(float[] g, int n, float[] out, int c0, int c1) { m.accumulateTransposed(g, n, out, c0, c1); }
            public void readRow(int r, float[] dst, int off) { m.readRow(r, dst, off); }
        };
    }

    /** The activations as llama.cpp's product with {@code weights} of this type sees them. */
    static float[] rounded(GgmlType weights, float[] x) {
        float[] y = x.clone();
        switch (weights) {
            case Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 -> {
                for (int b = 0; b + 32 <= y.length; b += 32) {
                    float max = 0;
                    for (int j = 0; j < 32; j++) max = Math.max(max, Math.abs(y[b + j]));
                    float d = GgmlFloats.fromHalf(GgmlFloats.toHalf(max / 127.f));
                    float id = max != 0 ? 127.f / max : 0;
                    for (int j = 0; j < 32; j++) y[b + j] = (float) Math.rint(y[b + j] * id) * d;
                }
            }
            case Q4_K, Q5_K, Q6_K -> {
                for (int b = 0; b + 256 <= y.length; b += 256) {
                    float max = 0, amax = 0;
                    for (int j = 0; j < 256; j++) {
                        if (Math.abs(y[b + j]) > amax) {
                            amax = Math.abs(y[b + j]);
                            max = y[b + j];
                        }
                    }
                    if (amax == 0) continue;
                    float iscale = -127.f / max;
                    for (int j = 0; j < 256; j++) y[b + j] = Math.min(127, nearestInt(iscale * y[b + j])) * (1 / iscale);
                }
            }
            case F16 -> { for (int i = 0; i < y.length; i++) y[i] = GgmlFloats.fromHalf(GgmlFloats.toHalf(y[i])); }
            case BF16 -> { for (int i = 0; i < y.length; i++) y[i] = GgmlFloats.fromBf16(GgmlFloats.toBf16(y[i])); }
            default -> { }
        }
        return y;
    }
}
