package dev.hymt4j.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hymt4j.model.ModelConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code hunyuan-dense} architecture in GGUF (spec formats.md §5.5, hunyuan-model.md §7): hyper-parameter
 * keys, tensor names, and the conversion of both to and from our {@link ModelConfig} and Hugging Face names.
 * The stored {@code rope.freq_base} already includes HunYuan's NTK alpha (llama.cpp's converter bakes it in), so
 * a config read from GGUF has RoPE type "default" with that base and is never scaled again — unless the file
 * also carries {@code rope.scaling.alpha}, which llama.cpp multiplies in at load time, and so do we.
 */
public final class HunyuanGguf {
    private HunyuanGguf() {}

    public static final String ARCH = "hunyuan-dense";
    private static final String P = ARCH + ".";

    public static final String BLOCK_COUNT = P + "block_count";
    public static final String CONTEXT_LENGTH = P + "context_length";
    public static final String EMBEDDING_LENGTH = P + "embedding_length";
    public static final String FEED_FORWARD_LENGTH = P + "feed_forward_length";
    public static final String HEAD_COUNT = P + "attention.head_count";
    public static final String HEAD_COUNT_KV = P + "attention.head_count_kv";
    public static final String KEY_LENGTH = P + "attention.key_length";
    public static final String VALUE_LENGTH = P + "attention.value_length";
    public static final String RMS_EPS = P + "attention.layer_norm_rms_epsilon";
    public static final String ROPE_DIMENSIONS = P + "rope.dimension_count";
    public static final String ROPE_FREQ_BASE = P + "rope.freq_base";
    public static final String ROPE_SCALING_TYPE = P + "rope.scaling.type";
    public static final String ROPE_SCALING_FACTOR = P + "rope.scaling.factor";
    public static final String ROPE_SCALING_ALPHA = P + "rope.scaling.alpha";
    public static final String ROPE_ORIGINAL_CONTEXT = P + "rope.scaling.original_context_length";
    public static final String VOCAB_SIZE = P + "vocab_size";

    public static final String TOKEN_EMBEDDING = "token_embd.weight";
    public static final String OUTPUT = "output.weight";
    public static final String OUTPUT_NORM = "output_norm.weight";

    /** HF per-layer suffix → GGUF per-layer suffix, in llama.cpp's order. */
    private static final String[][] LAYER_NAMES = {
            {"input_layernorm.weight", "attn_norm.weight"},
            {"self_attn.q_proj.weight", "attn_q.weight"},
            {"self_attn.k_proj.weight", "attn_k.weight"},
            {"self_attn.v_proj.weight", "attn_v.weight"},
            {"self_attn.o_proj.weight", "attn_output.weight"},
            {"self_attn.query_layernorm.weight", "attn_q_norm.weight"},
            {"self_attn.key_layernorm.weight", "attn_k_norm.weight"},
            {"post_attention_layernorm.weight", "ffn_norm.weight"},
            {"mlp.gate_proj.weight", "ffn_gate.weight"},
            {"mlp.up_proj.weight", "ffn_up.weight"},
            {"mlp.down_proj.weight", "ffn_down.weight"},
    };
    private static final Pattern HF_LAYER = Pattern.compile("model\\.layers\\.(\\d+)\\.(.+)");
    private static final Pattern GGUF_LAYER = Pattern.compile("blk\\.(\\d+)\\.(.+)");

    /** The GGUF name of an HF tensor name, or empty when the architecture has no such tensor. */
    public static Optional<String> toGguf(String hf) {
        switch (hf) {
            case "model.embed_tokens.weight": return Optional.of(TOKEN_EMBEDDING);
            case "model.norm.weight": return Optional.of(OUTPUT_NORM);
            case "lm_head.weight": return Optional.of(OUTPUT);
            default:
        }
        Matcher m = HF_LAYER.matcher(hf);
        if (m.matches()) {
            for (String[] pair : LAYER_NAMES) if (pair[0].equals(m.group(2))) return Optional.of("blk." + m.group(1) + "." + pair[1]);
        }
        return Optional.empty();
    }

    /** The HF name of a GGUF tensor name, or empty when it is not a hunyuan-dense tensor. */
    public static Optional<String> toHf(String gguf) {
        switch (gguf) {
            case TOKEN_EMBEDDING: return Optional.of("model.embed_tokens.weight");
            case OUTPUT_NORM: return Optional.of("model.norm.weight");
            case OUTPUT: return Optional.of("lm_head.weight");
            default:
        }
        Matcher m = GGUF_LAYER.matcher(gguf);
        if (m.matches()) {
            for (String[] pair : LAYER_NAMES) if (pair[1].equals(m.group(2))) return Optional.of("model.layers." + m.group(1) + "." + pair[0]);
        }
        return Optional.empty();
    }

