package dev.hymt4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hymt4j.gguf.GgufValue;
import dev.hymt4j.gguf.GgufMetadata;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a Hugging Face model directory's tokenizer as GGUF metadata the way llama.cpp's converter does for
 * HunYuan dense ({@code convert_hf_to_gguf.py} {@code HunYuanModel.set_vocab}: {@code get_vocab_base},
 * {@code gguf.SpecialVocab}, {@code _fix_special_tokens}): every id up to the model's vocabulary size with its
 * string and type, the merges, the pre-tokenizer name, the special ids from tokenizer_config.json and
 * config.json, the add-BOS/EOS flags, the chat template, and {@code eot} from generation_config.json.
 */
public final class GgufVocabularyWriter {
    private GgufVocabularyWriter() {}

    /** The special-token kinds SpecialVocab looks for, in its order, with the GGUF key of each (cls has none). */
    private static final Map<String, String> SPECIAL_KEYS = new LinkedHashMap<>();

    static {
        SPECIAL_KEYS.put("bos", "tokenizer.ggml.bos_token_id");
        SPECIAL_KEYS.put("eos", "tokenizer.ggml.eos_token_id");
        SPECIAL_KEYS.put("unk", "tokenizer.ggml.unknown_token_id");
        SPECIAL_KEYS.put("sep", "tokenizer.ggml.seperator_token_id");
        SPECIAL_KEYS.put("pad", "tokenizer.ggml.padding_token_id");
        SPECIAL_KEYS.put("cls", null);
        SPECIAL_KEYS.put("mask", "tokenizer.ggml.mask_token_id");
    }

    private record Added(String content, boolean special) {}

