package dev.hymt4j.lora;

import dev.hymt4j.testing.FieldTable;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.DynamicTest;
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
 * Every field of adapter_config.json that hymt reads or that changes PEFT's math, with a value of the wrong type
 * and a value out of range (or a switch hymt cannot honour): each fails on load naming the file, the field and
 * the value; none is replaced by a default ({@code "use_dora": "yes"} used to read as false).
 */
class AdapterConfigValidationTest {

    static final List<FieldTable.Row> ROWS = List.of(
            new FieldTable.Row("peft_type", "1", "expected a string", "\"PREFIX_TUNING\"", "peft_type is \"PREFIX_TUNING\""),
            new FieldTable.Row("task_type", "5", "expected a string", "\"SEQ_CLS\"", "\"CAUSAL_LM\" (or null)"),
            new FieldTable.Row("r", "\"4\"", "expected an integer in [1, 2147483647]", "0", "expected an integer in [1, 2147483647]"),
            new FieldTable.Row("r", "4.5", "expected an integer in [1, 2147483647]", "100000", "r = 100000 is larger than"),
            new FieldTable.Row("lora_alpha", "\"8\"", "expected a number > 0", "0", "expected a number > 0"),
            new FieldTable.Row("lora_dropout", "\"0.1\"", "expected a number in [0, 1)", "1", "expected a number in [0, 1)"),
            new FieldTable.Row("use_rslora", "\"no\"", "expected true or false", null, null),
            new FieldTable.Row("inference_mode", "1", "expected true or false", null, null),
            new FieldTable.Row("use_dora", "\"yes\"", "expected true or false", "true", "use_dora=true is not supported"),
            new FieldTable.Row("fan_in_fan_out", "\"x\"", "expected true or false", "true", "fan_in_fan_out=true is not supported"),
            new FieldTable.Row("lora_bias", "1", "expected true or false", "true", "lora_bias=true is not supported"),
            new FieldTable.Row("use_qalora", "\"x\"", "expected true or false", "true", "use_qalora=true is not supported"),
            new FieldTable.Row("bias", "false", "expected a string", "\"all\"", "bias=\"all\" is not supported"),
            new FieldTable.Row("target_modules", "5", "expected a list of module names or a regular expression",
                    "[\"q_proj\", \"nope\"]", "target_modules: unknown module [nope]"),
            new FieldTable.Row("target_modules", "[1, 2]", "expected a list of strings", "\"(\"", "is not a valid regular expression"),
            new FieldTable.Row("layers_to_transform", "\"0\"", "expected an integer or a list of integers", "[0, 7]",
                    "layers_to_transform names layer 7 but the model has 2"),
            new FieldTable.Row("layers_to_transform", "[0.5]", "expected an integer or a list of integers", "-1", "expected an integer in [0, 2147483647]"),
            new FieldTable.Row("rank_pattern", "\"x\"", "expected an object", "{\"q_proj\": 8}", "non-empty rank_pattern is not supported"),
            new FieldTable.Row("alpha_pattern", "5", "expected an object", "{\"q_proj\": 8}", "non-empty alpha_pattern is not supported"),
            new FieldTable.Row("modules_to_save", "\"lm_head\"", "modules_to_save is not supported", "[\"lm_head\"]",
                    "modules_to_save is not supported"),
            new FieldTable.Row("base_model_name_or_path", "5", "expected a string", null, null),
            new FieldTable.Row("revision", "[]", "expected a string", null, null));

    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> everyFieldRefusesAWrongTypeAndAnImpossibleValue() {
        return FieldTable.tests(ROWS, this::refused);
    }

    private void refused(String field, String value, String says) throws Exception {
        Path dir = AdapterErrorTest.copyOfInit(Files.createTempDirectory(tmp, "a"));
        Path file = dir.resolve(LoraAdapter.CONFIG_FILE);
        ObjectMapper json = new ObjectMapper();
        ObjectNode c = (ObjectNode) json.readTree(file.toFile());
        c.set(field, json.readTree(value));
        Files.writeString(file, c.toString());
        AdapterException e = assertThrows(AdapterException.class, () -> LoraAdapter.load(dir, AdapterErrorTest.MODEL));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(field), "names the field: " + e.getMessage());
        assertTrue(e.getMessage().contains(says), "'" + says + "' in: " + e.getMessage());
    }
}
