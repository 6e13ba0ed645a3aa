package dev.hymt4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hymt4j.safetensors.SafetensorsFile;
import dev.hymt4j.safetensors.SafetensorsWriter;
import dev.hymt4j.train.CheckpointManager;
import dev.hymt4j.train.TinyTraining;
import dev.hymt4j.train.TrainerState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.hymt4j.cli.CoreCommandsTest.hymt;
import static dev.hymt4j.cli.PathSafetyPropertyTest.snapshot;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9's "runs silently wrong" and "vague or late errors" examples, through the commands: each now stops with
 * one line that says what and where (no stack trace, no raw JDK text, no temp-file name), and no input byte
 * changes (hash of the whole tree before and after).
 */
class SilentWrongExamplesTest {
    @TempDir
    Path tmp;

    Path model;

    @BeforeEach
    void tinyModel() throws Exception {
        TinyTraining.write(tmp);
        model = tmp.resolve("model");
    }

    /** Runs {@code args}; asserts the exit code, one line of error holding every fragment, and an unchanged tree. */
    private String fails(int exit, List<String> fragments, String... args) throws Exception {
        Map<String, String> before = snapshot(tmp);
        CoreCommandsTest.Run r = hymt(args);
        assertEquals(exit, r.exitCode(), r.out() + r.err());
        String err = r.err().strip();
        for (String f : fragments) assertTrue(err.contains(f), "missing '" + f + "' in: " + err);
        assertFalse(err.contains("\tat ") || err.contains("Exception") || err.contains("internal error"), err);
        assertFalse(err.contains(".tmp"), "a temporary file named: " + err);
        assertEquals(before, snapshot(tmp), "a byte changed");
        return err;
    }

    private String translate() throws Exception {
        return fails(1, List.of(), "translate", "--model", model.toString(), "--to", "zh", "--greedy", "--max-new-tokens", "4",
                "Open the file.");
    }

