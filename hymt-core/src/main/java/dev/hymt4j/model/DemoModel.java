package dev.hymt4j.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hymt4j.io.AtomicFile;
import dev.hymt4j.safetensors.DType;
import dev.hymt4j.safetensors.SafetensorsWriter;
import dev.hymt4j.safetensors.TensorData;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a model directory of the HY-MT1.5 architecture with random weights: for demos, tests and the
 * benchmark (the real weights are not available on our machines). The files are laid out as the real
 * {@code tencent/HY-MT1.5-1.8B} ships them: {@code config.json} in the transformers-4 spelling
 * ({@code rope_scaling} with alpha 1000 and a top-level {@code rope_theta}), {@code generation_config.json}
 * and one {@code model.safetensors}. Weights are generated chunk by chunk while the file is written, so even
 * the 3.6 GB 1.8B shape never sits on the heap.
 */
public final class DemoModel {
    private DemoModel() {}

    /** The dimensions of a model; {@code tied} means no separate {@code lm_head.weight}. */
    public record Shape(int vocabSize, int hiddenSize, int layers, int heads, int kvHeads, int headDim,
                        int intermediateSize, boolean tied) {
        /** HY-MT1.5-1.8B (spec §1): 1,791,080,448 parameters, 3.58 GB in BF16. */
        public static final Shape HY_MT_1_8B = new Shape(120818, 2048, 32, 16, 4, 128, 6144, true);

        public long parameterCount() {
            long h = hiddenSize, q = (long) heads * headDim, kv = (long) kvHeads * headDim;
            long perLayer = h * q + 2 * h * kv + q * h + 3 * h * intermediateSize + 2 * h + 2L * headDim;
            return (long) vocabSize * h * (tied ? 1 : 2) + layers * perLayer + h;
        }
    }

    /** Writes {@code config.json}, {@code generation_config.json} and {@code model.safetensors} into {@code dir}. */
    public static void write(Path dir, Shape shape, DType dtype, long seed) throws IOException {
        // Real HY-MT1.5 special ids when the vocabulary has room for them, small ones otherwise.
        boolean realVocab = shape.vocabSize() > 120020;
        write(dir, shape, dtype, seed, realVocab ? new SpecialIds(120000, 120020, 120002) : new SpecialIds(1, 2, 0));
    }

    /** The ids config.json and generation_config.json name, e.g. those of a tokenizer trained for the demo. */
    public record SpecialIds(int bos, int eos, int pad) {}

    /** As {@link #write(Path, Shape, DType, long)}, with the special ids of the tokenizer that goes with the model. */
    public static void write(Path dir, Shape shape, DType dtype, long seed, SpecialIds ids) throws IOException {
        if (dtype != DType.F32 && dtype != DType.BF16) throw new IllegalArgumentException("demo weights are F32 or BF16, not " + dtype);
        Files.createDirectories(dir);
        int bos = ids.bos(), eos = ids.eos(), pad = ids.pad();
        ObjectMapper json = new ObjectMapper();
        AtomicFile.writeString(dir.resolve("config.json"),
                json.writerWithDefaultPrettyPrinter().writeValueAsString(config(json, shape, dtype, bos, eos, pad)));
        ObjectNode generation = json.createObjectNode()
                .put("bos_token_id", bos).put("eos_token_id", eos).put("pad_token_id", pad)
                .put("do_sample", true).put("temperature", 0.7).put("top_k", 20).put("top_p", 0.6)
                .put("repetition_penalty", 1.05).put("transformers_version", "4.56.0");
        AtomicFile.writeString(dir.resolve("generation_config.json"), json.writerWithDefaultPrettyPrinter().writeValueAsString(generation));

        int h = shape.hiddenSize(), q = shape.heads() * shape.headDim(), kv = shape.kvHeads() * shape.headDim();
        int ff = shape.intermediateSize();
        SafetensorsWriter w = new SafetensorsWriter();
        embedding(w, "model.embed_tokens.weight", dtype, seed, shape.vocabSize(), h);
        for (int l = 0; l < shape.layers(); l++) {
            String p = ModelWeights.layerPrefix(l);
            norm(w, p + "input_layernorm.weight", dtype, seed, h);
            matrix(w, p + "self_attn.q_proj.weight", dtype, seed, q, h);
            matrix(w, p + "self_attn.k_proj.weight", dtype, seed, kv, h);
            matrix(w, p + "self_attn.v_proj.weight", dtype, seed, kv, h);
            matrix(w, p + "self_attn.o_proj.weight", dtype, seed, h, q);
            norm(w, p + "self_attn.query_layernorm.weight", dtype, seed, shape.headDim());
            norm(w, p + "self_attn.key_layernorm.weight", dtype, seed, shape.headDim());
            norm(w, p + "post_attention_layernorm.weight", dtype, seed, h);
            matrix(w, p + "mlp.gate_proj.weight", dtype, seed, ff, h);
            matrix(w, p + "mlp.up_proj.weight", dtype, seed, ff, h);
            matrix(w, p + "mlp.down_proj.weight", dtype, seed, h, ff);
        }
        norm(w, "model.norm.weight", dtype, seed, h);
        if (!shape.tied()) embedding(w, "lm_head.weight", dtype, seed, shape.vocabSize(), h);
        w.write(dir.resolve(Checkpoint.SINGLE_FILE));
    }

