package dev.hymt4j.quant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hymt4j.model.ModelException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The settings of a GPTQ checkpoint (formats spec §4.5, §4.7), as the AutoGPTQ / GPTQModel config readers find
 * them: {@code quantize_config.json}, else {@code quant_config.json}, else {@code config.json}'s
 * {@code quantization_config}; keys lower-cased, {@code w_bit}/{@code q_group_size} synonyms, a missing
 * {@code checkpoint_format} meaning {@code "gptq"} (v1) and a missing {@code sym} meaning true.
 *
 * @param groupSize   input columns per scale/zero group; −1 means one group per output row
 * @param v2          {@code checkpoint_format "gptq_v2"}: qzeros hold the zero point itself, not zero − 1
 * @param source      the file the settings came from, for messages
 * @param notes       what the reader had to assume (e.g. sym missing), for {@code hymt inspect}
 */
public record GptqConfig(int bits, int groupSize, boolean sym, boolean descAct, boolean staticGroups,
                         double dampPercent, boolean trueSequential, boolean v2, boolean lmHead,
                         String source, List<String> notes) {

    /** Bit widths whose codes pack whole into 32-bit words (3-bit straddles words; not supported). */
    public static final List<Integer> SUPPORTED_BITS = List.of(2, 4, 8);

    public GptqConfig {
        checkBits(bits, source);
        checkGroupSize(groupSize, source);
        notes = List.copyOf(notes);
    }

    /** Settings for a checkpoint we write. */
    public static GptqConfig of(int bits, int groupSize, boolean sym, boolean descAct, boolean staticGroups, double dampPercent,
                                boolean v2) {
        return new GptqConfig(bits, groupSize, sym, descAct, staticGroups, dampPercent, true, v2, false, "options", List.of());
    }

    public int maxq() {
        return (1 << bits) - 1;
    }

    /** Codes per int32 word. */
    public int packFactor() {
        return 32 / bits;
    }

    /** Groups along the input dimension: {@code ceil(cols / group_size)}, 1 for group size −1. */
    public int groups(int cols) {
        return groupSize < 0 ? 1 : (cols + groupSize - 1) / groupSize;
    }

    /** The group width actually used for a matrix of {@code cols} input columns. */
    public int effectiveGroupSize(int cols) {
        return groupSize < 0 ? cols : groupSize;
    }

    public String checkpointFormat() {
        return v2 ? "gptq_v2" : "gptq";
    }

    public static void checkBits(int bits, String where) {
        if (!SUPPORTED_BITS.contains(bits)) {
            throw new IllegalArgumentException((where == null ? "" : where + ": ") + "GPTQ bits " + bits
                    + " is not supported (supported: 2, 4 and 8, whose codes pack whole into 32-bit words; 3-bit codes straddle "
                    + "words and are not implemented)");
        }
    }

    public static void checkGroupSize(int groupSize, String where) {
        if (groupSize != -1 && (groupSize < 16 || groupSize > 4096 || Integer.bitCount(groupSize) != 1)) {
            throw new IllegalArgumentException((where == null ? "" : where + ": ") + "GPTQ group size " + groupSize
                    + " is not supported (expected -1 for one group per row, or a power of two from 16 to 4096)");
        }
    }

    /** The GPTQ settings of a model directory, or null when it is not a GPTQ checkpoint. */
    public static GptqConfig find(Path dir) throws ModelException {
        ObjectMapper json = new ObjectMapper();
        for (String name : new String[]{"quantize_config.json", "quant_config.json"}) {
            Path f = dir.resolve(name);
            if (Files.isRegularFile(f)) return parse(f.toString(), readJson(json, f));
        }
        Path config = dir.resolve("config.json");
        if (!Files.isRegularFile(config)) return null;
        JsonNode q = readJson(json, config).get("quantization_config");
        if (q == null || q.isNull()) return null;
        return parse(config + " (quantization_config)", q);
    }

    private static JsonNode readJson(ObjectMapper json, Path f) throws ModelException {
        try {
            return json.readTree(f.toFile());
        } catch (IOException e) {
            throw new ModelException(f + ": not valid JSON (" + e.getMessage() + ")");
        }
    }

    /** Parses one config object; rejects quantization methods and layouts we cannot run. */
    public static GptqConfig parse(String where, JsonNode node) throws ModelException {
        if (node == null || !node.isObject()) throw new ModelException(where + ": not a JSON object");
        ObjectNode c = new ObjectMapper().createObjectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey().toLowerCase(Locale.ROOT);
            c.set(switch (key) {
                case "w_bit" -> "bits";
                case "q_group_size" -> "group_size";
                default -> key;
            }, e.getValue());
        }
        String method = c.path("quant_method").asText("gptq");
        if (method.equals("marlin") || c.path("is_marlin_format").asBoolean(false)) {
            throw new ModelException(where + ": Marlin-packed GPTQ checkpoints are not supported (their qweight layout "
                    + "differs); convert to checkpoint_format \"gptq\"");
        }
        if (!method.equals("gptq")) {
            throw new ModelException(where + ": quant_method \"" + method + "\" is not GPTQ (expected \"gptq\")");
        }
        String format = c.path("checkpoint_format").asText(c.path("format").asText("gptq"));
        if (!format.equals("gptq") && !format.equals("gptq_v2")) {
            throw new ModelException(where + ": checkpoint_format \"" + format + "\" is not supported (expected gptq or gptq_v2)");
        }
        List<String> notes = new ArrayList<>();
        if (!c.has("checkpoint_format") && !c.has("format")) notes.add("checkpoint_format missing: assumed \"gptq\" (v1, zero − 1)");
        if (!c.has("sym")) notes.add("sym missing: assumed true, as AutoGPTQ does");
        if (!c.has("bits")) throw new ModelException(where + ": missing field \"bits\"");
        if (!c.get("bits").canConvertToInt()) throw new ModelException(where + ": field \"bits\" must be an integer, got " + c.get("bits"));
        int groupSize = c.path("group_size").asInt(-1);
        try {
            return new GptqConfig(c.get("bits").asInt(), groupSize, c.path("sym").asBoolean(true),
                    c.path("desc_act").asBoolean(false), c.path("static_groups").asBoolean(false),
                    c.path("damp_percent").asDouble(0.01), c.path("true_sequential").asBoolean(true),
                    format.equals("gptq_v2"), c.path("lm_head").asBoolean(false), where, notes);
        } catch (IllegalArgumentException e) {
            throw new ModelException(e.getMessage());
        }
    }
}
