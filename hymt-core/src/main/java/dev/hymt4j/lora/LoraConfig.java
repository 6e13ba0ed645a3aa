package dev.hymt4j.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hymt4j.io.ConfigFields;
import dev.hymt4j.model.ModelConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The PEFT {@code LoraConfig} fields this engine acts on (formats spec §2.2), plus every other field of a loaded
 * {@code adapter_config.json}, kept verbatim so that a load/save round trip does not lose what Python wrote.
 *
 * <p>{@code target_modules} follows PEFT's matching: a list matches a module path that equals an entry or ends
 * with {@code "." + entry}; a string is a regular expression that must match the whole path, except
 * {@code "all-linear"} (all seven projections). {@code layers_to_transform} restricts to the listed layers.
 */
public final class LoraConfig {
    /** The field set PEFT 0.21 writes, with its defaults; loaded files overlay it, our own fields overlay both. */
    private static final String DEFAULTS = """
            {"alora_invocation_tokens": null, "alpha_pattern": {}, "arrow_config": null, "auto_mapping": null,
             "base_model_name_or_path": null, "bias": "none", "corda_config": null, "ensure_weight_tying": false,
             "eva_config": null, "exclude_modules": null, "fan_in_fan_out": false, "inference_mode": true,
             "init_lora_weights": true, "kasa_config": null, "layer_replication": null, "layers_pattern": null,
             "layers_to_transform": null, "loftq_config": {}, "lora_alpha": 8, "lora_bias": false, "lora_dropout": 0.0,
             "lora_ga_config": null, "megatron_config": null, "megatron_core": "megatron.core", "modules_to_save": null,
             "monteclora_config": null, "peft_type": "LORA", "peft_version": "0.21.0", "qalora_group_size": 16, "r": 8,
             "rank_pattern": {}, "revision": null, "target_modules": null, "target_parameters": null,
             "task_type": "CAUSAL_LM", "trainable_token_indices": null, "use_bdlora": null, "use_dora": false,
             "use_qalora": false, "use_rslora": false, "velora_config": null}""";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int r;
    private final double loraAlpha;
    private final double loraDropout;
    private final boolean useRslora;
    private final List<String> targetModules;   // list form; null when targetRegex is used
    private final String targetRegex;           // string form; null when the list form is used
    private final List<Integer> layersToTransform; // null: all layers
    private final ObjectNode otherFields;

    private LoraConfig(int r, double loraAlpha, double loraDropout, boolean useRslora, List<String> targetModules,
                       String targetRegex, List<Integer> layersToTransform, ObjectNode otherFields) {
        if (r <= 0) throw new IllegalArgumentException("LoRA rank r must be > 0, got " + r);
        if (!(loraAlpha > 0 && Double.isFinite(loraAlpha))) {
            throw new IllegalArgumentException("lora_alpha must be a finite number > 0 (0 would train an adapter that does nothing), got "
                    + loraAlpha);
        }
        if (loraDropout < 0 || loraDropout >= 1) throw new IllegalArgumentException("lora_dropout must be in [0, 1), got " + loraDropout);
        this.r = r;
        this.loraAlpha = loraAlpha;
        this.loraDropout = loraDropout;
        this.useRslora = useRslora;
        this.targetModules = targetModules == null ? null : List.copyOf(targetModules);
        this.targetRegex = targetRegex;
        this.layersToTransform = layersToTransform == null ? null : List.copyOf(layersToTransform);
        this.otherFields = otherFields;
    }

    /** A config for the list form of {@code target_modules}, e.g. {@code of(16, 32, 0.05, "q_proj", "v_proj")}. */
    public static LoraConfig of(int r, double loraAlpha, double loraDropout, String... targetModules) {
        return new LoraConfig(r, loraAlpha, loraDropout, false, List.of(targetModules), null, null, defaults());
    }

    public LoraConfig withRslora(boolean rslora) {
        return new LoraConfig(r, loraAlpha, loraDropout, rslora, targetModules, targetRegex, layersToTransform, otherFields);
    }

    public LoraConfig withLayersToTransform(List<Integer> layers) {
        return new LoraConfig(r, loraAlpha, loraDropout, useRslora, targetModules, targetRegex, layers, otherFields);
    }

