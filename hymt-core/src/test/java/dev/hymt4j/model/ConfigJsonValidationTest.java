package dev.hymt4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hymt4j.testing.FieldTable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every field of config.json that hymt reads, given a value of the wrong JSON type and a value out of its range:
 * each is an error naming the file, the field and the value, never a silent default (issue 9's
 * {@code rope_scaling.alpha: "big"} → 0, {@code rope_theta: "abc"} → 10000, {@code rms_norm_eps: -1} → NaN,
 * {@code max_position_embeddings: 1e15} → negative, {@code use_qk_norm: "no"} → true, {@code eos_token_id: "x"} → none).
 */
class ConfigJsonValidationTest {
    /** The HY-MT1.5 field set at a small size (hidden 64, 2 layers, vocab 512). */
    static final String BASE = """
            {"architectures": ["HunYuanDenseV1ForCausalLM"], "model_type": "hunyuan_v1_dense", "vocab_size": 512,
             "hidden_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
             "head_dim": 16, "intermediate_size": 160, "hidden_act": "silu",
             "rms_norm_eps": 1e-05, "rope_theta": 10000.0,
             "rope_scaling": {"alpha": 1000.0, "beta_fast": 32, "beta_slow": 1, "factor": 1.0, "mscale": 1.0,
                              "mscale_all_dim": 1.0, "type": "dynamic"},
             "max_position_embeddings": 32768, "tie_word_embeddings": true, "use_qk_norm": true,
             "attention_bias": false, "mlp_bias": false, "use_cla": false,
             "bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0}
            """;

    static final List<FieldTable.Row> ROWS = List.of(
            FieldTable.Row.of("model_type", "5", "\"llama\"", "unsupported model_type"),
            FieldTable.Row.of("hidden_act", "true", "\"gelu\"", "unsupported hidden_act"),
            FieldTable.Row.of("attention_bias", "\"no\"", "true", "not supported"),
            FieldTable.Row.of("mlp_bias", "0", "true", "not supported"),
            FieldTable.Row.of("use_cla", "\"false\"", "true", "not supported"),
            FieldTable.Row.of("vocab_size", "\"512\"", "0", "an integer in [1, "),
            FieldTable.Row.of("hidden_size", "64.5", "-64", "an integer in [1, "),
            FieldTable.Row.of("num_hidden_layers", "[2]", "0", "an integer in [1, "),
            FieldTable.Row.of("num_attention_heads", "\"4\"", "0", "an integer in [1, "),
            FieldTable.Row.of("num_key_value_heads", "{}", "3", "a divisor of num_attention_heads (4)"),
            FieldTable.Row.of("head_dim", "\"16\"", "15", "an even number"),
            FieldTable.Row.of("attention_head_dim", "false", "32", "the same value as head_dim (16)"),
            FieldTable.Row.of("intermediate_size", "\"160\"", "-1", "an integer in [1, "),
            FieldTable.Row.of("rms_norm_eps", "\"1e-5\"", "-1", "a number in (0, 1)"),
            FieldTable.Row.of("rope_theta", "\"abc\"", "0", "a finite number > 1"),
            FieldTable.Row.of("rope_scaling", "\"dynamic\"", null, null),
            FieldTable.Row.of("rope_scaling.type", "3", "\"yarn\"", "one of \"default\", \"dynamic\", \"linear\""),
            FieldTable.Row.of("rope_scaling.alpha", "\"big\"", "-2", "a number > 0"),
            FieldTable.Row.of("rope_scaling.factor", "\"1\"", "0", "a number > 0"),
            FieldTable.Row.of("max_position_embeddings", "\"32768\"", "1e15", "an integer in [1, 2147483647]"),
            FieldTable.Row.of("tie_word_embeddings", "\"yes\"", null, null),
            FieldTable.Row.of("use_qk_norm", "\"no\"", null, null),
            FieldTable.Row.of("bos_token_id", "\"x\"", "512", "a token id in [0, 511] (vocab_size 512)"),
            FieldTable.Row.of("eos_token_id", "\"x\"", "[2, 9999]", "a token id in [0, 511]"),
            FieldTable.Row.of("pad_token_id", "1.5", "-5", "a token id in [0, 511]"));

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> everyFieldRefusesAWrongTypeAndAnImpossibleValue() {
        return FieldTable.tests(ROWS, this::refused);
    }

