package dev.hymt4j.train;

import dev.hymt4j.optim.LrSchedule;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TrainingConfigTest {
    private static final List<String> REQUIRED = List.of("model=models/hy-mt1.5-1.8b", "data.train=train.jsonl",
            "output_dir=out");

    @Test
    void defaultsAreThoseOfTheIssue() {
        TrainingConfig c = TrainingConfig.fromOverrides(REQUIRED);
        assertEquals(16, c.loraR());
        assertEquals(32.0, c.loraAlpha());
        assertEquals(0.05, c.loraDropout());
        assertEquals(TrainingConfig.ALL_LINEAR, c.loraTargetModules());
        assertFalse(c.loraUseRslora());
        assertEquals(2e-4, c.learningRate());
        assertEquals(1.0, c.numTrainEpochs());
        assertEquals(-1, c.maxSteps());
        assertEquals(4, c.perDeviceTrainBatchSize());
        assertEquals(1, c.gradientAccumulationSteps());
        assertEquals("linear", c.lrSchedulerType());
        assertEquals(1.0, c.maxGradNorm());
        assertEquals(42L, c.seed());
        assertEquals(256, c.maxSeqLen());
        assertFalse(c.qlora());
        assertFalse(c.gradientCheckpointing());
        assertEquals("eval_loss", c.metricForBestModel());
        assertFalse(c.greaterIsBetter(), "a loss is better when lower");
        assertTrue(c.saveTotalLimit().isEmpty());
        assertTrue(c.validData().isEmpty());
        assertEquals(c.saveSteps(), c.evalSteps(), "unset eval_steps evaluates at every save");
        assertEquals(Path.of("out"), c.outputDir());
    }

    @Test
    void readsNestedYamlWithOverridesOnTop(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("train.yaml");
        Files.writeString(file, """
                model: models/hy-mt1.5-1.8b
                data:
                  train: data/train.jsonl
                  valid: data/valid.jsonl
                output_dir: runs/en-de
                lora:
                  r: 8
                  alpha: 16
                  target_modules: [q_proj, v_proj]
                learning_rate: 2e-4      # YAML 1.1 reads this as a string; it must still be a number
                lr_scheduler_type: cosine
                metric_for_best_model: chrf
                save_total_limit: 3
                """);
        TrainingConfig c = TrainingConfig.load(file, List.of("lora.r=32", "max_steps=1000", "lora.use_rslora=true"));
        assertEquals(32, c.loraR(), "--set wins over the file");
        assertEquals(16.0, c.loraAlpha());
        assertEquals(List.of("q_proj", "v_proj"), c.loraTargetModules());
        assertEquals(2e-4, c.learningRate());
        assertEquals(1000, c.maxSteps());
        assertEquals(Path.of("data/valid.jsonl"), c.validData().orElseThrow());
        assertTrue(c.greaterIsBetter(), "chrF is better when higher");
        assertEquals(3, c.saveTotalLimit().getAsInt());
        assertEquals(16.0 / Math.sqrt(32), c.loraScaling(), 1e-15);
    }

    @Test
    void dottedKeysInTheFileAndAllLinear(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.yml");
        Files.writeString(file, """
                model: m
                data.train: t.jsonl
                output_dir: o
                lora.target_modules: all-linear
                """);
        assertEquals(TrainingConfig.ALL_LINEAR, TrainingConfig.load(file, List.of()).loraTargetModules());
        List<String> overrides = new java.util.ArrayList<>(REQUIRED);
        overrides.add("lora.target_modules=q_proj,k_proj");
        assertEquals(List.of("q_proj", "k_proj"), TrainingConfig.fromOverrides(overrides).loraTargetModules());
    }

    @Test
    void unknownKeySuggestsTheClosestKnownOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, "model: m\nlearning_rat: 1e-4\n");
        ConfigException e = assertThrows(ConfigException.class, () -> TrainingConfig.load(file, REQUIRED));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("unknown key 'learning_rat'"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'learning_rate'?"), e.getMessage());

        ConfigException nested = assertThrows(ConfigException.class,
                () -> TrainingConfig.parse("lora:\n  rank: 8\n", "x.yaml", false, REQUIRED));
        assertTrue(nested.getMessage().contains("unknown key 'lora.rank'"), nested.getMessage());
        assertTrue(nested.getMessage().contains("'lora.r'"), nested.getMessage());

        ConfigException override = assertThrows(ConfigException.class,
                () -> TrainingConfig.fromOverrides(List.of("per_device_batch_size=8")));
        assertTrue(override.getMessage().contains("--set"), override.getMessage());
        assertTrue(override.getMessage().contains("per_device_train_batch_size"), override.getMessage());
    }

    @Test
    void wrongTypeNamesFileKeyAndExpectedType(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.json");
        Files.writeString(file, "{\"lora\": {\"r\": \"sixteen\"}}");
        ConfigException e = assertThrows(ConfigException.class, () -> TrainingConfig.load(file, REQUIRED));
        assertEquals(file + ": key 'lora.r' expects an integer, got \"sixteen\"", e.getMessage());

        ConfigException list = assertThrows(ConfigException.class,
                () -> TrainingConfig.parse("lora:\n  target_modules: 7\n", "c.yaml", false, REQUIRED));
        assertTrue(list.getMessage().contains("expects a list of strings"), list.getMessage());

        ConfigException choice = assertThrows(ConfigException.class,
                () -> TrainingConfig.fromOverrides(List.of("lr_scheduler_type=cosine_restarts")));
        assertTrue(choice.getMessage().contains("one of [linear, cosine, constant, constant_with_warmup]"),
                choice.getMessage());

        ConfigException backend = assertThrows(ConfigException.class,
                () -> TrainingConfig.fromOverrides(java.util.stream.Stream.concat(REQUIRED.stream(), java.util.stream.Stream.of("backend=cuda")).toList()));
        assertEquals("--set backend: key 'backend' expects one of [java, onednn, auto], got \"cuda\"", backend.getMessage());
        assertEquals(dev.hymt4j.onednn.TrainingBackend.JAVA, TrainingConfig.fromOverrides(REQUIRED).backend(), "exact FP32 by default");
        assertEquals(dev.hymt4j.onednn.TrainingBackend.AUTO,
                TrainingConfig.parse("backend: auto\n", "c.yaml", false, REQUIRED).backend());

        ConfigException section = assertThrows(ConfigException.class,
                () -> TrainingConfig.parse("lora: 8\n", "c.yaml", false, REQUIRED));
        assertTrue(section.getMessage().startsWith("c.yaml: key 'lora' is a section and expects a mapping"),
                section.getMessage());

        ConfigException bool = assertThrows(ConfigException.class,
                () -> TrainingConfig.parse("qlora: 1\n", "c.yaml", false, REQUIRED));
        assertEquals("c.yaml: key 'qlora' expects true or false, got 1", bool.getMessage());
    }

    @Test
    void missingRequiredKeysAndBadValuesAreNamed() {
        ConfigException missing = assertThrows(ConfigException.class,
                () -> TrainingConfig.fromOverrides(List.of("model=m", "output_dir=o")));
        assertTrue(missing.getMessage().contains("'data.train' is required"), missing.getMessage());

        List<String> badModule = new java.util.ArrayList<>(REQUIRED);
        badModule.add("lora.target_modules=q_proj,vproj");
        ConfigException module = assertThrows(ConfigException.class, () -> TrainingConfig.fromOverrides(badModule));
        assertTrue(module.getMessage().contains("'vproj'") && module.getMessage().contains("'v_proj'"), module.getMessage());

        List<String> badDropout = new java.util.ArrayList<>(REQUIRED);
        badDropout.add("lora.dropout=1.5");
        assertThrows(ConfigException.class, () -> TrainingConfig.fromOverrides(badDropout));
    }

    @Test
    void savedJsonLoadsBackEqual(@TempDir Path dir) throws Exception {
        List<String> overrides = new java.util.ArrayList<>(REQUIRED);
        overrides.addAll(List.of("lora.r=8", "save_total_limit=2", "lora.target_modules=[q_proj, o_proj]",
                "warmup_ratio=0.1", "seed=7"));
        TrainingConfig c = TrainingConfig.fromOverrides(overrides);
        Path saved = dir.resolve(TrainingConfig.FILE_NAME);
        c.save(saved);
        TrainingConfig back = TrainingConfig.load(saved, List.of());
        assertEquals(c, back);
        assertTrue(Files.readString(saved).contains("\"lora\" : {"), "sections are nested as in the YAML");
    }

    @Test
    void stepCountsFollowTransformers() {
        List<String> o = new java.util.ArrayList<>(REQUIRED);
        o.addAll(List.of("gradient_accumulation_steps=4", "num_train_epochs=2", "warmup_ratio=0.1"));
        TrainingConfig c = TrainingConfig.fromOverrides(o);
        // 10 micro-batches per epoch, accumulation 4: updates of 4, 4 and 2 batches = 3 per epoch
        assertEquals(6, c.totalOptimizerSteps(10));
        assertEquals(1, c.warmupSteps(6), "ceil(6 × 0.1)");
        o.add("max_steps=50");
        o.add("warmup_steps=5");
        TrainingConfig capped = TrainingConfig.fromOverrides(o);
        assertEquals(50, capped.totalOptimizerSteps(10));
        assertEquals(5, capped.warmupSteps(50), "warmup_steps wins over warmup_ratio");
    }

    @Test
    void configBuildsTheSchedule() {
        TrainingConfig c = TrainingConfig.fromOverrides(java.util.List.of("model=m", "data.train=t", "output_dir=o",
                "lr_scheduler_type=cosine", "warmup_steps=3", "learning_rate=1e-3"));
        LrSchedule s = c.lrSchedule(20);
        assertEquals(new LrSchedule(LrSchedule.Type.COSINE, 1e-3, 3, 20), s);
    }
}
