package dev.hymt4j.tokenizer;

import dev.hymt4j.testing.FieldTable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every field of tokenizer_config.json that hymt checks, with a value of the wrong type and an impossible one
 * (a special token the vocabulary lacks, an id outside it): the load fails naming the file, field and value.
 */
class TokenizerConfigValidationTest {
    private static final String TOKENIZER = """
            {"normalizer": null,
             "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "use_regex": true},
             "decoder": {"type": "ByteLevel"},
             "added_tokens": [{"id": 3, "content": "<eos>", "special": true, "single_word": false, "lstrip": false,
                               "rstrip": false, "normalized": false}],
             "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["a b"]}}
            """;

    static final List<FieldTable.Row> ROWS = List.of(
            FieldTable.Row.of("clean_up_tokenization_spaces", "\"yes\"", null, null),
            FieldTable.Row.of("add_bos_token", "1", null, null),
            FieldTable.Row.of("add_eos_token", "\"false\"", null, null),
            FieldTable.Row.of("tokenizer_class", "7", null, null),
            FieldTable.Row.of("padding_side", "0", "\"middle\"", "one of \"left\", \"right\""),
            FieldTable.Row.of("truncation_side", "[]", "\"up\"", "one of \"left\", \"right\""),
            FieldTable.Row.of("model_max_length", "\"big\"", "0", "a number > 0"),
            FieldTable.Row.of("model_input_names", "\"input_ids\"", null, null),
            FieldTable.Row.of("chat_template", "5", null, null),
            FieldTable.Row.of("eos_token", "5", "\"<missing>\"", "a token of tokenizer.json"),
            FieldTable.Row.of("bos_token", "[]", "{\"content\": \"zz\"}", "a token of tokenizer.json"),
            FieldTable.Row.of("pad_token", "true", "\"<pad>\"", "a token of tokenizer.json"),
            FieldTable.Row.of("added_tokens_decoder", "[]", "{\"99\": {\"content\": \"<eos>\"}}", "id 99 is outside the vocabulary"));

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> everyFieldRefusesAWrongTypeAndAnImpossibleValue() {
        return FieldTable.tests(ROWS, this::refused);
    }

    @Test
    void aValidConfigLoadsAndSetsTheCleanUp() throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), TOKENIZER);
        Files.writeString(dir.resolve("tokenizer_config.json"), """
                {"tokenizer_class": "PreTrainedTokenizerFast", "eos_token": "<eos>", "pad_token": null,
                 "clean_up_tokenization_spaces": true, "model_max_length": 1000000000000000019884624838656,
                 "added_tokens_decoder": {"3": {"content": "<eos>", "special": true}}}
                """);
        assertTrue(Tokenizer.load(dir).decode(new int[]{0}, false, false).equals("a"));
    }

    private void refused(String field, String value, String says) throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), TOKENIZER);
        Path config = dir.resolve("tokenizer_config.json");
        Files.writeString(config, "{\"tokenizer_class\": \"PreTrainedTokenizerFast\", \"" + field + "\": " + value + "}");
        TokenizerLoadException e = assertThrows(TokenizerLoadException.class, () -> Tokenizer.load(dir));
        assertTrue(e.getMessage().startsWith(config.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(field) && e.getMessage().contains(says), "'" + says + "' in: " + e.getMessage());
    }
}
