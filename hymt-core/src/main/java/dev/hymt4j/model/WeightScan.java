package dev.hymt4j.model;

import dev.hymt4j.tensor.Finite;
import dev.hymt4j.tensor.Matrix;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where a model's weights hold NaN or ±∞: the first such tensor, row and column. It reads every weight once
 * (seconds for the 1.8B model), so it runs only after a computation already went non-finite, to tell a
 * damaged checkpoint from activations that overflowed.
 */
public final class WeightScan {
    private WeightScan() {}

    /** E.g. {@code "model.layers.1.mlp.up_proj.weight holds NaN at row 3, column 17"}; empty when all are finite. */
    public static Optional<String> firstNonFinite(ModelWeights w) {
        for (Map.Entry<String, float[]> e : vectors(w).entrySet()) {
            int i = e.getValue() == null ? -1 : Finite.firstNonFinite(e.getValue());
            if (i >= 0) return Optional.of(e.getKey() + " holds " + e.getValue()[i] + " at index " + i);
        }
        for (Map.Entry<String, Matrix> e : matrices(w).entrySet()) {
            Matrix m = e.getValue();
            float[] row = new float[m.cols()];
            for (int r = 0; r < m.rows(); r++) {
                m.readRow(r, row, 0);
                int c = Finite.firstNonFinite(row);
                if (c >= 0) return Optional.of(e.getKey() + " holds " + row[c] + " at row " + r + ", column " + c);
            }
        }
        return Optional.empty();
    }

    /** Every norm weight by its checkpoint name (null where the model has none). */
    private static Map<String, float[]> vectors(ModelWeights w) {
        Map<String, float[]> m = new LinkedHashMap<>();
        for (int l = 0; l < w.layers().length; l++) {
            LayerWeights x = w.layers()[l];
            String p = ModelWeights.layerPrefix(l);
            m.put(p + "input_layernorm.weight", x.inputNorm());
            m.put(p + "self_attn.query_layernorm.weight", x.queryNorm());
            m.put(p + "self_attn.key_layernorm.weight", x.keyNorm());
            m.put(p + "post_attention_layernorm.weight", x.postAttentionNorm());
        }
        m.put("model.norm.weight", w.finalNorm());
        return m;
    }

    /** Every matrix by its checkpoint name, in forward order. */
    private static Map<String, Matrix> matrices(ModelWeights w) {
        Map<String, Matrix> m = new LinkedHashMap<>();
        m.put("model.embed_tokens.weight", w.embedding());
        for (int l = 0; l < w.layers().length; l++) {
            LayerWeights x = w.layers()[l];
            String p = ModelWeights.layerPrefix(l);
            m.put(p + "self_attn.q_proj.weight", x.q());
            m.put(p + "self_attn.k_proj.weight", x.k());
            m.put(p + "self_attn.v_proj.weight", x.v());
            m.put(p + "self_attn.o_proj.weight", x.o());
            m.put(p + "mlp.gate_proj.weight", x.gate());
            m.put(p + "mlp.up_proj.weight", x.up());
            m.put(p + "mlp.down_proj.weight", x.down());
        }
        if (w.lmHead() != w.embedding()) m.put("lm_head.weight", w.lmHead());
        return m;
    }
}
