package dev.hymt4j.model;

import dev.hymt4j.tensor.Finite;
import dev.hymt4j.tensor.MappedMatrix;
import dev.hymt4j.tensor.Matrix;

import java.util.HashSet;
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

    public static ModelWeights load(Checkpoint ckpt) throws ModelException {
        ModelConfig c = ckpt.config();
        Set<String> used = new HashSet<>();
        Tensors t = new Tensors(ckpt, used);
        int h = c.hiddenSize(), q = c.qDim(), kv = c.kvDim(), ff = c.intermediateSize(), hd = c.headDim();
        Matrix embedding = t.matrix("model.embed_tokens.weight", c.vocabSize(), h);
        LayerWeights[] layers = new LayerWeights[c.numLayers()];
        for (int l = 0; l < layers.length; l++) {
            String p = layerPrefix(l);
            Matrix gate, up;
            if (!ckpt.has(p + "mlp.gate_proj.weight") && ckpt.has(p + "mlp.gate_and_up_proj.weight")) {
                // Some Hunyuan checkpoints fuse gate and up (gate rows first, then up).
                MappedMatrix fused = t.matrix(p + "mlp.gate_and_up_proj.weight", 2 * ff, h);
                gate = fused.rowSlice(0, ff);
                up = fused.rowSlice(ff, 2 * ff);
            } else {
                gate = t.matrix(p + "mlp.gate_proj.weight", ff, h);
                up = t.matrix(p + "mlp.up_proj.weight", ff, h);
            }
            layers[l] = new LayerWeights(
                    t.vector(p + "input_layernorm.weight", h),
                    t.matrix(p + "self_attn.q_proj.weight", q, h),
                    t.matrix(p + "self_attn.k_proj.weight", kv, h),
                    t.matrix(p + "self_attn.v_proj.weight", kv, h),
                    t.matrix(p + "self_attn.o_proj.weight", h, q),
                    c.useQkNorm() ? t.vector(p + "self_attn.query_layernorm.weight", hd) : null,
                    c.useQkNorm() ? t.vector(p + "self_attn.key_layernorm.weight", hd) : null,
                    t.vector(p + "post_attention_layernorm.weight", h),
                    gate, up,
                    t.matrix(p + "mlp.down_proj.weight", h, ff));
        }
        float[] finalNorm = t.vector("model.norm.weight", h);
        Matrix lmHead = c.tieWordEmbeddings() ? embedding : t.matrix("lm_head.weight", c.vocabSize(), h);
        UnusedTensors.check(ckpt.dir(), ckpt.tensorNames(), used, c);
        return new ModelWeights(c, embedding, layers, finalNorm, lmHead);
    }

    /** The checkpoint's lookups, remembering every tensor taken (for {@link UnusedTensors}). */
    private record Tensors(Checkpoint ckpt, Set<String> used) {
        MappedMatrix matrix(String name, int rows, int cols) throws ModelException {
            used.add(name);
            return ckpt.matrix(name, rows, cols);
        }

        float[] vector(String name, int length) throws ModelException {
            used.add(name);
            // Norm weights are small and copied anyway: a damaged one is found here, not as NaN output later.
            float[] v = ckpt.vector(name, length);
            int bad = Finite.firstNonFinite(v);
            if (bad >= 0) {
                throw new ModelException(ckpt.fileOf(name) + ": tensor '" + name + "' holds " + v[bad] + " at index " + bad
                        + "; the checkpoint is damaged");
            }
            return v;
        }
    }
}
