package dev.hymt4j.cli;

import dev.hymt4j.testing.TestData;
import dev.hymt4j.train.CheckpointManager;
import dev.hymt4j.train.TinyTraining;
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
 * Issue 9's "data loss, exit 0" examples, each now refused with a message that names the options and paths,
 * and with every byte under the test directory unchanged (hash of the whole tree before and after).
 */
class DataLossExamplesTest {
    static final Path RAW = TestData.path("data/libreoffice-help/raw/libreoffice-help.en-zh.raw-sample.jsonl");
    static final Path BASE = TestData.path("golden/tiny-lora-base");
    static final Path ADAPTER = TestData.path("golden/tiny-lora-adapter-init");

    @TempDir
    Path tmp;

    /** Runs {@code args} and asserts exit 1, one line of error that contains every fragment, and an unchanged tree. */
    private String refused(Path tree, List<String> fragments, String... args) throws Exception {
        Map<String, String> before = snapshot(tree);
        CoreCommandsTest.Run r = hymt(args);
        assertEquals(1, r.exitCode(), r.out() + r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        for (String f : fragments) assertTrue(err.contains(f), "missing '" + f + "' in: " + err);
        assertEquals(before, snapshot(tree), "a byte changed under " + tree);
        return err;
    }

    @Test
    void prepareIntoTheDirectoryOfItsInput() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("D"));
        Path train = Files.copy(RAW, d.resolve("train.jsonl"));
        refused(tmp, List.of("hymt prepare: --out " + d + " would replace " + train + ", which is the input IN " + train,
                "nothing was written"), "prepare", "--out", d.toString(), train.toString());

        Files.move(train, d.resolve("rejects.jsonl"));
        Path rejects = d.resolve("rejects.jsonl");
        refused(tmp, List.of("would replace " + rejects + ", which is the input IN " + rejects),
                "prepare", "--out", d.toString(), rejects.toString());
        // Through a relative spelling with ".." the input is still recognised.
        refused(tmp, List.of("which is the input"), "prepare", "--out", d.resolve("../D").toString(),
                tmp.resolve("D/../D/rejects.jsonl").toString());
    }

    @Test
    void translateTokenizeAndEvalOverTheirInput() throws Exception {
        TinyTraining.write(tmp);
        Path f = Files.writeString(tmp.resolve("f.txt"), "Open the file.\n");
        Path model = tmp.resolve("model");
        refused(tmp, List.of("--out " + f + " is the input --in " + f), "translate", "--model", model.toString(),
                "--to", "zh", "--in", f.toString(), "--out", f.toString());
        Path json = Files.writeString(tmp.resolve("texts.json"), "[\"Open the file.\"]");
        refused(tmp, List.of("--out " + json + " is the input --in " + json), "tokenize", "--tokenizer", model.toString(),
                "--in", json.toString(), "--out", json.toString());
        refused(tmp, List.of("--report " + f + " is the input --hyp " + f), "eval", "--hyp", f.toString(),
                "--ref", f.toString(), "--report", f.toString());
        Path data = tmp.resolve("train.jsonl");
        refused(tmp, List.of("--hyp-out " + data + " is the input --data " + data), "eval", "--model", model.toString(),
                "--data", data.toString(), "--hyp-out", data.toString());
        // A symbolic link to the input is the input.
        Path link = Files.createSymbolicLink(tmp.resolve("link.txt"), f);
        refused(tmp, List.of("--out " + link + " (a symbolic link to " + f.toRealPath() + ") is the input --in " + f),
                "translate", "--model", model.toString(), "--to", "zh", "--in", f.toString(), "--out", link.toString());
    }

    @Test
    void mergeAndInitDemoOverAnotherModelNeedForceThenReplaceIt() throws Exception {
        Path other = tmp.resolve("other");
        CoreCommandsTest.Run init = hymt("init-demo", other.toString());
        assertEquals(0, init.exitCode(), init.err());
        refused(tmp, List.of("--out " + other + " already holds 6 entries (README.md, config.json, generation_config.json, ...);"
                + " add --force to replace it"), "merge", "--model", BASE.toString(), "--adapter", ADAPTER.toString(),
                "--out", other.toString());
        refused(tmp, List.of("DIR " + other + " already holds 6 entries", "add --force"), "init-demo", other.toString());
        // The base model is an input: merging into it is refused even with --force.
        Path base = Files.createDirectories(tmp.resolve("base"));
        for (String f : List.of("config.json", "model.safetensors")) Files.copy(BASE.resolve(f), base.resolve(f));
        refused(tmp, List.of("--out " + base + " is the input --model " + base), "merge", "--model", base.toString(),
                "--adapter", ADAPTER.toString(), "--out", base.toString(), "--force");

        CoreCommandsTest.Run forced = hymt("merge", "--model", BASE.toString(), "--adapter", ADAPTER.toString(),
                "--out", other.toString(), "--force");
        assertEquals(0, forced.exitCode(), forced.err());
        assertFalse(Files.exists(other.resolve("tokenizer.json")), "the demo model was replaced as a whole");
        assertTrue(Files.isRegularFile(other.resolve("model.safetensors")));
        try (var left = Files.list(tmp)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith(".")), "no temporary directory left");
        }
    }

    @Test
    void trainNeverOverwritesAnotherRunNorResumesFromOne() throws Exception {
        TinyTraining.write(tmp);
        Path out = tmp.resolve("run");
        CoreCommandsTest.Run first = hymt(train(out, "max_steps=3", "save_steps=1"));
        assertEquals(0, first.exitCode(), first.err());
        assertTrue(Files.isDirectory(out.resolve(CheckpointManager.directoryName(3))));

        // A changed config into the old output_dir, without --resume: refused, the old run untouched.
        refused(tmp, List.of("output_dir " + out + " already holds a training run",
                "add --resume to continue it, or --force to delete it and start over"), train(out, "max_steps=3", "lora.r=2"));
        // With --resume, other settings are refused too: the checkpoint belongs to another run.
        refused(tmp, List.of("cannot resume from " + out.resolve("checkpoint-3"), "lora.r is 2 but was 4",
                "only max_steps"), withResume(train(out, "max_steps=3", "lora.r=2")));
        // Fewer steps than the latest checkpoint reached: never "done: step 3/2".
        refused(tmp, List.of("checkpoint-3 is at step 3, past the last step of these settings (2)", "max_steps >= 3"),
                withResume(train(out, "max_steps=2", "save_steps=1")));

        CoreCommandsTest.Run forced = hymt(withForce(train(out, "max_steps=2", "save_steps=1", "lora.r=2")));
        assertEquals(0, forced.exitCode(), forced.err());
        assertFalse(Files.exists(out.resolve(CheckpointManager.directoryName(3))), "the old run's checkpoint-3 is gone");
        assertTrue(Files.isDirectory(out.resolve(CheckpointManager.directoryName(2))));
    }

    private String[] train(Path out, String... settings) {
        List<String> args = new ArrayList<>(List.of("train"));
        List<String> all = new ArrayList<>(TinyTraining.overrides(tmp, out));
        all.removeIf(kv -> kv.startsWith("data.valid=") || kv.startsWith("eval_steps="));
        all.addAll(List.of(settings));
        for (String kv : all) args.addAll(List.of("--set", kv));
        return args.toArray(String[]::new);
    }

    private static String[] withResume(String[] args) {
        return append(args, "--resume");
    }

    private static String[] withForce(String[] args) {
        return append(args, "--force");
    }

    private static String[] append(String[] args, String flag) {
        String[] out = java.util.Arrays.copyOf(args, args.length + 1);
        out[args.length] = flag;
        return out;
    }
}
