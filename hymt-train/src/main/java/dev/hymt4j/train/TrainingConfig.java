package dev.hymt4j.train;

import dev.hymt4j.optim.LrSchedule;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.hymt4j.io.AtomicFile;
import dev.hymt4j.io.DidYouMean;
import dev.hymt4j.io.TextFileException;
import dev.hymt4j.io.TextFiles;
import dev.hymt4j.onednn.TrainingBackend;
import dev.hymt4j.train.ConfigKey.Kind;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The settings of a training run, named as in Hugging Face {@code TrainingArguments} and PEFT {@code LoraConfig}
 * so that practitioners can carry their configurations over. Loaded from YAML or JSON (nested sections
 * {@code data:} and {@code lora:}, or dotted keys such as {@code lora.r}), then {@code --set key=value}
 * overrides. Saved as JSON in each checkpoint and in the output directory as {@code training_config.json};
 * loading that file gives back an equal configuration.
 */
public final class TrainingConfig {

    /** The seven linear projections of a HunYuan dense layer: PEFT's "all-linear" for this model. */
    public static final List<String> ALL_LINEAR =
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    public static final String FILE_NAME = "training_config.json";

    /** The keys that name what a run reads: the model (a directory or hub repo id) and the data files. */
    public static final List<String> INPUT_PATH_KEYS = List.of("model", "data.train", "data.valid");
    /** The key that names the directory a run writes. */
    public static final String OUTPUT_PATH_KEY = "output_dir";

    private static final List<ConfigKey> KEYS = List.of(
            ConfigKey.of("model", Kind.STRING, null),
            ConfigKey.of("data.train", Kind.STRING, null),
            ConfigKey.optional("data.valid", Kind.STRING),
            ConfigKey.of("output_dir", Kind.STRING, null),
            ConfigKey.of("lora.r", Kind.INT, 16),
            ConfigKey.of("lora.alpha", Kind.DOUBLE, 32.0),
            ConfigKey.of("lora.dropout", Kind.DOUBLE, 0.05),
            ConfigKey.of("lora.target_modules", Kind.STRING_LIST, ALL_LINEAR),
            ConfigKey.of("lora.use_rslora", Kind.BOOL, false),
            ConfigKey.of("learning_rate", Kind.DOUBLE, 2e-4),
            ConfigKey.of("num_train_epochs", Kind.DOUBLE, 1.0),
            ConfigKey.of("max_steps", Kind.INT, -1),
            ConfigKey.of("per_device_train_batch_size", Kind.INT, 4),
            ConfigKey.of("gradient_accumulation_steps", Kind.INT, 1),
            ConfigKey.of("warmup_ratio", Kind.DOUBLE, 0.0),
            ConfigKey.of("warmup_steps", Kind.INT, 0),
            ConfigKey.choice("lr_scheduler_type", "linear", "linear", "cosine", "constant", "constant_with_warmup"),
            ConfigKey.of("weight_decay", Kind.DOUBLE, 0.0),
            ConfigKey.of("adam_beta1", Kind.DOUBLE, 0.9),
            ConfigKey.of("adam_beta2", Kind.DOUBLE, 0.999),
            ConfigKey.of("adam_epsilon", Kind.DOUBLE, 1e-8),
            ConfigKey.of("max_grad_norm", Kind.DOUBLE, 1.0),
            ConfigKey.optional("eval_steps", Kind.INT),
            ConfigKey.of("save_steps", Kind.INT, 500),
            ConfigKey.optional("save_total_limit", Kind.INT),
            ConfigKey.of("logging_steps", Kind.INT, 10),
            ConfigKey.of("seed", Kind.LONG, 42L),
            ConfigKey.of("max_seq_len", Kind.INT, 256),
            ConfigKey.of("qlora", Kind.BOOL, false),
            ConfigKey.of("gradient_checkpointing", Kind.BOOL, false),
            ConfigKey.choice("metric_for_best_model", "eval_loss", "eval_loss", "bleu", "chrf"),
            ConfigKey.optional("greater_is_better", Kind.BOOL),
            ConfigKey.of("threads", Kind.INT, 0),
            ConfigKey.choice("backend", "java", "java", "onednn", "auto"),
            ConfigKey.optional("eval_max_samples", Kind.INT),
            ConfigKey.of("eval_max_new_tokens", Kind.INT, 256),
            ConfigKey.of("eval_on_start", Kind.BOOL, false));

