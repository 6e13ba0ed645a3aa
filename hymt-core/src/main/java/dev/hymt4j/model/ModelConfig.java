package dev.hymt4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a Hugging Face {@code config.json} that the HunYuan dense forward pass depends on
 * (spec §1). Both RoPE spellings load: transformers-4 {@code rope_scaling} + top-level {@code rope_theta}
 * (what HY-MT1.5-1.8B ships) and transformers-5 {@code rope_parameters}.
 *
 * @param ropeType     "default", "dynamic" (HunYuan's alpha-scaled NTK base) or "linear"
 * @param ropeAlpha    the NTK alpha of the dynamic type, 0 when absent
 * @param ropeFactor   the linear scaling factor, 1 when absent
 * @param eosTokenIds  every id that ends generation (config {@code eos_token_id}, an int or a list)
 */
public record ModelConfig(
        String modelType,
        int vocabSize,
        int hiddenSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int intermediateSize,
        float rmsNormEps,
        double ropeTheta,
        String ropeType,
        double ropeAlpha,
        double ropeFactor,
        int maxPositionEmbeddings,
        boolean tieWordEmbeddings,
        boolean useQkNorm,
        int bosTokenId,
        List<Integer> eosTokenIds,
        int padTokenId) {

    public static final String MODEL_TYPE = "hunyuan_v1_dense";

    public int qDim() {
        return numHeads * headDim;
    }

    public int kvDim() {
        return numKvHeads * headDim;
    }

    /** Query heads per KV head (GQA group size). */
    public int kvGroup() {
        return numHeads / numKvHeads;
    }

    /**
     * The RoPE base actually used for every position (spec §2.5): HunYuan's dynamic type rescales it once
     * to {@code theta · alpha^(d/(d−2))}; transformers only recomputes it past max_position_embeddings.
     */
    public double effectiveRopeBase() {
        if (ropeType.equals("dynamic") && ropeAlpha > 0) {
            return ropeTheta * Math.pow(ropeAlpha, headDim / (headDim - 2.0));
        }
        return ropeTheta;
    }

    /** Reads and checks {@code config.json}; faults name the file and the field. */
    public static ModelConfig load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new ModelException(file + ": file not found");
        JsonNode c;
        try {
            c = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelException(file + ": not valid JSON (" + e.getMessage() + ")");
        }
        return parse(file.toString(), c);
    }

    public static ModelConfig parse(String where, JsonNode c) throws ModelException {
        if (c == null || !c.isObject()) throw new ModelException(where + ": not a JSON object");
        String modelType = c.path("model_type").asText("");
        if (!modelType.equals(MODEL_TYPE)) {
            throw new ModelException(where + ": unsupported model_type \"" + modelType + "\" (expected \"" + MODEL_TYPE
                    + "\", the HunYuan dense architecture of HY-MT1.5)");
        }
        if (!c.path("hidden_act").asText("silu").equals("silu")) {
            throw new ModelException(where + ": unsupported hidden_act \"" + c.get("hidden_act").asText() + "\" (expected \"silu\")");
        }
        for (String flag : new String[]{"attention_bias", "mlp_bias", "use_cla"}) {
            if (c.path(flag).asBoolean(false)) throw new ModelException(where + ": " + flag + "=true is not supported");
        }
        int hidden = requireInt(where, c, "hidden_size");
        int heads = requireInt(where, c, "num_attention_heads");
        int kvHeads = c.has("num_key_value_heads") ? requireInt(where, c, "num_key_value_heads") : heads;
        // Never infer head_dim when it is given (sibling architectures differ, spec §8.16).
        int headDim = c.has("head_dim") ? requireInt(where, c, "head_dim")
                : c.has("attention_head_dim") ? requireInt(where, c, "attention_head_dim") : hidden / heads;
        if (heads % kvHeads != 0) {
            throw new ModelException(where + ": num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        if (headDim % 2 != 0) throw new ModelException(where + ": head_dim " + headDim + " must be even for RoPE");

        // RoPE: transformers 5 nests everything in rope_parameters; transformers 4 uses rope_scaling + rope_theta.
        JsonNode rope = c.has("rope_parameters") && c.get("rope_parameters").isObject() ? c.get("rope_parameters")
                : c.path("rope_scaling");
        double theta = rope.has("rope_theta") ? rope.get("rope_theta").asDouble() : c.path("rope_theta").asDouble(10000.0);
        String ropeType = rope.has("rope_type") ? rope.get("rope_type").asText() : rope.path("type").asText("default");
        if (!List.of("default", "dynamic", "linear").contains(ropeType)) {
            throw new ModelException(where + ": unsupported RoPE type \"" + ropeType + "\" (expected default, dynamic or linear)");
        }
        double alpha = rope.path("alpha").asDouble(0);
        double factor = rope.path("factor").asDouble(1.0);

        List<Integer> eos = new ArrayList<>();
        JsonNode e = c.path("eos_token_id");
        if (e.isArray()) e.forEach(x -> eos.add(x.asInt()));
        else if (e.canConvertToInt()) eos.add(e.asInt());

        return new ModelConfig(modelType,
                requireInt(where, c, "vocab_size"), hidden,
                requireInt(where, c, "num_hidden_layers"), heads, kvHeads, headDim,
                requireInt(where, c, "intermediate_size"),
                (float) c.path("rms_norm_eps").asDouble(1e-5),
                theta, ropeType, alpha, factor,
                c.path("max_position_embeddings").asInt(262144),
                // transformers' PretrainedConfig default when the key is absent: untied.
                c.path("tie_word_embeddings").asBoolean(false),
                // transformers' HunYuanDenseV1Attention always builds and applies query/key_layernorm, whatever
                // use_qk_norm says, so a config's use_qk_norm=false does not switch them off here either.
                true,
                c.path("bos_token_id").asInt(-1),
                List.copyOf(eos),
                c.has("pad_token_id") ? c.get("pad_token_id").asInt() : c.path("pad_id").asInt(-1));
    }

    private static int requireInt(String where, JsonNode c, String field) throws ModelException {
        JsonNode v = c.get(field);
        if (v == null) throw new ModelException(where + ": missing field \"" + field + "\"");
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() <= 0) {
            throw new ModelException(where + ": field \"" + field + "\" must be a positive integer, got " + v);
        }
        return v.asInt();
    }
}