    /** The GGUF tensor names a model of this config has, in llama.cpp's loader order. */
    public static List<String> tensorNames(ModelConfig c) {
        List<String> names = new ArrayList<>(List.of(TOKEN_EMBEDDING, OUTPUT_NORM));
        if (!c.tieWordEmbeddings()) names.add(OUTPUT);
        for (int l = 0; l < c.numLayers(); l++) for (String[] pair : LAYER_NAMES) names.add("blk." + l + "." + pair[1]);
        return names;
    }

    /**
     * The model configuration a {@code hunyuan-dense} GGUF file describes (llama.cpp's {@code load_hparams}
     * defaults where a key is optional). The vocabulary size is the embedding's row count.
     */
    public static ModelConfig config(GgufFile f) throws GgufException {
        GgufMetadata m = f.metadata();
        String where = f.path().toString();
        String arch = m.has(GgufFile.KEY_ARCHITECTURE) ? m.string(GgufFile.KEY_ARCHITECTURE) : null;
        if (arch == null) throw new GgufException(where + ": missing metadata key '" + GgufFile.KEY_ARCHITECTURE + "'");
        if (!arch.equals(ARCH)) {
            throw new GgufException(where + ": architecture '" + arch + "' is not supported (expected '" + ARCH
                    + "', the HunYuan dense architecture of HY-MT1.5)");
        }
        int hidden = m.integer(EMBEDDING_LENGTH, 1);
        int layers = m.integer(BLOCK_COUNT, 1);
        int heads = m.integer(HEAD_COUNT, 1);
        int kvHeads = m.optionalInteger(HEAD_COUNT_KV, 1).orElse(heads);
        if (heads % kvHeads != 0) {
            throw new GgufException(where + ": " + HEAD_COUNT + " " + heads + " is not a multiple of " + HEAD_COUNT_KV + " " + kvHeads);
        }
        int headDim = m.optionalInteger(KEY_LENGTH, 1).orElse(hidden / heads);
        int valueDim = m.optionalInteger(VALUE_LENGTH, 1).orElse(headDim);
        if (valueDim != headDim) {
            throw new GgufException(where + ": " + VALUE_LENGTH + " " + valueDim + " differs from " + KEY_LENGTH + " " + headDim + " (not supported)");
        }
        if (headDim % 2 != 0) throw new GgufException(where + ": head dimension " + headDim + " must be even for RoPE");
        int rotary = m.optionalInteger(ROPE_DIMENSIONS, 1).orElse(headDim);
        if (rotary != headDim) {
            throw new GgufException(where + ": " + ROPE_DIMENSIONS + " " + rotary + " differs from the head dimension " + headDim
                    + " (HunYuan rotates whole heads)");
        }
        double eps = m.real(RMS_EPS);
        if (!(eps > 0 && eps < 1)) throw new GgufException(where + ": " + RMS_EPS + " is " + eps + ", expected a small positive number");
        double base = m.optionalReal(ROPE_FREQ_BASE).orElse(10000.0);
        if (!(base > 1) || Double.isInfinite(base)) throw new GgufException(where + ": " + ROPE_FREQ_BASE + " is " + base + ", expected > 1");
        double alpha = m.optionalReal(ROPE_SCALING_ALPHA).orElse(0.0);
        if (alpha > 0) base = (float) base * (float) Math.pow((float) alpha, (float) headDim / (float) (headDim - 2));
        String scaling = m.optionalString(ROPE_SCALING_TYPE).orElse("linear");
        double factor = m.optionalReal(ROPE_SCALING_FACTOR).orElse(0.0);
        String ropeType;
        switch (scaling) {
            case "none" -> ropeType = "default";
            case "linear" -> ropeType = factor == 0 || factor == 1 ? "default" : "linear";
            default -> throw new GgufException(where + ": " + ROPE_SCALING_TYPE + " '" + scaling + "' is not supported (expected none or linear)");
        }
        int context = m.optionalInteger(CONTEXT_LENGTH, 1).orElse(262144);

        GgufTensorInfo embedding = f.info(TOKEN_EMBEDDING);
        if (embedding.ne().length != 2 || embedding.ne()[0] != hidden) {
            throw new GgufException(where + ": tensor '" + TOKEN_EMBEDDING + "' has shape " + embedding.neString() + " but "
                    + EMBEDDING_LENGTH + " is " + hidden + " (expected {" + hidden + ", vocab})");
        }
        long vocab = embedding.ne()[1];
        if (vocab < 1 || vocab > Integer.MAX_VALUE) throw new GgufException(where + ": tensor '" + TOKEN_EMBEDDING + "' has " + vocab + " rows");
        if (m.has(VOCAB_SIZE) && m.integer(VOCAB_SIZE, 1) != vocab) {
            throw new GgufException(where + ": " + VOCAB_SIZE + " " + m.integer(VOCAB_SIZE, 1) + " disagrees with the " + vocab
                    + " rows of '" + TOKEN_EMBEDDING + "'");
        }
        int ff = m.integer(FEED_FORWARD_LENGTH, 1);
        int bos = m.optionalInteger("tokenizer.ggml.bos_token_id", 0).orElse(-1);
        int pad = m.optionalInteger("tokenizer.ggml.padding_token_id", 0).orElse(-1);
        List<Integer> eos = new ArrayList<>();
        for (String key : List.of("tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id")) {
            Optional<Integer> id = m.optionalInteger(key, 0);
            if (id.isPresent() && !eos.contains(id.get())) eos.add(id.get());
        }
        return new ModelConfig(ModelConfig.MODEL_TYPE, (int) vocab, hidden, layers, heads, kvHeads, headDim, ff, (float) eps,
                base, ropeType, 0, ropeType.equals("linear") ? factor : 1.0, context, !f.tensors().containsKey(OUTPUT), true,
                bos, List.copyOf(eos), pad);
    }

