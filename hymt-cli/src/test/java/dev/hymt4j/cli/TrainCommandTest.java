package dev.hymt4j.cli;

import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.train.MetricsLog;
import dev.hymt4j.train.TinyTraining;
import dev.hymt4j.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.hymt4j.cli.CoreCommandsTest.hymt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code hymt train} from flags alone and from a YAML file, {@code hymt quickstart} end to end with few steps. */
class TrainCommandTest {

    @Test
    void trainsFromFlagsThenFromAYamlFileWithOverridesAndResume(@TempDir Path tmp) throws Exception {
        TinyTraining.write(tmp);
        List<String> args = new ArrayList<>(List.of("train"));
        for (String kv : TinyTraining.overrides(tmp, tmp.resolve("flags"))) args.addAll(List.of("--set", kv));
        args.addAll(List.of("--set", "max_steps=4"));
        CoreCommandsTest.Run flags = hymt(args.toArray(String[]::new));
        assertEquals(0, flags.exitCode(), flags.err());
        assertTrue(Files.isRegularFile(tmp.resolve("flags/adapter").resolve(LoraAdapter.WEIGHTS_FILE)));
        assertTrue(Files.isRegularFile(tmp.resolve("flags").resolve(Trainer.REPORT_FILE)));

        Path yaml = tmp.resolve("train.yaml");
        Files.writeString(yaml, """
                model: %s
                data:
                  train: %s
                lora:
                  r: 2
                  target_modules: [q_proj, v_proj]
                learning_rate: 2e-3
                max_steps: 3
                per_device_train_batch_size: 4
                save_steps: 2
                logging_steps: 1
                max_seq_len: 400
                """.formatted(tmp.resolve("model"), tmp.resolve("train.jsonl")));
        Path out = tmp.resolve("yaml");
        CoreCommandsTest.Run first = hymt("train", yaml.toString(), "--output-dir", out.toString());
        assertEquals(0, first.exitCode(), first.err());
        assertEquals(3, MetricsLog.read(out.resolve(MetricsLog.FILE_NAME)).size(), "a loss line per step, no eval without data.valid");
        CoreCommandsTest.Run more = hymt("train", yaml.toString(), "--output-dir", out.toString(), "--set", "max_steps=5", "--resume");
        assertEquals(0, more.exitCode(), more.err());
        assertEquals(5, MetricsLog.read(out.resolve(MetricsLog.FILE_NAME)).size(), "continued from checkpoint-3 to step 5");
    }

    @Test
    void aBadSettingIsOneClearLine(@TempDir Path tmp) {
        CoreCommandsTest.Run r = hymt("train", "--set", "model=m", "--set", "data.train=t", "--set", "output_dir=" + tmp,
                "--set", "lora.rank=8");
        assertEquals(1, r.exitCode());
        assertEquals("hymt train: --set: unknown key 'lora.rank'; did you mean 'lora.r'?", r.err().strip());
    }

    @Test
    void quickstartRunsEndToEnd(@TempDir Path tmp) {
        Path dir = tmp.resolve("qs");
        CoreCommandsTest.Run r = hymt("quickstart", dir.toString(), "--steps", "4");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(Files.isRegularFile(dir.resolve("merged/model.safetensors")));
        assertTrue(Files.isRegularFile(dir.resolve("run/adapter").resolve(LoraAdapter.WEIGHTS_FILE)));
        assertTrue(Files.isRegularFile(dir.resolve("data/test.jsonl")));
    }

    @Test
    void aMissingDataFileIsOneClearLine(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        java.nio.file.Path missing = tmp.resolve("absent.jsonl");
        CoreCommandsTest.Run r = hymt("train", "--set", "model=" + tmp.resolve("model"), "--set", "data.train=" + missing,
                "--set", "output_dir=" + tmp.resolve("out"));
        assertEquals(1, r.exitCode());
        assertEquals("hymt train: " + missing + ": data file not found", r.err().trim());
    }
}