    /**
     * Adds the tokenizer metadata of {@code modelDir} to {@code w}; {@code vocabSize} is the model's
     * (config.json) vocabulary size, ids beyond the tokenizer become unused {@code [PADi]} entries.
     *
     * @throws TokenizerLoadException naming the file when the tokenizer is not a byte-level BPE with the HY
     *                                pre-tokenizer (llama.cpp would tokenize anything else differently)
     */
    public static void put(Path modelDir, int vocabSize, GgufMetadata w) throws IOException {
        Path file = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) throw new TokenizerLoadException(file, "file not found (a GGUF needs the tokenizer)");
        JsonNode root = TokenizerJsonLoader.readJson(file);
        checkPreTokenizer(file, root.path("pre_tokenizer"));
        JsonNode vocabNode = root.path("model").path("vocab");
        if (!vocabNode.isObject()) throw new TokenizerLoadException(file, "model.vocab: expected an object of token → id");
        Map<Integer, String> byId = new HashMap<>(vocabNode.size() * 2);
        vocabNode.properties().forEach(e -> byId.put(e.getValue().asInt(), e.getKey()));
        Map<Integer, Added> added = new HashMap<>();
        Map<String, Integer> addedByContent = new HashMap<>();
        for (JsonNode t : root.path("added_tokens")) {
            int id = t.path("id").asInt();
            String content = t.path("content").asText();
            added.put(id, new Added(content, t.path("special").asBoolean(false)));
            byId.put(id, content);
            addedByContent.putIfAbsent(content, id);
        }
        int max = byId.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1);
        if (max >= vocabSize) {
            throw new TokenizerLoadException(file, "holds id " + max + " but the model's vocabulary has " + vocabSize + " rows");
        }
        List<String> tokens = new ArrayList<>(vocabSize);
        int[] types = new int[vocabSize];
        for (int id = 0; id < vocabSize; id++) {
            String token = byId.get(id);
            if (token == null) {
                tokens.add("[PAD" + id + "]");
                types[id] = GgufTokenizerLoader.UNUSED;
            } else if (addedByContent.containsKey(token) && added.containsKey(addedByContent.get(token))) {
                Added a = added.get(addedByContent.get(token));
                if (a.special() || looksSpecial(token)) {
                    types[id] = GgufTokenizerLoader.CONTROL;
                } else {
                    // the converter pre-normalizes the SentencePiece space in user-defined tokens
                    token = token.replace("\u2581", " ");
                    types[id] = GgufTokenizerLoader.USER_DEFINED;
                }
                tokens.add(token);
            } else {
                tokens.add(token);
                types[id] = GgufTokenizerLoader.NORMAL;
            }
        }
        w.put(GgufTokenizerLoader.MODEL, GgufValue.string("gpt2"));
        w.put(GgufTokenizerLoader.PRE, GgufValue.string("hunyuan-dense"));
        w.put(GgufTokenizerLoader.TOKENS, GgufValue.strings(tokens));
        w.put(GgufTokenizerLoader.TOKEN_TYPE, GgufValue.i32s(types));
        w.put(GgufTokenizerLoader.MERGES, GgufValue.strings(merges(file, root.path("model").path("merges"))));

        JsonNode tokenizerConfig = optionalJson(modelDir.resolve("tokenizer_config.json"));
        JsonNode config = optionalJson(modelDir.resolve("config.json"));
        Map<String, Integer> specials = new LinkedHashMap<>();
        for (String kind : SPECIAL_KEYS.keySet()) {
            JsonNode entry = tokenizerConfig.path(kind + "_token");
            String content = entry.isTextual() ? entry.asText() : entry.path("content").isTextual() ? entry.path("content").asText() : null;
            if (content == null) continue;
            for (JsonNode t : root.path("added_tokens")) {
                if (t.path("content").asText().equals(content)) {
                    specials.put(kind, t.path("id").asInt());
                    break;
                }
            }
        }
        for (String kind : SPECIAL_KEYS.keySet()) {
            JsonNode id = config.path(kind + "_token_id");
            if (id.isIntegralNumber() && !specials.containsKey(kind)) {
                if (id.asInt() < 0) throw new TokenizerLoadException(modelDir.resolve("config.json"), kind + "_token_id is " + id.asInt());
                specials.put(kind, id.asInt());
            }
        }
        specials.forEach((kind, id) -> {
            if (SPECIAL_KEYS.get(kind) != null) w.put(SPECIAL_KEYS.get(kind), GgufValue.u32(id));
        });
        for (String kind : SPECIAL_KEYS.keySet()) {
            JsonNode flag = tokenizerConfig.path("add_" + kind + "_token");
            if (flag.isBoolean() && (kind.equals("bos") || kind.equals("eos") || kind.equals("sep"))) {
                w.put("tokenizer.ggml.add_" + kind + "_token", GgufValue.bool(flag.booleanValue()));
            }
        }
        String template = chatTemplate(modelDir, tokenizerConfig);
        if (template != null) w.put("tokenizer.chat_template", GgufValue.string(template));
        // HunYuanModel._fix_special_tokens: config's eod_token_id is the real end of generation, and a list of
        // eos ids in generation_config.json names the end-of-turn token first.
        if (config.path("eod_token_id").isIntegralNumber()) w.put(SPECIAL_KEYS.get("eos"), GgufValue.u32(config.path("eod_token_id").asInt()));
        JsonNode generationEos = optionalJson(modelDir.resolve("generation_config.json")).path("eos_token_id");
        if (generationEos.isArray() && generationEos.size() >= 2) w.put("tokenizer.ggml.eot_token_id", GgufValue.u32(generationEos.get(0).asInt()));
    }

    /** {@code does_token_look_special}: {@code <|…|>}, {@code <｜…｜>}, {@code <unused…>} and a few names. */
    static boolean looksSpecial(String token) {
        return List.of("<pad>", "<mask>", "<2mass>", "[@BOS@]").contains(token)
                || (token.startsWith("<|") && token.endsWith("|>"))
                || (token.startsWith("<\uFF5C") && token.endsWith("\uFF5C>"))
                || (token.startsWith("<unused") && token.endsWith(">"));
    }

    /** Merges as "left right"; the array form's spaces are written as U+0120 (SpecialVocab's encoding). */
    private static List<String> merges(Path file, JsonNode merges) throws TokenizerLoadException {
        if (!merges.isArray()) throw new TokenizerLoadException(file, "model.merges: expected an array");
        List<String> out = new ArrayList<>(merges.size());
        for (JsonNode m : merges) {
            if (m.isTextual()) out.add(m.asText());
            else if (m.isArray() && m.size() == 2) out.add(m.get(0).asText().replace(' ', '\u0120') + " " + m.get(1).asText().replace(' ', '\u0120'));
            else throw new TokenizerLoadException(file, "model.merges: unsupported entry " + m);
        }
        return out;
    }

    /**
     * llama.cpp picks its pre-tokenizer by name; ours writes "hunyuan-dense", so the file's pre-tokenizer must be
     * exactly that set (three Isolated splits, then ByteLevel without its own regex).
     */
    private static void checkPreTokenizer(Path file, JsonNode pre) throws TokenizerLoadException {
        ObjectNode expected = PreTokenizer.hunyuan().toJson();
        if (!splitDefinition(pre).equals(splitDefinition(expected))) {
            throw new TokenizerLoadException(file, "pre_tokenizer is not HY-MT's (digits, CJK, letter/punctuation splits + ByteLevel);"
                    + " llama.cpp's 'hunyuan-dense' pre-tokenizer would split text differently");
        }
    }

    /**
     * The pre-tokenizer JSON without what does not change the split: ByteLevel's {@code trim_offsets}, and the
     * spelling of CR and LF in a regex (a literal character or the {@code \r}/{@code \n} escape).
     */
    private static JsonNode splitDefinition(JsonNode node) {
        JsonNode copy = node.deepCopy();
        if (copy.isObject()) {
            ((ObjectNode) copy).remove("trim_offsets");
            JsonNode regex = copy.path("pattern").path("Regex");
            if (regex.isTextual()) {
                String spelled = regex.asText().replace("\r", "\\r").replace("\n", "\\n");
                ((ObjectNode) copy.get("pattern")).put("Regex", spelled);
            }
            if (copy.path("pretokenizers").isArray()) {
                com.fasterxml.jackson.databind.node.ArrayNode list = (com.fasterxml.jackson.databind.node.ArrayNode) copy.get("pretokenizers");
                for (int i = 0; i < list.size(); i++) list.set(i, splitDefinition(list.get(i)));
            }
        }
        return copy;
    }

    private static String chatTemplate(Path modelDir, JsonNode tokenizerConfig) throws IOException {
        if (tokenizerConfig.path("chat_template").isTextual()) return tokenizerConfig.path("chat_template").asText();
        Path jinja = modelDir.resolve("chat_template.jinja");
        if (Files.isRegularFile(jinja)) return Files.readString(jinja);
        JsonNode json = optionalJson(modelDir.resolve("chat_template.json")).path("chat_template");
        return json.isTextual() ? json.asText() : null;
    }

    private static JsonNode optionalJson(Path file) throws IOException {
        return Files.isRegularFile(file) ? TokenizerJsonLoader.readJson(file) : com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
}