    private static final Map<String, ConfigKey> BY_NAME = new LinkedHashMap<>();
    static {
        for (ConfigKey k : KEYS) BY_NAME.put(k.name(), k);
    }

    /** Key name to value, in {@link #KEYS} order; every key is present, unset optional ones map to null. */
    private final Map<String, Object> values;

    /** Where each value given came from: the config file's name or "--set"; defaults have none. */
    private final Map<String, String> origins;

    private TrainingConfig(Map<String, Object> values, Map<String, String> origins) {
        this.values = Collections.unmodifiableMap(values);
        this.origins = Map.copyOf(origins);
    }

    // ---- loading -------------------------------------------------------------------------------------------

    /** Reads {@code file} (JSON if it ends in .json, YAML otherwise) and applies {@code key=value} overrides. */
    public static TrainingConfig load(Path file, List<String> overrides) {
        String text;
        try {
            text = TextFiles.readString(file);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ConfigException(file + ": training config not found", e);
        } catch (TextFileException e) {
            throw new ConfigException(e.getMessage(), e);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read training config: " + e.getMessage(), e);
        }
        boolean json = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".json");
        return parse(text, file.toString(), json, overrides);
    }

    /** Builds a configuration from defaults and {@code key=value} overrides alone (no file). */
    public static TrainingConfig fromOverrides(List<String> overrides) {
        return build(new LinkedHashMap<>(), new LinkedHashMap<>(), overrides);
    }

    /** Parses configuration text; {@code source} names it in error messages. */
    public static TrainingConfig parse(String text, String source, boolean json, List<String> overrides) {
        JsonNode root;
        try {
            root = (json ? new ObjectMapper() : new YAMLMapper()).readTree(text);
        } catch (JacksonException e) {
            // SnakeYAML's messages span lines (with a caret drawing); one line and the place are enough.
            String problem = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().lines().findFirst().orElse("");
            String at = e.getLocation() == null || e.getLocation().getLineNr() < 0 ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new ConfigException(source + ": not valid " + (json ? "JSON" : "YAML") + ": " + problem + at, e);
        }
        Map<String, Object> given = new LinkedHashMap<>();
        if (root != null && !root.isMissingNode() && !root.isNull()) {
            if (!root.isObject()) throw new ConfigException(source + ": expected a mapping of keys to values");
            flatten(root, "", source, given);
        }
        Map<String, String> origins = new LinkedHashMap<>();
        for (String key : given.keySet()) origins.put(key, source);
        return build(given, origins, overrides);
    }

    /** Walks nested sections ({@code lora: {r: 8}}) into dotted names ({@code lora.r}). */
    private static void flatten(JsonNode node, String prefix, String source, Map<String, Object> out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = prefix + field.getKey();
            ConfigKey key = BY_NAME.get(name);
            if (key == null && field.getValue().isObject() && isSection(name)) {
                flatten(field.getValue(), name + ".", source, out);
                continue;
            }
            if (key == null && isSection(name)) {
                throw new ConfigException(source + ": key '" + name + "' is a section and expects a mapping (e.g. "
                        + name + ":\n  ...), got " + field.getValue());
            }
            if (key == null) throw unknownKey(name, source);
            if (out.containsKey(name)) throw new ConfigException(source + ": key '" + name + "' is given twice");
            out.put(name, key.fromNode(field.getValue(), source));
        }
    }

    private static boolean isSection(String name) {
        return KEYS.stream().anyMatch(k -> k.name().startsWith(name + "."));
    }

    private static TrainingConfig build(Map<String, Object> given, Map<String, String> origins, List<String> overrides) {
        for (String override : overrides) {
            int eq = override.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("--set " + override + ": expected key=value, e.g. --set lora.r=8");
            }
            String name = override.substring(0, eq).trim();
            ConfigKey key = BY_NAME.get(name);
            if (key == null) throw unknownKey(name, "--set");
            given.put(name, key.fromText(override.substring(eq + 1), "--set " + name));
            origins.put(name, "--set");
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (ConfigKey k : KEYS) values.put(k.name(), given.containsKey(k.name()) ? given.get(k.name()) : k.defaultValue());
        values.put("lora.target_modules", targetModules(castList(values.get("lora.target_modules")),
                origins.getOrDefault("lora.target_modules", "default")));
        TrainingConfig config = new TrainingConfig(values, origins);
        config.validate();
        return config;
    }

    @SuppressWarnings("unchecked")
    private static List<String> castList(Object o) {
        return (List<String>) o;
    }

    /** Expands "all-linear" and checks each name against the model's projections. */
    private static List<String> targetModules(List<String> given, String origin) {
        if (given.contains("all-linear")) return ALL_LINEAR;
        if (given.isEmpty()) {
            throw new ConfigException(origin + ": key 'lora.target_modules' is empty; e.g. [q_proj, v_proj] or all-linear");
        }
        for (String m : given) {
            if (!ALL_LINEAR.contains(m)) {
                throw new ConfigException(origin + ": key 'lora.target_modules': unknown module '" + m + "'"
                        + didYouMean(m, ALL_LINEAR) + "; known: " + ALL_LINEAR + " or all-linear");
            }
        }
        return List.copyOf(given);
    }

    /** Every value against its range; NaN and infinite numbers never pass. Faults name where the value came from. */
    private void validate() {
        for (String required : List.of("model", "data.train", "output_dir")) {
            if (values.get(required) == null) {
                throw new ConfigException("key '" + required + "' is required (in the config file or --set "
                        + required + "=...)");
            }
            if (((String) values.get(required)).isBlank()) throw out(required, "a non-empty path");
        }
        if (values.get("data.valid") != null && ((String) values.get("data.valid")).isBlank()) throw out("data.valid", "a non-empty path");
        requireInt("lora.r", 1, 1 << 16);
        requireInt("per_device_train_batch_size", 1, 1 << 16);
        requireInt("gradient_accumulation_steps", 1, 1 << 20);
        requireInt("max_steps", -1, Integer.MAX_VALUE);
        requireInt("save_steps", 1, Integer.MAX_VALUE);
        requireInt("logging_steps", 1, Integer.MAX_VALUE);
        requireInt("max_seq_len", 2, 1 << 20);
        requireInt("warmup_steps", 0, Integer.MAX_VALUE);
        requireInt("threads", 0, 4096);
        requireInt("eval_max_new_tokens", 1, 1 << 20);
        for (String optional : List.of("eval_steps", "save_total_limit", "eval_max_samples")) {
            if (values.get(optional) != null) requireInt(optional, 1, Integer.MAX_VALUE);
        }
        // lora.alpha 0 would train an adapter whose output is always zero: a run that silently does nothing.
        requireNumber("lora.alpha", 0, 1e6, true, false);
        requireNumber("lora.dropout", 0, 1, false, true);
        // A LoRA learning rate is ~1e-4; above 1 every step overshoots to NaN (the 1e30).
        requireNumber("learning_rate", 0, 1, true, false);
        requireNumber("num_train_epochs", 0, 1e6, false, false);
        requireNumber("warmup_ratio", 0, 1, false, false);
        requireNumber("weight_decay", 0, 1, false, false);
        requireNumber("adam_beta1", 0, 1, false, true);
        requireNumber("adam_beta2", 0, 1, false, true);
        requireNumber("adam_epsilon", 0, 1, true, false);
        requireNumber("max_grad_norm", 0, 1e6, false, false);
        if (maxSteps() <= 0 && numTrainEpochs() <= 0) {
            throw new ConfigException("set num_train_epochs > 0 or max_steps > 0 (got " + numTrainEpochs()
                    + " and " + maxSteps() + ")");
        }
    }

    private void requireInt(String name, long min, long max) {
        int v = (Integer) values.get(name);
        if (v < min || v > max) {
            throw out(name, max == Integer.MAX_VALUE ? "an integer >= " + min : "an integer in [" + min + ", " + max + "]");
        }
    }

    private void requireNumber(String name, double lo, double hi, boolean loExclusive, boolean hiExclusive) {
        double v = (Double) values.get(name);
        boolean ok = Double.isFinite(v) && (loExclusive ? v > lo : v >= lo) && (hiExclusive ? v < hi : v <= hi);
        if (!ok) {
            throw out(name, "a number in " + (loExclusive ? "(" : "[") + trim(lo) + ", " + trim(hi) + (hiExclusive ? ")" : "]"));
        }
    }

    /** The fault of an out-of-range value: where it came from, the key, what was expected, the value. */
    private ConfigException out(String name, String expected) {
        String origin = origins.getOrDefault(name, "default");
        return new ConfigException(origin + ": key '" + name + "' expects " + expected + ", got " + values.get(name));
    }

    private static String trim(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static ConfigException unknownKey(String name, String source) {
        List<String> names = List.copyOf(BY_NAME.keySet());
        return new ConfigException(source + ": unknown key '" + name + "'" + didYouMean(name, names));
    }

    /** The closest known name by edit distance, comparing also against the part after the last dot. */
    static String didYouMean(String name, List<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            String leaf = k.substring(k.lastIndexOf('.') + 1);
            int d = Math.min(editDistance(name, k), editDistance(name, leaf));
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best != null && bestDistance <= Math.max(3, name.length() / 2) ? "; did you mean '" + best + "'?" : "";
    }

    private static int editDistance(String a, String b) {
        return DidYouMean.editDistance(a.toLowerCase(java.util.Locale.ROOT).replace('-', '_'), b.toLowerCase(java.util.Locale.ROOT));
    }

    // ---- saving --------------------------------------------------------------------------------------------

    /** Nested JSON ({@code "lora": {"r": 16, ...}}), every key present, unset optional keys as null. */
    public String toJson() {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            ObjectNode parent = root;
            String[] parts = e.getKey().split("\\.");
            for (int i = 0; i < parts.length - 1; i++) {
                parent = parent.has(parts[i]) ? (ObjectNode) parent.get(parts[i]) : parent.putObject(parts[i]);
            }
            parent.set(parts[parts.length - 1], mapper.valueToTree(e.getValue()));
        }
        try {
            return mapper.writeValueAsString(root) + "\n";
        } catch (JacksonException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@link #toJson()} to {@code file} atomically. */
    public void save(Path file) throws IOException {
        AtomicFile.writeString(file, toJson());
    }

    /** All values by dotted key name, unset optional keys as null. */
    public Map<String, Object> asMap() {
        return values;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingConfig c && values.equals(c.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return "TrainingConfig" + values;
    }

    // ---- derived quantities --------------------------------------------------------------------------------

    /**
     * Optimizer steps of the whole run, as transformers' Trainer counts them: {@code max_steps} when positive,
     * otherwise ceil(epochs × updates per epoch), where a partial accumulation at an epoch's end is one more
     * update (transformers ≥ 4.46).
     */
    public long totalOptimizerSteps(long batchesPerEpoch) {
        if (maxSteps() > 0) return maxSteps();
        long perEpoch = Math.max(1, Math.ceilDiv(batchesPerEpoch, gradientAccumulationSteps()));
        return (long) Math.ceil(numTrainEpochs() * perEpoch);
    }

    /** {@code warmup_steps} when positive, otherwise ceil(total × {@code warmup_ratio}), as transformers. */
    public long warmupSteps(long totalOptimizerSteps) {
        return warmupSteps() > 0 ? warmupSteps() : (long) Math.ceil(totalOptimizerSteps * warmupRatio());
    }

    /** The learning-rate schedule of a run of {@code totalOptimizerSteps} steps. */
    public LrSchedule lrSchedule(long totalOptimizerSteps) {
        return new LrSchedule(LrSchedule.Type.fromName(lrSchedulerType()), learningRate(),
                warmupSteps(totalOptimizerSteps), totalOptimizerSteps);
    }

    /** LoRA output scale: alpha/r, or alpha/√r with rsLoRA (PEFT). */
    public double loraScaling() {
        return loraUseRslora() ? loraAlpha() / Math.sqrt(loraR()) : loraAlpha() / loraR();
    }

    // ---- accessors -----------------------------------------------------------------------------------------

    public String model() { return (String) values.get("model"); }
    public Path trainData() { return Path.of((String) values.get("data.train")); }
    public Optional<Path> validData() { return Optional.ofNullable((String) values.get("data.valid")).map(Path::of); }
    public Path outputDir() { return Path.of((String) values.get("output_dir")); }
    public int loraR() { return (Integer) values.get("lora.r"); }
    public double loraAlpha() { return (Double) values.get("lora.alpha"); }
    public double loraDropout() { return (Double) values.get("lora.dropout"); }
    public List<String> loraTargetModules() { return castList(values.get("lora.target_modules")); }
    public boolean loraUseRslora() { return (Boolean) values.get("lora.use_rslora"); }
    public double learningRate() { return (Double) values.get("learning_rate"); }
    public double numTrainEpochs() { return (Double) values.get("num_train_epochs"); }
    /** Optimizer steps; when > 0 it overrides {@link #numTrainEpochs()}. */
    public int maxSteps() { return (Integer) values.get("max_steps"); }
    public int perDeviceTrainBatchSize() { return (Integer) values.get("per_device_train_batch_size"); }
    public int gradientAccumulationSteps() { return (Integer) values.get("gradient_accumulation_steps"); }
    public double warmupRatio() { return (Double) values.get("warmup_ratio"); }
    public int warmupSteps() { return (Integer) values.get("warmup_steps"); }
    public String lrSchedulerType() { return (String) values.get("lr_scheduler_type"); }
    public double weightDecay() { return (Double) values.get("weight_decay"); }
    public double adamBeta1() { return (Double) values.get("adam_beta1"); }
    public double adamBeta2() { return (Double) values.get("adam_beta2"); }
    public double adamEpsilon() { return (Double) values.get("adam_epsilon"); }
    public double maxGradNorm() { return (Double) values.get("max_grad_norm"); }
    /** Evaluate every this many optimizer steps; unset means at every save, so each checkpoint has a metric. */
    public int evalSteps() { Integer v = (Integer) values.get("eval_steps"); return v != null ? v : saveSteps(); }
    public int saveSteps() { return (Integer) values.get("save_steps"); }
    /** Checkpoints kept; empty keeps all. */
    public OptionalInt saveTotalLimit() { return optionalInt("save_total_limit"); }
    public int loggingSteps() { return (Integer) values.get("logging_steps"); }
    public long seed() { return (Long) values.get("seed"); }
    public int maxSeqLen() { return (Integer) values.get("max_seq_len"); }
    public boolean qlora() { return (Boolean) values.get("qlora"); }
    public boolean gradientCheckpointing() { return (Boolean) values.get("gradient_checkpointing"); }
    public String metricForBestModel() { return (String) values.get("metric_for_best_model"); }
    /** As transformers: unless set, true for every metric whose name does not end in "loss". */
    public boolean greaterIsBetter() {
        Boolean v = (Boolean) values.get("greater_is_better");
        return v != null ? v : !metricForBestModel().endsWith("loss");
    }
    /** Worker threads; 0 means all available processors. */
    public int threads() {
        int v = (Integer) values.get("threads");
        return v > 0 ? v : Runtime.getRuntime().availableProcessors();
    }
    /** Where the frozen products run: java (exact FP32, the default), onednn (BF16 compute) or auto (oneDNN where AMX runs). */
    public TrainingBackend backend() { return TrainingBackend.parse((String) values.get("backend")); }
    /** Validation examples used per evaluation; empty means all. */
    public OptionalInt evalMaxSamples() { return optionalInt("eval_max_samples"); }
    public int evalMaxNewTokens() { return (Integer) values.get("eval_max_new_tokens"); }
    /** Evaluate the untrained model once before the first step (step 0), as transformers' {@code eval_on_start}. */
    public boolean evalOnStart() { return (Boolean) values.get("eval_on_start"); }

    private OptionalInt optionalInt(String name) {
        Integer v = (Integer) values.get(name);
        return v == null ? OptionalInt.empty() : OptionalInt.of(v);
    }
}