    /** Sets {@code base_model_name_or_path} (informational; PEFT fills it from the model on save). */
    public LoraConfig withBaseModel(String nameOrPath) {
        ObjectNode o = otherFields.deepCopy();
        o.put("base_model_name_or_path", nameOrPath);
        return new LoraConfig(r, loraAlpha, loraDropout, useRslora, targetModules, targetRegex, layersToTransform, o);
    }

    public int r() {
        return r;
    }

    public double loraAlpha() {
        return loraAlpha;
    }

    public double loraDropout() {
        return loraDropout;
    }

    public boolean useRslora() {
        return useRslora;
    }

    /** PEFT's scaling: {@code alpha/r}, or {@code alpha/√r} with rsLoRA (computed in double, used as float). */
    public float scaling() {
        return (float) (useRslora ? loraAlpha / Math.sqrt(r) : loraAlpha / r);
    }

    /** Whether the module at {@code modulePath} (e.g. {@code model.layers.0.self_attn.q_proj}) gets an adapter. */
    public boolean targets(String modulePath, int layer) {
        if (layersToTransform != null && !layersToTransform.contains(layer)) return false;
        if (targetRegex != null) {
            return targetRegex.equals("all-linear") || Pattern.compile(targetRegex).matcher(modulePath).matches();
        }
        for (String t : targetModules) if (modulePath.equals(t) || modulePath.endsWith("." + t)) return true;
        return false;
    }

    /**
     * Checks that every {@code target_modules} entry names at least one projection of this model (PEFT itself
     * only fails when nothing matches; a typo in one entry silently trains less, so we refuse it).
     */
    public void validateAgainst(ModelConfig model, String where) throws AdapterException {
        validateTargets(model, where);
        if (layersToTransform != null) {
            for (int layer : layersToTransform) {
                if (layer >= model.numLayers()) {
                    throw new AdapterException(where + ": layers_to_transform names layer " + layer + " but the model has "
                            + model.numLayers() + " (0.." + (model.numLayers() - 1) + ")");
                }
            }
        }
        // A rank above a layer's smaller side adds nothing a full update could not, and costs r·(in+out) floats:
        // r = 100000 would allocate gigabytes before failing. Checked before anything is allocated.
        LoraTarget smallest = null;
        for (int l = 0; l < model.numLayers(); l++) {
            for (LoraTarget t : LoraTarget.values()) {
                if (targets(t.modulePath(l), l) && (smallest == null || limit(t, model) < limit(smallest, model))) smallest = t;
            }
        }
        if (smallest != null && r > limit(smallest, model)) {
            throw new AdapterException(where + ": r = " + r + " is larger than " + smallest.moduleName() + " ("
                    + smallest.inFeatures(model) + " → " + smallest.outFeatures(model) + "); expected r <= " + limit(smallest, model));
        }
    }

    private static int limit(LoraTarget t, ModelConfig model) {
        return Math.min(t.inFeatures(model), t.outFeatures(model));
    }

    private void validateTargets(ModelConfig model, String where) throws AdapterException {
        List<String> paths = new ArrayList<>();
        for (int l = 0; l < model.numLayers(); l++) for (LoraTarget t : LoraTarget.values()) paths.add(t.modulePath(l));
        String known = "supported: " + String.join(", ", java.util.Arrays.stream(LoraTarget.values()).map(LoraTarget::moduleName).toList());
        if (targetRegex != null) {
            if (targetRegex.equals("all-linear")) return;
            Pattern p;
            try {
                p = Pattern.compile(targetRegex);
            } catch (PatternSyntaxException e) {
                throw new AdapterException(where + ": target_modules \"" + targetRegex + "\" is not a valid regular expression");
            }
            if (paths.stream().noneMatch(x -> p.matcher(x).matches())) {
                throw new AdapterException(where + ": target_modules regex \"" + targetRegex
                        + "\" matches no linear layer of " + model.modelType() + " (" + known + ")");
            }
            return;
        }
        if (targetModules.isEmpty()) throw new AdapterException(where + ": target_modules is empty");
        List<String> unknown = new ArrayList<>();
        for (String t : targetModules) {
            if (paths.stream().noneMatch(x -> x.equals(t) || x.endsWith("." + t))) unknown.add(t);
        }
        if (!unknown.isEmpty()) {
            throw new AdapterException(where + ": target_modules: unknown module" + (unknown.size() > 1 ? "s " : " ") + unknown
                    + ": no linear layer of " + model.modelType() + " matches (" + known + ")");
        }
    }

