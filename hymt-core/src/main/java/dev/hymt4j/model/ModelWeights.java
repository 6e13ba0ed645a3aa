package dev.hymt4j.model;

import dev.hymt4j.tensor.MappedMatrix;
import dev.hymt4j.tensor.Matrix;

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
        int h = c.hiddenSize(), q = c.qDim(), kv = c.kvDim(), ff = c.intermediateSize(), hd = c.headDim();
        Matrix embedding = ckpt.matrix("model.embed_tokens.weight", c.vocabSize(), h);
        LayerWeights[] layers = new LayerWeights[c.numLayers()];
        for (int l = 0; l < layers.length; l++) {
            String p = layerPrefix(l);
            Matrix gate, up;
            if (!ckpt.has(p + "mlp.gate_proj.weight") && ckpt.has(p + "mlp.gate_and_up_proj.weight")) {
                // Some Hunyuan checkpoints fuse gate and up (gate rows first, then up).
                MappedMatrix fused = ckpt.matrix(p + "mlp.gate_and_up_proj.weight", 2 * ff, h);
                gate = fused.rowSlice(0, ff);
                up = fused.rowSlice(ff, 2 * ff);
            } else {
                gate = ckpt.matrix(p + "mlp.gate_proj.weight", ff, h);
                up = ckpt.matrix(p + "mlp.up_proj.weight", ff, h);
            }
            layers[l] = new LayerWeights(
                    ckpt.vector(p + "input_layernorm.weight", h),
                    ckpt.matrix(p + "self_attn.q_proj.weight", q, h),
                    ckpt.matrix(p + "self_attn.k_proj.weight", kv, h),
                    ckpt.matrix(p + "self_attn.v_proj.weight", kv, h),
                    ckpt.matrix(p + "self_attn.o_proj.weight", h, q),
                    c.useQkNorm() ? ckpt.vector(p + "self_attn.query_layernorm.weight", hd) : null,
                    c.useQkNorm() ? ckpt.vector(p + "self_attn.key_layernorm.weight", hd) : null,
                    ckpt.vector(p + "post_attention_layernorm.weight", h),
                    gate, up,
                    ckpt.matrix(p + "mlp.down_proj.weight", h, ff));
        }
        float[] finalNorm = ckpt.vector("model.norm.weight", h);
        Matrix lmHead = c.tieWordEmbeddings() ? embedding : ckpt.matrix("lm_head.weight", c.vocabSize(), h);
        return new ModelWeights(c, embedding, layers, finalNorm, lmHead);
    }
}
