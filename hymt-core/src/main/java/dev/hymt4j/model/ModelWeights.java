package dev.hymt4j.model;

import dev.hymt4j.quant.GptqConfig;
import dev.hymt4j.quant.GptqLinears;
import dev.hymt4j.tensor.MappedMatrix;
import dev.hymt4j.tensor.Matrix;

/**
 * Every weight of a HunYuan dense model, checked against the config on load (spec §3). The LM head is the
 * embedding when {@code tie_word_embeddings} is true — a stored {@code lm_head.weight} is then ignored, as
 * transformers and llama.cpp do — and {@code lm_head.weight} otherwise. In a GPTQ checkpoint (a
 * {@code quantization_config}) every linear stored as {@code qweight/qzeros/scales} loads as a {@link GptqLinears}
 * matrix; the rest (embedding, norms, an unquantized head) as usual.
 */
public record ModelWeights(ModelConfig config, Matrix embedding, LayerWeights[] layers, float[] finalNorm, Matrix lmHead) {

    public static String layerPrefix(int layer) {
        return "model.layers." + layer + ".";
    }

    public static ModelWeights load(Checkpoint ckpt) throws ModelException {
        ModelConfig c = ckpt.config();
        GptqConfig gptqConfig = GptqConfig.find(ckpt.dir());
        GptqLinears gptq = gptqConfig == null ? null : new GptqLinears(ckpt, gptqConfig);
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
                gate = linear(ckpt, gptq, p + "mlp.gate_proj", ff, h);
                up = linear(ckpt, gptq, p + "mlp.up_proj", ff, h);
            }
            layers[l] = new LayerWeights(
                    ckpt.vector(p + "input_layernorm.weight", h),
                    linear(ckpt, gptq, p + "self_attn.q_proj", q, h),
                    linear(ckpt, gptq, p + "self_attn.k_proj", kv, h),
                    linear(ckpt, gptq, p + "self_attn.v_proj", kv, h),
                    linear(ckpt, gptq, p + "self_attn.o_proj", h, q),
                    c.useQkNorm() ? ckpt.vector(p + "self_attn.query_layernorm.weight", hd) : null,
                    c.useQkNorm() ? ckpt.vector(p + "self_attn.key_layernorm.weight", hd) : null,
                    ckpt.vector(p + "post_attention_layernorm.weight", h),
                    gate, up,
                    linear(ckpt, gptq, p + "mlp.down_proj", h, ff));
        }
        float[] finalNorm = ckpt.vector("model.norm.weight", h);
        Matrix lmHead = c.tieWordEmbeddings() ? embedding : linear(ckpt, gptq, "lm_head", c.vocabSize(), h);
        return new ModelWeights(c, embedding, layers, finalNorm, lmHead);
    }

    /** Linear {@code prefix} ({@code [rows = out, cols = in]}): GPTQ-packed if the checkpoint stores it so, else {@code .weight}. */
    private static Matrix linear(Checkpoint ckpt, GptqLinears gptq, String prefix, int rows, int cols) throws ModelException {
        if (gptq != null && gptq.isQuantized(prefix)) return gptq.matrix(prefix, rows, cols);
        return ckpt.matrix(prefix + ".weight", rows, cols);
    }
}
