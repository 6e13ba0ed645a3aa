package dev.hymt4j.tokenizer;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Reads a Hugging Face {@code tokenizer.json} holding a byte-level BPE model. Anything outside the supported
 * subset is rejected with the file, the JSON field and what was expected, never silently approximated.
 */
final class TokenizerJsonLoader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;

    private TokenizerJsonLoader(Path file) {
        this.file = file;
    }

    static Tokenizer load(Path file) throws IOException {
        return new TokenizerJsonLoader(file).load();
    }

    private Tokenizer load() throws IOException {
        JsonNode root = readJson(file);
        if (!root.isObject()) throw fault("top level: expected a JSON object, found " + root.getNodeType());
        UnaryOperator<String> normalizer = normalizer(root.path("normalizer"), "normalizer");
        PreTokenizer preTokenizer = preTokenizer(root.path("pre_tokenizer"), "pre_tokenizer");
        checkByteLevel(root.path("pre_tokenizer"));
        checkDecoder(root.path("decoder"), "decoder");
        List<AddedToken> added = addedTokens(root.path("added_tokens"));
        BpeModel model = model(root.path("model"), added);
        PostProcessor post = postProcessor(root.path("post_processor"), "post_processor", added);
        return new Tokenizer(normalizer, preTokenizer, model, added, post, cleanUpSetting(model, added));
    }

    static JsonNode readJson(Path file) throws IOException {
        try {
            return JSON.readTree(file.toFile());
        } catch (JacksonException e) {
            throw new TokenizerLoadException(file, "malformed JSON: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() : ""), e);
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new TokenizerLoadException(file, "file not found", e);
        }
    }

    private TokenizerLoadException fault(String message) {
        return new TokenizerLoadException(file, message);
    }

    private TokenizerLoadException unsupported(String field, JsonNode type, String supported) {
        return fault(field + ".type: unsupported \"" + type.asText() + "\" (supported: " + supported + ")");
    }

    private String text(JsonNode node, String field) throws TokenizerLoadException {
        if (!node.isTextual()) throw fault(field + ": expected a string, found " + describe(node));
        return node.asText();
    }

    private boolean flag(JsonNode parent, String name, boolean byDefault, String field) throws TokenizerLoadException {
        JsonNode node = parent.path(name);
        if (node.isMissingNode() || node.isNull()) return byDefault;
        if (!node.isBoolean()) throw fault(field + "." + name + ": expected true or false, found " + describe(node));
        return node.booleanValue();
    }

    private static String describe(JsonNode node) {
        return node.isMissingNode() ? "nothing" : node.toString().length() > 60 ? node.getNodeType().toString() : node.toString();
    }

    private UnaryOperator<String> normalizer(JsonNode node, String field) throws TokenizerLoadException {
        if (node.isMissingNode() || node.isNull()) return null;
        JsonNode type = node.path("type");
        return switch (type.asText()) {
            case "NFC" -> form(Normalizer.Form.NFC);
            case "NFD" -> form(Normalizer.Form.NFD);
            case "NFKC" -> form(Normalizer.Form.NFKC);
            case "NFKD" -> form(Normalizer.Form.NFKD);
            case "Lowercase" -> s -> s.toLowerCase(java.util.Locale.ROOT);
            case "Sequence" -> {
                List<UnaryOperator<String>> steps = new ArrayList<>();
                JsonNode list = node.path("normalizers");
                if (!list.isArray()) throw fault(field + ".normalizers: expected an array, found " + describe(list));
                for (int i = 0; i < list.size(); i++) {
                    UnaryOperator<String> step = normalizer(list.get(i), field + ".normalizers[" + i + "]");
                    if (step != null) steps.add(step);
                }
                yield s -> {
                    for (UnaryOperator<String> step : steps) s = step.apply(s);
                    return s;
                };
            }
            default -> throw unsupported(field, type, "NFC, NFD, NFKC, NFKD, Lowercase, Sequence");
        };
    }

    private static UnaryOperator<String> form(Normalizer.Form form) {
        return s -> Normalizer.isNormalized(s, form) ? s : Normalizer.normalize(s, form);
    }

    private PreTokenizer preTokenizer(JsonNode node, String field) throws TokenizerLoadException {
        if (node.isMissingNode() || node.isNull()) throw fault(field + ": missing; a byte-level BPE tokenizer needs a ByteLevel pre-tokenizer");
        JsonNode type = node.path("type");
        switch (type.asText()) {
            case "Sequence": {
                JsonNode list = node.path("pretokenizers");
                if (!list.isArray()) throw fault(field + ".pretokenizers: expected an array, found " + describe(list));
                List<PreTokenizer> stages = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) stages.add(preTokenizer(list.get(i), field + ".pretokenizers[" + i + "]"));
                return PreTokenizer.sequence(stages);
            }
            case "Split": {
                JsonNode pattern = node.path("pattern");
                PreTokenizer.SplitBehavior behavior = behavior(node.path("behavior"), field + ".behavior");
                boolean invert = flag(node, "invert", false, field);
                if (pattern.has("Regex")) {
                    String regex = text(pattern.get("Regex"), field + ".pattern.Regex");
                    try {
                        return PreTokenizer.splitRegex(regex, behavior, invert);
                    } catch (java.util.regex.PatternSyntaxException e) {
                        throw fault(field + ".pattern.Regex: cannot be compiled: " + e.getDescription() + " in " + regex);
                    }
                }
                if (pattern.has("String")) return PreTokenizer.splitLiteral(text(pattern.get("String"), field + ".pattern.String"), behavior, invert);
                throw fault(field + ".pattern: expected {\"Regex\": ...} or {\"String\": ...}, found " + describe(pattern));
            }
            case "ByteLevel":
                return PreTokenizer.byteLevel(flag(node, "add_prefix_space", true, field), flag(node, "use_regex", true, field));
            case "Digits":
                return new DigitsPreTokenizer(flag(node, "individual_digits", false, field));
            default:
                throw unsupported(field, type, "Sequence, Split, ByteLevel, Digits");
        }
    }

    private PreTokenizer.SplitBehavior behavior(JsonNode node, String field) throws TokenizerLoadException {
        String name = text(node, field);
        try {
            return PreTokenizer.SplitBehavior.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw fault(field + ": unsupported \"" + name + "\" (supported: Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous)");
        }
    }

    /** The byte mapping happens in the model, so ByteLevel must be the final pre-tokenizer stage. */
    private void checkByteLevel(JsonNode node) throws TokenizerLoadException {
        List<String> types = new ArrayList<>();
        flattenTypes(node, types);
        int at = types.indexOf("ByteLevel");
        if (at < 0) throw fault("pre_tokenizer: no ByteLevel stage; only byte-level BPE tokenizers are supported");
        if (at != types.size() - 1) throw fault("pre_tokenizer: ByteLevel must be the last stage, found " + types);
    }

    private static void flattenTypes(JsonNode node, List<String> out) {
        if ("Sequence".equals(node.path("type").asText())) for (JsonNode n : node.path("pretokenizers")) flattenTypes(n, out);
        else out.add(node.path("type").asText());
    }

    private void checkDecoder(JsonNode node, String field) throws TokenizerLoadException {
        if (node.isMissingNode() || node.isNull()) throw fault(field + ": missing; expected a ByteLevel decoder");
        JsonNode type = node.path("type");
        if ("ByteLevel".equals(type.asText())) return;
        if ("Sequence".equals(type.asText())) {
            JsonNode list = node.path("decoders");
            for (int i = 0; i < list.size(); i++) checkDecoder(list.get(i), field + ".decoders[" + i + "]");
            return;
        }
        throw unsupported(field, type, "ByteLevel, Sequence of ByteLevel");
    }

    private List<AddedToken> addedTokens(JsonNode list) throws TokenizerLoadException {
        List<AddedToken> tokens = new ArrayList<>();
        if (list.isMissingNode() || list.isNull()) return tokens;
        if (!list.isArray()) throw fault("added_tokens: expected an array, found " + describe(list));
        for (int i = 0; i < list.size(); i++) {
            JsonNode t = list.get(i);
            String field = "added_tokens[" + i + "]";
            if (!t.path("id").canConvertToInt() || t.path("id").asInt() < 0)
                throw fault(field + ".id: expected a non-negative integer, found " + describe(t.path("id")));
            boolean special = flag(t, "special", false, field);
            tokens.add(new AddedToken(t.path("id").asInt(), text(t.path("content"), field + ".content"),
                    flag(t, "single_word", false, field), flag(t, "lstrip", false, field), flag(t, "rstrip", false, field),
                    flag(t, "normalized", !special, field), special));
        }
        return tokens;
    }

    private BpeModel model(JsonNode node, List<AddedToken> added) throws TokenizerLoadException {
        if (!node.isObject()) throw fault("model: expected an object, found " + describe(node));
        JsonNode type = node.path("type");
        // Files written by old tokenizers versions omit the type of a BPE model.
        if (!type.isMissingNode() && !"BPE".equals(type.asText())) throw unsupported("model", type, "BPE");
        if (!node.path("dropout").isNull() && !node.path("dropout").isMissingNode() && node.path("dropout").asDouble() != 0)
            throw fault("model.dropout: expected null (BPE dropout is a training-time feature), found " + node.path("dropout"));
        for (String affix : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            JsonNode v = node.path(affix);
            if (!v.isMissingNode() && !v.isNull() && !v.asText().isEmpty())
                throw fault("model." + affix + ": expected null or \"\" for byte-level BPE, found " + v);
        }
        if (flag(node, "byte_fallback", false, "model")) throw fault("model.byte_fallback: expected false for byte-level BPE, found true");

        JsonNode vocabNode = node.path("vocab");
        if (!vocabNode.isObject()) throw fault("model.vocab: expected an object of token → id, found " + describe(vocabNode));
        Map<String, Integer> vocab = new HashMap<>(vocabNode.size() * 2);
        for (var it = vocabNode.properties().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().canConvertToInt()) throw fault("model.vocab[\"" + e.getKey() + "\"]: expected an integer id, found " + describe(e.getValue()));
            vocab.put(e.getKey(), e.getValue().asInt());
        }
        JsonNode mergesNode = node.path("merges");
        if (!mergesNode.isArray()) throw fault("model.merges: expected an array, found " + describe(mergesNode));
        PairTable merges = new PairTable(mergesNode.size());
        for (int rank = 0; rank < mergesNode.size(); rank++) {
            JsonNode m = mergesNode.get(rank);
            String left, right;
            if (m.isTextual()) {
                String[] parts = m.asText().split(" ", -1);
                if (parts.length != 2) throw fault("model.merges[" + rank + "]: expected \"left right\", found " + m);
                left = parts[0];
                right = parts[1];
            } else if (m.isArray() && m.size() == 2 && m.get(0).isTextual() && m.get(1).isTextual()) {
                left = m.get(0).asText();
                right = m.get(1).asText();
            } else {
                throw fault("model.merges[" + rank + "]: expected \"left right\" or [\"left\", \"right\"], found " + m);
            }
            Integer l = vocab.get(left), r = vocab.get(right), merged = vocab.get(left + right);
            if (l == null || r == null || merged == null)
                throw fault("model.merges[" + rank + "]: " + m + " uses a token missing from model.vocab");
            merges.put(l, r, rank, merged);
        }
        int unkId = -1;
        JsonNode unk = node.path("unk_token");
        if (!unk.isMissingNode() && !unk.isNull()) {
            Integer id = vocab.get(unk.asText());
            if (id == null) for (AddedToken t : added) if (t.content().equals(unk.asText())) id = t.id();
            if (id == null) throw fault("model.unk_token: \"" + unk.asText() + "\" is not in the vocabulary");
            unkId = id;
        }
        return new BpeModel(vocab, merges, unkId, flag(node, "ignore_merges", false, "model"));
    }

    private PostProcessor postProcessor(JsonNode node, String field, List<AddedToken> added) throws TokenizerLoadException {
        if (node.isMissingNode() || node.isNull()) return PostProcessor.NONE;
        JsonNode type = node.path("type");
        switch (type.asText()) {
            case "ByteLevel":
                return PostProcessor.NONE;
            case "Sequence": {
                PostProcessor result = PostProcessor.NONE;
                JsonNode list = node.path("processors");
                for (int i = 0; i < list.size(); i++) result = result.then(postProcessor(list.get(i), field + ".processors[" + i + "]", added));
                return result;
            }
            case "RobertaProcessing", "BertProcessing":
                return new PostProcessor(new int[] {pairId(node.path("cls"), field + ".cls")}, new int[] {pairId(node.path("sep"), field + ".sep")});
            case "TemplateProcessing": {
                IntList before = new IntList(), after = new IntList();
                boolean seenSequence = false;
                JsonNode single = node.path("single");
                if (!single.isArray()) throw fault(field + ".single: expected an array, found " + describe(single));
                for (int i = 0; i < single.size(); i++) {
                    JsonNode item = single.get(i);
                    if (item.has("Sequence")) {
                        seenSequence = true;
                    } else if (item.has("SpecialToken")) {
                        String name = item.get("SpecialToken").path("id").asText();
                        JsonNode ids = node.path("special_tokens").path(name).path("ids");
                        if (!ids.isArray()) throw fault(field + ".special_tokens: no entry with ids for \"" + name + "\"");
                        for (JsonNode id : ids) (seenSequence ? after : before).add(id.asInt());
                    } else {
                        throw fault(field + ".single[" + i + "]: expected {\"Sequence\": …} or {\"SpecialToken\": …}, found " + item);
                    }
                }
                return new PostProcessor(before.toArray(), after.toArray());
            }
            default:
                throw unsupported(field, type, "TemplateProcessing, RobertaProcessing, BertProcessing, ByteLevel, Sequence");
        }
    }

    private int pairId(JsonNode pair, String field) throws TokenizerLoadException {
        if (!pair.isArray() || pair.size() != 2 || !pair.get(1).canConvertToInt())
            throw fault(field + ": expected [\"token\", id], found " + describe(pair));
        return pair.get(1).asInt();
    }

    /** {@code clean_up_tokenization_spaces} from a tokenizer_config.json beside the file (checked); false when absent. */
    private boolean cleanUpSetting(BpeModel model, List<AddedToken> added) throws IOException {
        // Beside the file, spelled as the user spelled the file (messages name their path, not an absolute one).
        Path config = file.getParent() == null ? Path.of("tokenizer_config.json") : file.resolveSibling("tokenizer_config.json");
        if (!Files.isRegularFile(config)) return false;
        int size = 0;
        for (int id : model.vocab().values()) size = Math.max(size, id + 1);
        for (AddedToken t : added) size = Math.max(size, t.id() + 1);
        return TokenizerConfigFile.cleanUpTokenizationSpaces(config,
                token -> model.vocab().containsKey(token) || added.stream().anyMatch(t -> t.content().equals(token)), size);
    }
}