    private static ObjectNode defaults() {
        try {
            return (ObjectNode) JSON.readTree(DEFAULTS);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads {@code adapter_config.json}: every field hymt acts on, and every PEFT switch that would change the
     * math, is checked for type and value; features that would change the math silently are refused.
     */
    public static LoraConfig load(Path file) throws AdapterException {
        JsonNode c = ConfigFields.read(file, AdapterException::new);
        if (c == null || !c.isObject()) throw new AdapterException(file + ": not a JSON object");
        ConfigFields<AdapterException> f = new ConfigFields<>(file.toString(), c, AdapterException::new);
        String type = f.string("peft_type", "");
        if (!type.equals("LORA")) throw new AdapterException(file + ": peft_type is \"" + type + "\" (expected \"LORA\")");
        String task = f.string("task_type", null);
        if (task != null && !task.equals("CAUSAL_LM")) throw f.invalid("task_type", "\"CAUSAL_LM\" (or null)");
        int r = (int) f.integer("r", 8, 1, Integer.MAX_VALUE);
        double alpha = f.number("lora_alpha", 8, 0, Double.MAX_VALUE, true);
        double dropout = f.number("lora_dropout", 0, 0, 1, false, true);
        boolean rslora = f.bool("use_rslora", false);
        for (String flag : new String[]{"inference_mode", "ensure_weight_tying"}) f.bool(flag, false);
        for (String flag : new String[]{"use_dora", "fan_in_fan_out", "lora_bias", "use_qalora"}) {
            if (f.bool(flag, false)) throw new AdapterException(file + ": " + flag + "=true is not supported");
        }
        String bias = f.string("bias", "none");
        if (!bias.equals("none")) throw new AdapterException(file + ": bias=\"" + bias + "\" is not supported (expected \"none\")");
        for (String name : new String[]{"base_model_name_or_path", "revision"}) f.string(name, null);
        for (String pattern : new String[]{"rank_pattern", "alpha_pattern"}) {
            if (!f.object(pattern).isEmpty()) {
                throw new AdapterException(file + ": non-empty " + pattern + " is not supported (one r and alpha for all modules)");
            }
        }
        for (String name : new String[]{"modules_to_save", "exclude_modules", "layer_replication", "trainable_token_indices"}) {
            if (c.has(name) && !c.get(name).isNull() && !(c.get(name).isArray() && c.get(name).isEmpty())) {
                throw new AdapterException(file + ": " + name + " is not supported");
            }
        }
        JsonNode tm = c.get("target_modules");
        List<String> list = null;
        String regex = null;
        if (tm == null || tm.isNull()) {
            throw new AdapterException(file + ": missing field \"target_modules\" (PEFT has no default for "
                    + ModelConfig.MODEL_TYPE + ")");
        } else if (tm.isTextual()) {
            regex = tm.asText();
        } else if (tm.isArray()) {
            list = f.strings("target_modules");
        } else {
            throw f.invalid("target_modules", "a list of module names or a regular expression string");
        }
        List<Integer> layers = null;
        if (f.has("layers_to_transform")) {
            layers = new ArrayList<>();
            for (long layer : f.integers("layers_to_transform", 0, Integer.MAX_VALUE)) layers.add((int) layer);
        }
        ObjectNode other = defaults();
        for (Iterator<Map.Entry<String, JsonNode>> it = c.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            other.set(e.getKey(), e.getValue());
        }
        return new LoraConfig(r, alpha, dropout, rslora, list, regex, layers, other);
    }

    /** The {@code adapter_config.json} text, as PEFT's {@code save_pretrained} writes it. */
    public String toJson() {
        ObjectNode o = otherFields.deepCopy();
        o.put("r", r);
        if (loraAlpha == Math.rint(loraAlpha) && Math.abs(loraAlpha) < 1e15) o.put("lora_alpha", (long) loraAlpha);
        else o.put("lora_alpha", loraAlpha);
        o.put("lora_dropout", loraDropout);
        o.put("use_rslora", useRslora);
        o.put("peft_type", "LORA");
        o.put("inference_mode", true);
        if (targetRegex != null) {
            o.put("target_modules", targetRegex);
        } else {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            targetModules.forEach(a::add);
            o.set("target_modules", a);
        }
        if (layersToTransform == null) {
            o.putNull("layers_to_transform");
        } else {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            layersToTransform.forEach(a::add);
            o.set("layers_to_transform", a);
        }
        return PythonJson.dumps(o);
    }
}
