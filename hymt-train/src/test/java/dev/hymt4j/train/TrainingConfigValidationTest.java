package dev.hymt4j.train;

import dev.hymt4j.testing.FieldTable;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every key of the training config, in a YAML file and as {@code --set}, given a value of the wrong type and an
 * impossible value: each is refused naming the file (or --set), the key, the value and what was expected.
 * NaN and infinity never pass a range (they used to: {@code NaN < lo} is false).
 */
class TrainingConfigValidationTest {
    private static final String REQUIRED = "model: m\ndata.train: t.jsonl\noutput_dir: out\n";

    static final List<FieldTable.Row> ROWS = List.of(
            new FieldTable.Row("model", "[1]", "expects", "\"  \"", "a non-empty path"),
            new FieldTable.Row("data.train", "{a: 1}", "expects", "\"\"", "a non-empty path"),
            new FieldTable.Row("data.valid", "[x]", "expects", "\" \"", "a non-empty path"),
            new FieldTable.Row("output_dir", "true", "expects", "\"\"", "a non-empty path"),
            new FieldTable.Row("lora.r", "abc", "expects", "0", "an integer in [1, 65536]"),
            new FieldTable.Row("lora.alpha", "x", "expects", "0", "a number in (0, 1000000]"),
            new FieldTable.Row("lora.dropout", "[0.1]", "expects", "1", "a number in [0, 1)"),
            new FieldTable.Row("lora.target_modules", "5", "expects", "[qq_proj]", "unknown module 'qq_proj'; did you mean 'q_proj'?"),
            new FieldTable.Row("lora.use_rslora", "maybe", "expects", null, null),
            new FieldTable.Row("learning_rate", "fast", "expects", "1e30", "a number in (0, 1]"),
            new FieldTable.Row("num_train_epochs", "one", "expects", "-1", "a number in [0, 1000000]"),
            new FieldTable.Row("max_steps", "2.5", "expects", "-5", "an integer >= -1"),
            new FieldTable.Row("per_device_train_batch_size", "four", "expects", "0", "an integer in [1, 65536]"),
            new FieldTable.Row("gradient_accumulation_steps", "[1]", "expects", "0", "an integer in [1, 1048576]"),
            new FieldTable.Row("warmup_ratio", "x", "expects", "1.5", "a number in [0, 1]"),
            new FieldTable.Row("warmup_steps", "1.5", "expects", "-1", "an integer >= 0"),
            new FieldTable.Row("lr_scheduler_type", "[]", "expects", "exponential", "one of [linear, cosine, constant, constant_with_warmup]"),
            new FieldTable.Row("weight_decay", "x", "expects", "-0.1", "a number in [0, 1]"),
            new FieldTable.Row("adam_beta1", "x", "expects", "1", "a number in [0, 1)"),
            new FieldTable.Row("adam_beta2", "true", "expects", "-0.1", "a number in [0, 1)"),
            new FieldTable.Row("adam_epsilon", "x", "expects", "0", "a number in (0, 1]"),
            new FieldTable.Row("max_grad_norm", "x", "expects", "-1", "a number in [0, 1000000]"),
            new FieldTable.Row("eval_steps", "x", "expects", "0", "an integer >= 1"),
            new FieldTable.Row("save_steps", "x", "expects", "0", "an integer >= 1"),
            new FieldTable.Row("save_total_limit", "x", "expects", "0", "an integer >= 1"),
            new FieldTable.Row("logging_steps", "x", "expects", "0", "an integer >= 1"),
            new FieldTable.Row("seed", "x", "expects", "1e30", "an integer"),
            new FieldTable.Row("max_seq_len", "x", "expects", "1", "an integer in [2, 1048576]"),
            new FieldTable.Row("qlora", "x", "expects", null, null),
            new FieldTable.Row("gradient_checkpointing", "3", "expects", null, null),
            new FieldTable.Row("metric_for_best_model", "[]", "expects", "accuracy", "one of [eval_loss, bleu, chrf]"),
            new FieldTable.Row("greater_is_better", "x", "expects", null, null),
            new FieldTable.Row("threads", "x", "expects", "-1", "an integer in [0, 4096]"),
            new FieldTable.Row("eval_max_samples", "x", "expects", "0", "an integer >= 1"),
            new FieldTable.Row("eval_max_new_tokens", "x", "expects", "0", "an integer in [1, 1048576]"),
            new FieldTable.Row("eval_on_start", "x", "expects", null, null),
            new FieldTable.Row("backend", "[]", "expects", "cuda", "one of [java, onednn, auto]"));

    @Test
    void theTableHasEveryKey() {
        Set<String> keys = new TreeSet<>(TrainingConfig.parse(REQUIRED, "train.yaml", false, List.of()).asMap().keySet());
        assertEquals(keys, ROWS.stream().map(FieldTable.Row::field).collect(Collectors.toCollection(TreeSet::new)));
    }

    @TestFactory
    Stream<DynamicTest> everyKeyRefusesAWrongTypeAndAnImpossibleValueInAFileAndInSet() {
        return FieldTable.tests(ROWS, TrainingConfigValidationTest::refused);
    }

    @Test
    void nanAndInfinityNeverPass() {
        for (String v : List.of("NaN", "Infinity", "-Infinity")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> TrainingConfig.parse(REQUIRED + "learning_rate: " + v + "\n", "train.yaml", false, List.of()));
            assertTrue(e.getMessage().startsWith("train.yaml: key 'learning_rate' expects"), e.getMessage());
        }
        ConfigException set = assertThrows(ConfigException.class,
                () -> TrainingConfig.parse(REQUIRED, "train.yaml", false, List.of("warmup_ratio=NaN")));
        assertEquals("--set: key 'warmup_ratio' expects a number in [0, 1], got NaN", set.getMessage());
    }

    private static void refused(String key, String yamlValue, String says) {
        String yaml = REQUIRED.lines().filter(l -> !l.startsWith(key + ":")).collect(Collectors.joining("\n"))
                + "\n" + key + ": " + yamlValue + "\n";
        ConfigException e = assertThrows(ConfigException.class, () -> TrainingConfig.parse(yaml, "train.yaml", false, List.of()));
        assertTrue(e.getMessage().startsWith("train.yaml: key '" + key + "'"), e.getMessage());
        assertTrue(e.getMessage().contains(says) && e.getMessage().contains("got") || says.startsWith("unknown"), e.getMessage());
        assertTrue(e.getMessage().contains(says), "'" + says + "' in: " + e.getMessage());
        // A scalar value given with --set fails the same way, naming --set (any text is a path, so paths are skipped).
        boolean path = TrainingConfig.INPUT_PATH_KEYS.contains(key) || key.equals(TrainingConfig.OUTPUT_PATH_KEY);
        if (!path && !yamlValue.startsWith("[") && !yamlValue.startsWith("{") && !yamlValue.startsWith("\"")) {
            String required = REQUIRED.lines().filter(l -> !l.startsWith(key + ":")).collect(Collectors.joining("\n"));
            ConfigException s = assertThrows(ConfigException.class,
                    () -> TrainingConfig.parse(required, "train.yaml", false, List.of(key + "=" + yamlValue)));
            assertTrue(s.getMessage().startsWith("--set") && s.getMessage().contains(key), s.getMessage());
        }
    }
}