    private void setConfig(String field, Object value) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode c = (ObjectNode) json.readTree(model.resolve("config.json").toFile());
        String[] parts = field.split("\\.");
        ObjectNode parent = parts.length == 2 ? (ObjectNode) c.get(parts[0]) : c;
        parent.set(parts[parts.length - 1], json.valueToTree(value));
        Files.writeString(model.resolve("config.json"), c.toString());
    }

    @Test
    void configValuesOfTheWrongTypeOrRangeAreErrorsNotDefaults() throws Exception {
        Path config = model.resolve("config.json");
        String original = Files.readString(config);
        Object[][] cases = {
                {"rope_scaling.alpha", "big", "field \"rope_scaling.alpha\": expected a number > 0, got \"big\""},
                {"rope_theta", "abc", "field \"rope_theta\": expected a finite number, got \"abc\""},
                {"rms_norm_eps", -1, "field \"rms_norm_eps\": expected a number in (0, 1), got -1.0"},
                {"max_position_embeddings", 1e15, "field \"max_position_embeddings\": expected an integer in [1, 2147483647], got 1.0E15"},
                {"use_qk_norm", "no", "field \"use_qk_norm\": expected true or false, got \"no\""},
                {"eos_token_id", "x", "field \"eos_token_id\": expected an integer or a list of integers, got \"x\""},
        };
        for (Object[] c : cases) {
            Files.writeString(config, original);
            setConfig((String) c[0], c[1]);
            String err = translate();
            assertEquals("hymt translate: " + config + ": " + c[2], err);
        }
    }

    @Test
    void aConfigWithFewerLayersThanItsWeightsIsRefused() throws Exception {
        setConfig("num_hidden_layers", 1);
        String err = translate();
        assertTrue(err.contains("tensors that config.json does not use (model.layers.1."), err);
        assertTrue(err.contains("the checkpoint has layers up to 1 but config.json says num_hidden_layers 1"), err);
    }

    /** The tiny model with one float of an up projection set to NaN: loads (matrices are mapped, not scanned). */
    private void poisonWeights() throws Exception {
        Path file = model.resolve("model.safetensors");
        Path copy = tmp.resolve("clean.safetensors");
        Files.copy(file, copy);
        SafetensorsWriter w = new SafetensorsWriter();
        try (SafetensorsFile f = SafetensorsFile.open(copy)) {
            for (var t : f.tensors().values()) {
                if (t.name().equals("model.layers.1.mlp.up_proj.weight")) {
                    float[] v = f.readFloats(t.name());
                    v[5] = Float.NaN;
                    w.addFloats(t.name(), t.dtype(), t.shape(), v);
                } else {
                    w.add(t.name(), t.dtype(), t.shape(), f.data(t.name()));
                }
            }
            w.write(file);
        }
        Files.delete(copy);
    }

    @Test
    void nanWeightsStopTranslationInsteadOfPrintingExclamationMarks() throws Exception {
        poisonWeights();
        String err = translate();
        assertTrue(err.startsWith("hymt translate: request ") && err.contains("the model produced NaN logits"), err);
        assertTrue(err.contains("model.layers.1.mlp.up_proj.weight holds NaN at row 0, column 5"), err);
    }

    private String[] train(Path out, String... settings) {
        List<String> args = new ArrayList<>(List.of("train"));
        List<String> all = new ArrayList<>(TinyTraining.overrides(tmp, out));
        all.addAll(List.of(settings));
        for (String kv : all) args.addAll(kv.startsWith("--") ? List.of(kv) : List.of("--set", kv));
        return args.toArray(String[]::new);
    }

    @Test
    void impossibleTrainingSettingsAreRefusedBeforeAnyWork() throws Exception {
        Path out = tmp.resolve("run");
        fails(1, List.of("--set: key 'learning_rate' expects a number in (0, 1], got 1.0E30"), train(out, "learning_rate=1e30"));
        fails(1, List.of("--set: key 'lora.alpha' expects a number in (0, 1000000], got 0.0"), train(out, "lora.alpha=0"));
        fails(1, List.of("--set: key 'lora.r' expects an integer in [1, 65536], got 100000"), train(out, "lora.r=100000"));
        fails(1, List.of("training config (lora.r, lora.target_modules): r = 1000 is larger than k_proj (32 → 16);"
                + " expected r <= 16"), train(out, "lora.r=1000"));
        fails(1, List.of("per_device_train_batch_size 4000", "needs about", "GiB of heap", "HYMT_JAVA_OPTS=-Xmx"),
                train(out, "per_device_train_batch_size=4000"));
        fails(1, List.of("per_device_train_batch_size 65536", "needs arrays longer than Java allows"),
                train(out, "per_device_train_batch_size=65536"));
        assertFalse(Files.exists(out), "nothing was created");
    }

    @Test
    void aNanLossStopsTrainingKeepsTheLastGoodCheckpointAndNeverMarksItBest() throws Exception {
        Path out = tmp.resolve("run");
        CoreCommandsTest.Run first = hymt(train(out, "max_steps=4", "save_steps=4", "eval_steps=4"));
        assertEquals(0, first.exitCode(), first.err());
        Path good = out.resolve(CheckpointManager.directoryName(4));
        Map<String, String> checkpoint = snapshot(good);
        String best = TrainerState.read(good.resolve(TrainerState.FILE_NAME)).bestModelCheckpoint();

        poisonWeights();   // same sizes and config: the resume accepts the model, the next step's loss is NaN
        CoreCommandsTest.Run r = hymt(train(out, "max_steps=8", "save_steps=4", "eval_steps=4", "--resume"));
        assertEquals(1, r.exitCode(), r.out() + r.err());
        String err = r.err().strip();
        assertTrue(err.startsWith("hymt train: training stopped: the loss is NaN at optimizer step 5"), err);
        assertTrue(err.contains("nothing of it was saved, the last good checkpoint is " + good), err);
        assertEquals(checkpoint, snapshot(good), "the last good checkpoint is untouched");
        assertFalse(Files.exists(out.resolve(CheckpointManager.directoryName(8))));
        assertEquals(best, TrainerState.read(good.resolve(TrainerState.FILE_NAME)).bestModelCheckpoint());
    }

    @Test
    void dataProblemsAreNamedWithFileAndLine() throws Exception {
        Path data = tmp.resolve("train.jsonl");
        fails(2, List.of("--split NaN: expected a number in [0, 1]"), "prepare", data.toString(), "--out",
                tmp.resolve("p").toString(), "--split", "NaN,0,0");
        Path tsv = Files.writeString(tmp.resolve("four.tsv"), "Hello\tHallo\tfriend\t你好\n");
        fails(1, List.of("four.tsv:1: field \"src_lang\": unknown language 'friend'",
                "(a 4-column TSV line is source, target, src_lang, tgt_lang)"), "prepare", tsv.toString(), "--out",
                tmp.resolve("p").toString());
        fails(2, List.of("--tgt-lang dee: Unknown language 'dee' (did you mean 'de', German?)"), "prepare", data.toString(),
                "--out", tmp.resolve("p").toString(), "--tgt-lang", "dee");
        Path unknownTarget = Files.writeString(tmp.resolve("test.jsonl"),
                "{\"source\":\"a\",\"target\":\"b\",\"src_lang\":\"en\",\"tgt_lang\":\"xx\"}\n");
        fails(1, List.of("test.jsonl:1: field \"tgt_lang\": unknown language 'xx'"), "eval", "--model", model.toString(),
                "--data", unknownTarget.toString());
        Path empty = Files.writeString(tmp.resolve("empty.txt"), "");
        fails(1, List.of("empty.txt: no segments to score"), "eval", "--hyp", empty.toString(), "--ref", empty.toString());
    }

    @Test
    void vagueErrorsNowNameTheFileAndTheFault() throws Exception {
        fails(2, List.of("--ids -5: expected an integer ≥ 0"), "generate", "--model", model.toString(), "--ids", "-5", "--greedy");
        fails(2, List.of("--ids 99999: not a token id of this model"), "generate", "--model", model.toString(), "--ids", "99999");
        Path binary = Files.write(tmp.resolve("texts.txt"), new byte[]{'a', (byte) 0xC3, '(', '\n'});
        fails(1, List.of(binary + ": not valid UTF-8 (byte 1, line 1)"), "translate", "--model", model.toString(), "--to", "zh",
                "--in", binary.toString());
        Path gz = Files.writeString(tmp.resolve("data.jsonl.gz"), "not gzip");
        fails(1, List.of(gz + ": not a gzip file"), "prepare", gz.toString(), "--out", tmp.resolve("p").toString());
        Path dir = Files.createDirectories(tmp.resolve("outdir"));
        fails(1, List.of("--out " + dir + " is a directory; expected a file name"), "translate", "--model", model.toString(),
                "--to", "zh", "--in", tmp.resolve("train.jsonl").toString(), "--out", dir.toString());
        Path loop = tmp.resolve("org").resolve("name");
        Files.createDirectories(loop.getParent());
        Files.createSymbolicLink(loop, loop.getFileName());
        fails(1, List.of("--model " + loop + ": a symbolic link that loops"), "translate", "--model", loop.toString(),
                "--to", "zh", "hi");
        fails(1, List.of(dir + ": is a directory; expected a data file"), "prepare", dir.toString(), "--out",
                tmp.resolve("p").toString());
        // A byte-order mark is read, not refused with a parser message that never says BOM.
        Path bom = tmp.resolve("bom.jsonl");
        Files.write(bom, ("\uFEFF" + Files.readAllLines(tmp.resolve("train.jsonl")).getFirst() + "\n").getBytes());
        CoreCommandsTest.Run r = hymt("prepare", bom.toString(), "--out", tmp.resolve("p").toString(), "--disable", "language",
                "--split", "1,0,0");
        assertEquals(0, r.exitCode(), r.err());
        String kept = Files.readString(tmp.resolve("p/train.jsonl"));
        assertTrue(kept.startsWith("{\"source\":"), kept);
    }
}
