package dev.hymt4j.train;

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

    /** key, wrong-type YAML value, impossible YAML value (null: the type has none), what the range message says. */
    record Row(String key, String wrongType, String outOfRange, String says) {}

    static final List<Row> ROWS = List.of(
            new Row("model", "[1]", "\"  \"", "a non-empty path"),
            new Row("data.train", "{a: 1}", "\"\"", "a non-empty path"),
            new Row("data.valid", "[x]", "\" \"", "a non-empty path"),
            new Row("output_dir", "true", "\"\"", "a non-empty path"),
            new Row("lora.r", "abc", "0", "an integer in [1, 65536]"),
            new Row("lora.alpha", "x", "0", "a number in (0, 1000000]"),
            new Row("lora.dropout", "[0.1]", "1", "a number in [0, 1)"),
            new Row("lora.target_modules", "5", "[qq_proj]", "unknown module 'qq_proj'; did you mean 'q_proj'?"),
            new Row("lora.use_rslora", "maybe", null, null),
            new Row("learning_rate", "fast", "1e30", "a number in (0, 1]"),
            new Row("num_train_epochs", "one", "-1", "a number in [0, 1000000]"),
            new Row("max_steps", "2.5", "-5", "an integer >= -1"),
            new Row("per_device_train_batch_size", "four", "0", "an integer in [1, 65536]"),
            new Row("gradient_accumulation_steps", "[1]", "0", "an integer in [1, 1048576]"),
            new Row("warmup_ratio", "x", "1.5", "a number in [0, 1]"),
            new Row("warmup_steps", "1.5", "-1", "an integer >= 0"),
            new Row("lr_scheduler_type", "[]", "exponential", "one of [linear, cosine, constant, constant_with_warmup]"),
            new Row("weight_decay", "x", "-0.1", "a number in [0, 1]"),
            new Row("adam_beta1", "x", "1", "a number in [0, 1)"),
            new Row("adam_beta2", "true", "-0.1", "a number in [0, 1)"),
            new Row("adam_epsilon", "x", "0", "a number in (0, 1]"),
            new Row("max_grad_norm", "x", "-1", "a number in [0, 1000000]"),
            new Row("eval_steps", "x", "0", "an integer >= 1"),
            new Row("save_steps", "x", "0", "an integer >= 1"),
            new Row("save_total_limit", "x", "0", "an integer >= 1"),
            new Row("logging_steps", "x", "0", "an integer >= 1"),
            new Row("seed", "x", "1e30", "an integer"),
            new Row("max_seq_len", "x", "1", "an integer in [2, 1048576]"),
            new Row("qlora", "x", null, null),
            new Row("gradient_checkpointing", "3", null, null),
            new Row("metric_for_best_model", "[]", "accuracy", "one of [eval_loss, bleu, chrf]"),
            new Row("greater_is_better", "x", null, null),
            new Row("threads", "x", "-1", "an integer in [0, 4096]"),
            new Row("eval_max_samples", "x", "0", "an integer >= 1"),
            new Row("eval_max_new_tokens", "x", "0", "an integer in [1, 1048576]"),
            new Row("eval_on_start", "x", null, null));

    @Test
    void theTableHasEveryKey() {
        Set<String> keys = new TreeSet<>(TrainingConfig.parse(REQUIRED, "train.yaml", false, List.of()).asMap().keySet());
        assertEquals(keys, ROWS.stream().map(Row::key).collect(Collectors.toCollection(TreeSet::new)));
    }

    @TestFactory
    Stream<DynamicTest> everyKeyRefusesAWrongTypeAndAnImpossibleValueInAFileAndInSet() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Row row : ROWS) {
            tests.add(DynamicTest.dynamicTest(row.key + ": " + row.wrongType, () -> refused(row.key, row.wrongType, "expects")));
            if (row.outOfRange != null) {
                tests.add(DynamicTest.dynamicTest(row.key + ": " + row.outOfRange, () -> refused(row.key, row.outOfRange, row.says)));
            }
        }
        return tests.stream();
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