    /**
     * The keys llama.cpp's converter writes before the tokenizer: architecture, type, the sampling defaults of
     * {@code generation_config.json} ({@code general.sampling.top_k/top_p/temp}, when given), the name, then the
     * hyper-parameters ({@link #putConfig}).
     *
     * @param generationConfig the model's generation_config.json, or a missing node
     */
    public static GgufMetadata converterMetadata(ModelConfig c, String name, JsonNode generationConfig, String where) {
        GgufMetadata m = new GgufMetadata(where);
        m.put(GgufFile.KEY_ARCHITECTURE, GgufValue.string(ARCH));
        m.put("general.type", GgufValue.string("model"));
        if (generationConfig.path("top_k").isIntegralNumber()) m.put("general.sampling.top_k", GgufValue.i32(generationConfig.get("top_k").asInt()));
        if (generationConfig.path("top_p").isNumber()) m.put("general.sampling.top_p", GgufValue.f32((float) generationConfig.get("top_p").asDouble()));
        if (generationConfig.path("temperature").isNumber()) m.put("general.sampling.temp", GgufValue.f32((float) generationConfig.get("temperature").asDouble()));
        m.put("general.name", GgufValue.string(name));
        putConfig(m, c);
        return m;
    }

    /**
     * Writes the hyper-parameters as llama.cpp's converter does for HunYuan (spec hunyuan-model.md §7.2): the
     * generic keys, then the NTK alpha baked into {@code rope.freq_base} with scaling type "none" and, for the
     * dynamic RoPE type, a 256k context.
     */
    public static void putConfig(GgufMetadata w, ModelConfig c) {
        boolean dynamic = c.ropeType().equals("dynamic");
        w.put(BLOCK_COUNT, GgufValue.u32(c.numLayers()));
        w.put(CONTEXT_LENGTH, GgufValue.u32(dynamic ? 262144 : c.maxPositionEmbeddings()));
        w.put(EMBEDDING_LENGTH, GgufValue.u32(c.hiddenSize()));
        w.put(FEED_FORWARD_LENGTH, GgufValue.u32(c.intermediateSize()));
        w.put(HEAD_COUNT, GgufValue.u32(c.numHeads()));
        w.put(HEAD_COUNT_KV, GgufValue.u32(c.numKvHeads()));
        w.put(ROPE_FREQ_BASE, GgufValue.f32((float) c.effectiveRopeBase()));
        w.put(RMS_EPS, GgufValue.f32(c.rmsNormEps()));
        w.put(KEY_LENGTH, GgufValue.u32(c.headDim()));
        w.put(VALUE_LENGTH, GgufValue.u32(c.headDim()));
        if (dynamic) {
            w.put(ROPE_SCALING_TYPE, GgufValue.string("none"));
            w.put(ROPE_SCALING_FACTOR, GgufValue.f32(1));
            w.put(ROPE_ORIGINAL_CONTEXT, GgufValue.u32(262144));
        } else if (c.ropeType().equals("linear")) {
            w.put(ROPE_SCALING_TYPE, GgufValue.string("linear"));
            w.put(ROPE_SCALING_FACTOR, GgufValue.f32((float) c.ropeFactor()));
        }
    }
}
