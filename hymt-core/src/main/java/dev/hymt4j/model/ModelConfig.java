package dev.hymt4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hymt4j.io.ConfigFields;

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

    /** Largest dimension or vocabulary accepted: far above any real model, far below int overflow in products. */
    static final int MAX_SIZE = 1 << 24;
    static final int MAX_LAYERS = 4096;
    static final List<String> ROPE_TYPES = List.of("default", "dynamic", "linear");

    /** Reads and checks {@code config.json}; faults name the file, the field, the value and what was expected. */
    public static ModelConfig load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new ModelException(file + ": file not found");
        return parse(file.toString(), ConfigFields.read(file, ModelException::new));
    }

    /**
     * Reads a config.json object. Every field used is checked for its JSON type here (a string where a number
     * belongs is an error, never a default), then every value for its range by {@link #validate}.
     */
    public static ModelConfig parse(String where, JsonNode c) throws ModelException {
        if (c == null || !c.isObject()) throw new ModelException(where + ": not a JSON object");
        ConfigFields<ModelException> f = new ConfigFields<>(where, c, ModelException::new);
        String modelType = f.string("model_type", "");
        if (!modelType.equals(MODEL_TYPE)) {
            throw new ModelException(where + ": unsupported model_type \"" + modelType + "\" (expected \"" + MODEL_TYPE
                    + "\", the HunYuan dense architecture of HY-MT1.5)");
        }
        String act = f.string("hidden_act", "silu");
        if (!act.equals("silu")) throw new ModelException(where + ": unsupported hidden_act \"" + act + "\" (expected \"silu\")");
        for (String flag : new String[]{"attention_bias", "mlp_bias", "use_cla"}) {
            if (f.bool(flag, false)) throw new ModelException(where + ": " + flag + "=true is not supported");
        }
        int hidden = anInt(f, "hidden_size", null);
        int heads = anInt(f, "num_attention_heads", null);
        int kvHeads = anInt(f, "num_key_value_heads", heads);
        // Never infer head_dim when it is given (sibling architectures differ, spec §8.16).
        Integer headDim = f.has("head_dim") ? anInt(f, "head_dim", null) : null;
        if (f.has("attention_head_dim")) {
            int attentionHeadDim = anInt(f, "attention_head_dim", null);
            if (headDim != null && headDim != attentionHeadDim) {
                throw f.invalid("attention_head_dim", "the same value as head_dim (" + headDim + ")");
            }
            headDim = attentionHeadDim;
        }
        if (headDim == null) {
            if (heads > 0 && hidden % heads != 0) {
                throw f.invalid("hidden_size", "a multiple of num_attention_heads (" + heads + ") when head_dim is absent");
            }
            headDim = heads > 0 ? hidden / heads : 0;
        }

        // RoPE: transformers 5 nests everything in rope_parameters; transformers 4 uses rope_scaling + rope_theta.
        boolean v5 = f.has("rope_parameters");
        ConfigFields<ModelException> rope = f.object(v5 ? "rope_parameters" : "rope_scaling");
        double theta = rope.has("rope_theta") ? rope.number("rope_theta", 0, Double.NEGATIVE_INFINITY, Double.MAX_VALUE, false)
                : f.number("rope_theta", 10000.0, Double.NEGATIVE_INFINITY, Double.MAX_VALUE, false);
        String ropeType = rope.has("rope_type") ? rope.choice("rope_type", "default", ROPE_TYPES)
                : rope.choice("type", "default", ROPE_TYPES);
        double alpha = rope.number("alpha", 0, 0, Double.MAX_VALUE, true);
        double factor = rope.number("factor", 1.0, 0, Double.MAX_VALUE, true);

        List<Integer> eos = new ArrayList<>();
        for (long id : f.integers("eos_token_id", Integer.MIN_VALUE, Integer.MAX_VALUE)) if (id != -1) eos.add((int) id);
        // transformers' HunYuanDenseV1Attention always builds and applies query/key_layernorm, whatever
        // use_qk_norm says, so a config's use_qk_norm=false does not switch them off here either; its type is checked.
        f.bool("use_qk_norm", true);

        return new ModelConfig(modelType,
                anInt(f, "vocab_size", null), hidden,
                anInt(f, "num_hidden_layers", null), heads, kvHeads, headDim,
                anInt(f, "intermediate_size", null),
                (float) f.number("rms_norm_eps", 1e-5, Double.NEGATIVE_INFINITY, Double.MAX_VALUE, false),
                theta, ropeType, alpha, factor,
                anInt(f, "max_position_embeddings", 262144),
                // transformers' PretrainedConfig default when the key is absent: untied.
                f.bool("tie_word_embeddings", false),
                true,
                (int) f.integer("bos_token_id", -1, Integer.MIN_VALUE, Integer.MAX_VALUE),
                List.copyOf(eos),
                (int) (f.has("pad_token_id") ? f.integer("pad_token_id", -1, Integer.MIN_VALUE, Integer.MAX_VALUE)
                        : f.integer("pad_id", -1, Integer.MIN_VALUE, Integer.MAX_VALUE)))
                .validate(where);
    }

    /** A positive int field ({@link #validate} narrows the range); {@code defaultValue} null means required. */
    private static int anInt(ConfigFields<ModelException> f, String field, Integer defaultValue) throws ModelException {
        if (defaultValue == null) return (int) f.requireInteger(field, 1, Integer.MAX_VALUE);
        return (int) f.integer(field, defaultValue, 1, Integer.MAX_VALUE);
    }

    /**
     * Checks every value for its range and the fields against each other; returns this config. {@link #parse}
     * calls it; code that builds a config from another source (GGUF metadata) calls it with that source's name.
     * Faults name the config.json field (Hugging Face name) and the value.
     */
    public ModelConfig validate(String source) throws ModelException {
        positive(source, "vocab_size", vocabSize, MAX_SIZE);
        positive(source, "hidden_size", hiddenSize, MAX_SIZE);
        positive(source, "num_hidden_layers", numLayers, MAX_LAYERS);
        positive(source, "num_attention_heads", numHeads, MAX_SIZE);
        positive(source, "num_key_value_heads", numKvHeads, numHeads);
        positive(source, "head_dim", headDim, MAX_SIZE);
        positive(source, "intermediate_size", intermediateSize, MAX_SIZE);
        if (numHeads % numKvHeads != 0) {
            throw fault(source, "num_key_value_heads", "a divisor of num_attention_heads (" + numHeads + ")", numKvHeads);
        }
        if (headDim % 2 != 0) throw fault(source, "head_dim", "an even number (RoPE rotates pairs)", headDim);
        if ((long) numHeads * headDim > MAX_SIZE) {
            throw fault(source, "head_dim", "num_attention_heads × head_dim <= " + MAX_SIZE, headDim);
        }
        if (!(rmsNormEps > 0 && rmsNormEps < 1)) throw fault(source, "rms_norm_eps", "a number in (0, 1)", rmsNormEps);
        if (!(ropeTheta > 1 && Double.isFinite(ropeTheta))) throw fault(source, "rope_theta", "a finite number > 1", ropeTheta);
        if (!ROPE_TYPES.contains(ropeType)) throw fault(source, "rope_scaling.type", "one of " + ROPE_TYPES, ropeType);
        if (!(ropeAlpha >= 0 && Double.isFinite(ropeAlpha))) {
            throw fault(source, "rope_scaling.alpha", "a finite number > 0 (absent: 0)", ropeAlpha);
        }
        if (!(ropeFactor > 0 && Double.isFinite(ropeFactor))) throw fault(source, "rope_scaling.factor", "a finite number > 0", ropeFactor);
        if (!Double.isFinite(effectiveRopeBase()) || effectiveRopeBase() <= 1) {
            throw fault(source, "rope_scaling.alpha", "a value that keeps the RoPE base theta·alpha^(d/(d−2)) finite and > 1",
                    ropeAlpha);
        }
        positive(source, "max_position_embeddings", maxPositionEmbeddings, Integer.MAX_VALUE);
        tokenId(source, "bos_token_id", bosTokenId, true);
        tokenId(source, "pad_token_id", padTokenId, true);
        for (int id : eosTokenIds) tokenId(source, "eos_token_id", id, false);
        return this;
    }

    private static void positive(String source, String field, int value, int max) throws ModelException {
        if (value < 1 || value > max) throw fault(source, field, "an integer in [1, " + max + "]", value);
    }

    private void tokenId(String source, String field, int id, boolean noneAllowed) throws ModelException {
        if (noneAllowed && id == -1) return;
        if (id < 0 || id >= vocabSize) {
            throw fault(source, field, "a token id in [0, " + (vocabSize - 1) + "] (vocab_size " + vocabSize + ")", id);
        }
    }

    private static ModelException fault(String source, String field, String expected, Object value) {
        return new ModelException(source + ": field \"" + field + "\": expected " + expected + ", got " + value);
    }
}
