package dev.hymt4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hymt4j.io.ConfigFields;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code tokenizer_config.json}, checked field by field: hymt acts on {@code clean_up_tokenization_spaces} only
 * (the rest lives in tokenizer.json), but a file with a wrong type or a special token that is not in the
 * vocabulary describes another tokenizer, and is refused rather than half-trusted.
 */
final class TokenizerConfigFile {
    private static final List<String> SPECIAL_TOKEN_FIELDS = List.of("bos_token", "eos_token", "pad_token", "unk_token",
            "sep_token", "cls_token", "mask_token");
    private static final List<String> FLAGS = List.of("clean_up_tokenization_spaces", "add_bos_token", "add_eos_token",
            "add_prefix_space", "legacy", "split_special_tokens", "use_default_system_prompt");

    private TokenizerConfigFile() {}

    /**
     * Checks {@code file} and returns its {@code clean_up_tokenization_spaces} (false when absent).
     *
     * @param isToken whether a string is a token of the tokenizer being loaded
     */
    static boolean cleanUpTokenizationSpaces(Path file, Predicate<String> isToken, int vocabSize) throws IOException {
        JsonNode root = ConfigFields.read(file, message -> new TokenizerLoadException(file, strip(file, message)));
        if (!root.isObject()) throw new TokenizerLoadException(file, "expected a JSON object");
        ConfigFields<TokenizerLoadException> f = new ConfigFields<>(file.toString(), root,
                message -> new TokenizerLoadException(file, strip(file, message)));
        for (String flag : FLAGS) f.bool(flag, false);
        f.string("tokenizer_class", null);
        f.choice("padding_side", "right", List.of("left", "right"));
        f.choice("truncation_side", "right", List.of("left", "right"));
        f.strings("model_input_names");
        // transformers writes 1e30 (a "very large" int) when there is no limit, so any positive number goes.
        f.number("model_max_length", 1, 0, Double.MAX_VALUE, true);
        JsonNode template = root.get("chat_template");
        if (template != null && !template.isNull() && !template.isTextual() && !template.isArray()) {
            throw f.invalid("chat_template", "a string or a list of {name, template}");
        }
        for (String field : SPECIAL_TOKEN_FIELDS) {
            JsonNode v = root.get(field);
            if (v == null || v.isNull()) continue;
            String content = v.isTextual() ? v.textValue() : v.isObject() && v.path("content").isTextual() ? v.get("content").textValue() : null;
            if (content == null) throw f.invalid(field, "a token string or {\"content\": ...}");
            if (!isToken.test(content)) throw f.invalid(field, "a token of tokenizer.json");
        }
        JsonNode decoder = root.get("added_tokens_decoder");
        if (decoder != null && !decoder.isNull()) {
            if (!decoder.isObject()) throw f.invalid("added_tokens_decoder", "an object of id → {\"content\": ...}");
            for (Iterator<Map.Entry<String, JsonNode>> it = decoder.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                long id;
                try {
                    id = Long.parseLong(e.getKey());
                } catch (NumberFormatException bad) {
                    throw new TokenizerLoadException(file, "field \"added_tokens_decoder\": key \"" + e.getKey() + "\" is not a token id");
                }
                if (id < 0 || id >= vocabSize) {
                    throw new TokenizerLoadException(file, "field \"added_tokens_decoder\": id " + id + " is outside the vocabulary"
                            + " (0.." + (vocabSize - 1) + ")");
                }
                if (!e.getValue().isObject() || !e.getValue().path("content").isTextual()) {
                    throw new TokenizerLoadException(file, "field \"added_tokens_decoder." + id + "\": expected {\"content\": ...},"
                            + " got " + e.getValue());
                }
            }
        }
        return f.bool("clean_up_tokenization_spaces", false);
    }

    /** ConfigFields messages start with the file; TokenizerLoadException adds it again. */
    private static String strip(Path file, String message) {
        String prefix = file + ": ";
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }
}
