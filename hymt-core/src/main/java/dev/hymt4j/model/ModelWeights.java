package dev.hymt4j.model;

import dev.hymt4j.tensor.Finite;
import dev.hymt4j.tensor.MappedMatrix;
import dev.hymt4j.tensor.Matrix;
import dev.hymt4j.weights.WeightSource;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Every weight of a HunYuan dense model, checked against the config on load (spec §3). The LM head is the
 * embedding when {@code tie_word_embeddings} is true — a stored {@code lm_head.weight} is then ignored, as
 * transformers and llama.cpp do — and {@code lm_head.weight} otherwise.
 */
public record ModelWeights(ModelConfig config, Matrix embedding, LayerWeights[] layers, float[] finalNorm, Matrix lmHead) {

    public static String layerPrefix(int layer) {
        return "model.layers." + layer + ".";
    }

    /**
     * Loads every weight the config calls for from {@code source}, each in its storage format. A tensor the config
     * does not use is an error ({@link UnusedTensors}): a config that disagrees with its weights is wrong.
     */
    public static ModelWeights load(WeightSource source) throws ModelException {
        Set<String> used = new LinkedHashSet<>();
        ModelWeights weights = load(source, used);
        UnusedTensors.check(source.path(), source.tensorNames(), used, source.config());
        return weights;
    }

    /**
     * The tensors of {@code source} that the config does not use (e.g. layers beyond {@code num_hidden_layers},
     * a tied model's stored {@code lm_head.weight}), in the source's order: what a loader reports or refuses.
     */
    public static Set<String> unusedTensors(WeightSource source) throws ModelException {
        Set<String> used = new LinkedHashSet<>();
        load(source, used);
        Set<String> unused = new LinkedHashSet<>(source.tensorNames());
        unused.removeAll(used);
        return unused;
    }

    private static ModelWeights load(WeightSource src, Set<String> used) throws ModelException {
        ModelConfig c = src.config();
        int h = c.hiddenSize(), q = c.qDim(), kv = c.kvDim(), ff = c.intermediateSize(), hd = c.headDim();
        Reader r = new Reader(src, used);
        Matrix embedding = r.matrix("model.embed_tokens.weight", c.vocabSize(), h);
        LayerWeights[] layers = new LayerWeights[c.numLayers()];
        for (int l = 0; l < layers.length; l++) {
            String p = layerPrefix(l);
            Matrix gate, up;
            if (!src.has(p + "mlp.gate_proj.weight") && src.has(p + "mlp.gate_and_up_proj.weight")) {
                // Some Hunyuan checkpoints fuse gate and up (gate rows first, then up).
                String name = p + "mlp.gate_and_up_proj.weight";
                if (!(r.matrix(name, 2 * ff, h) instanceof MappedMatrix fused)) {
                    throw new ModelException(src.path() + ": tensor '" + name + "' is fused gate/up in a format that cannot be split");
                }
                gate = fused.rowSlice(0, ff);
                up = fused.rowSlice(ff, 2 * ff);
            } else {
                gate = r.matrix(p + "mlp.gate_proj.weight", ff, h);
                up = r.matrix(p + "mlp.up_proj.weight", ff, h);
            }
            layers[l] = new LayerWeights(
                    r.vector(p + "input_layernorm.weight", h),
                    r.matrix(p + "self_attn.q_proj.weight", q, h),
                    r.matrix(p + "self_attn.k_proj.weight", kv, h),
                    r.matrix(p + "self_attn.v_proj.weight", kv, h),
                    r.matrix(p + "self_attn.o_proj.weight", h, q),
                    c.useQkNorm() ? r.vector(p + "self_attn.query_layernorm.weight", hd) : null,
                    c.useQkNorm() ? r.vector(p + "self_attn.key_layernorm.weight", hd) : null,
                    r.vector(p + "post_attention_layernorm.weight", h),
                    gate, up,
                    r.matrix(p + "mlp.down_proj.weight", h, ff));
        }
        float[] finalNorm = r.vector("model.norm.weight", h);
        Matrix lmHead = c.tieWordEmbeddings() ? embedding : r.matrix("lm_head.weight", c.vocabSize(), h);
        return new ModelWeights(c, embedding, layers, finalNorm, lmHead);
    }

    /** Reads tensors from a source, remembering their names. */
    private record Reader(WeightSource source, Set<String> used) {
        Matrix matrix(String name, int rows, int cols) throws ModelException {
            used.addAll(source.storedTensors(name));
            return source.matrix(name, rows, cols);
        }

        float[] vector(String name, int length) throws ModelException {
            used.add(name);
            // Norm weights are small and decoded anyway: a damaged one is found here, not as NaN output later.
            float[] v = source.vector(name, length);
            int bad = Finite.firstNonFinite(v);
            if (bad >= 0) {
                throw new ModelException(source.path() + ": tensor '" + name + "' holds " + v[bad] + " at index " + bad
                        + "; the checkpoint is damaged");
            }
            return v;
        }
    }
}