    @Test
    void theTableCoversEveryFieldTheParserReads() throws Exception {
        // Fields whose absence changes nothing but which parse() looks at; each must be in the table.
        List<String> tabled = ROWS.stream().map(FieldTable.Row::field).toList();
        for (String field : new ObjectMapper().readTree(BASE).properties().stream().map(e -> e.getKey()).toList()) {
            if (field.equals("architectures")) continue;   // informational, not read
            assertTrue(tabled.contains(field) || field.equals("rope_scaling"), field + " is not in the table");
        }
        assertTrue(tabled.contains("rope_scaling.alpha"));
    }

    @Test
    void theIssueExamplesNameFileFieldAndValue() throws Exception {
        assertEquals(dir.resolve("config.json") + ": field \"rope_scaling.alpha\": expected a number > 0, got \"big\"",
                message("rope_scaling.alpha", "\"big\""));
        assertEquals(dir.resolve("config.json") + ": field \"rope_theta\": expected a finite number, got \"abc\"",
                message("rope_theta", "\"abc\""));
        assertEquals(dir.resolve("config.json") + ": field \"rms_norm_eps\": expected a number in (0, 1), got -1.0",
                message("rms_norm_eps", "-1"));
        assertEquals(dir.resolve("config.json") + ": field \"max_position_embeddings\": expected an integer in"
                + " [1, 2147483647], got 1.0E15", message("max_position_embeddings", "1e15"));
        assertEquals(dir.resolve("config.json") + ": field \"use_qk_norm\": expected true or false, got \"no\"",
                message("use_qk_norm", "\"no\""));
        assertEquals(dir.resolve("config.json") + ": field \"eos_token_id\": expected an integer or a list of integers,"
                + " got \"x\"", message("eos_token_id", "\"x\""));
    }

    @Test
    void transformers5RopeParametersAreCheckedToo() throws Exception {
        ObjectNode c = (ObjectNode) new ObjectMapper().readTree(BASE);
        c.remove("rope_scaling");
        c.remove("rope_theta");
        c.set("rope_parameters", new ObjectMapper().readTree("{\"rope_type\": \"dynamic\", \"rope_theta\": \"x\", \"alpha\": 1000}"));
        Files.writeString(dir.resolve("config.json"), c.toString());
        ModelException e = assertThrows(ModelException.class, () -> ModelConfig.load(dir.resolve("config.json")));
        assertTrue(e.getMessage().contains("field \"rope_parameters.rope_theta\"") && e.getMessage().contains("\"x\""), e.getMessage());
    }

    @Test
    void aBomIsReadAndNaNIsRefusedWithItsName() throws Exception {
        Path file = dir.resolve("config.json");
        Files.write(file, concat(new byte[]{(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, BASE.getBytes()));
        assertEquals(64, ModelConfig.load(file).hiddenSize());
        Files.writeString(file, BASE.replace("\"rms_norm_eps\": 1e-05", "\"rms_norm_eps\": NaN"));
        assertEquals(file + ": field \"rms_norm_eps\": expected a finite number, got NaN",
                assertThrows(ModelException.class, () -> ModelConfig.load(file)).getMessage());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private void refused(String field, String value, String expected) throws Exception {
        String m = message(field, value);
        Path file = dir.resolve("config.json");
        assertTrue(m.startsWith(file.toString()), m);
        String leaf = field.substring(field.lastIndexOf('.') + 1);
        assertTrue(m.contains(leaf), "the field is named: " + m);
        assertTrue(m.contains(expected), "'" + expected + "' in: " + m);
    }

    /** The load error of the base config with {@code field} (dotted for nested) set to the JSON {@code value}. */
    private String message(String field, String value) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode c = (ObjectNode) json.readTree(BASE);
        JsonNode v = json.readTree(value);
        int dot = field.indexOf('.');
        if (dot < 0) c.set(field, v);
        else ((ObjectNode) c.get(field.substring(0, dot))).set(field.substring(dot + 1), v);
        Path file = dir.resolve("config.json");
        Files.writeString(file, c.toString());
        return assertThrows(ModelException.class, () -> ModelConfig.load(file)).getMessage();
    }
}