    private static ObjectNode config(ObjectMapper json, Shape s, DType dtype, int bos, int eos, int pad) {
        ObjectNode c = json.createObjectNode();
        c.putArray("architectures").add("HunYuanDenseV1ForCausalLM");
        c.put("model_type", ModelConfig.MODEL_TYPE)
                .put("vocab_size", s.vocabSize()).put("org_vocab_size", s.vocabSize())
                .put("hidden_size", s.hiddenSize()).put("num_hidden_layers", s.layers())
                .put("num_attention_heads", s.heads()).put("num_key_value_heads", s.kvHeads())
                .put("head_dim", s.headDim()).put("attention_head_dim", s.headDim())
                .put("intermediate_size", s.intermediateSize()).put("hidden_act", "silu").put("rms_norm_eps", 1e-5)
                .put("rope_theta", 10000.0);
        c.putObject("rope_scaling").put("alpha", 1000.0).put("beta_fast", 32).put("beta_slow", 1).put("factor", 1.0)
                .put("mscale", 1.0).put("mscale_all_dim", 1.0).put("type", "dynamic");
        c.put("max_position_embeddings", 262144).put("tie_word_embeddings", s.tied()).put("use_qk_norm", true)
                .put("attention_bias", false).put("mlp_bias", false).put("use_cla", false).put("use_rotary_pos_emb", true)
                .put("norm_type", "rms").put("bos_token_id", bos).put("eos_token_id", eos).put("pad_token_id", pad)
                .put("torch_dtype", dtype == DType.BF16 ? "bfloat16" : "float32").put("transformers_version", "4.56.0");
        return c;
    }

    /** A projection: uniform with the standard deviation 0.02 of the family's initializer_range. */
    private static void matrix(SafetensorsWriter w, String name, DType dtype, long seed, int rows, int cols) {
        w.add(name, dtype, new long[]{rows, cols}, uniform(dtype, seed, name, 0f, 0.02f * (float) Math.sqrt(3)));
    }

    /**
     * The embedding and LM head: standard deviation 1/√hidden, so a hidden state aligned with a token's row gives
     * it a logit of about √hidden. With the projections' 0.02 every logit would stay within ±2.6 at hidden size
     * 128, the output near uniform whatever the layers compute, and fine-tuning the demo model could barely lower
     * its loss.
     */
    private static void embedding(SafetensorsWriter w, String name, DType dtype, long seed, int rows, int cols) {
        w.add(name, dtype, new long[]{rows, cols}, uniform(dtype, seed, name, 0f, (float) Math.sqrt(3.0 / cols)));
    }

    /** A norm weight around 1, so that norms are not the identity. */
    private static void norm(SafetensorsWriter w, String name, DType dtype, long seed, int length) {
        w.add(name, dtype, new long[]{length}, uniform(dtype, seed, name, 1f, 0.2f));
    }

    /**
     * Values {@code center ± halfWidth}, element i a pure function of (seed, name, i), so any chunk can be
     * produced on its own and a seed always gives the same model.
     */
    private static SafetensorsWriter.ByteSource uniform(DType dtype, long seed, String name, float center, float halfWidth) {
        long salt = mix(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        int size = dtype.bytes();
        return (byteOffset, target) -> {
            long first = byteOffset / size;
            int count = target.remaining() / size;
            for (int i = 0; i < count; i++) {
                float u = (mix(salt + (first + i) * 0x9E3779B97F4A7C15L) >>> 40) * 0x1p-23f - 1f; // [-1, 1)
                float v = center + halfWidth * u;
                if (dtype == DType.BF16) target.putShort(TensorData.floatToBf16(v));
                else target.putFloat(v);
            }
        };
    }

    /** SplitMix64's finalizer: a fast, well-mixed hash of a counter. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
