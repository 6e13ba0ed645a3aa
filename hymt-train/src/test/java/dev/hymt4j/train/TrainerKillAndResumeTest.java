package dev.hymt4j.train;

import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.train.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code hymt train} killed with SIGKILL three times — between checkpoints, right after one, and in the middle of
 * writing one (adapter written, optimizer not) — and resumed each time ends with the adapter of an uninterrupted
 * run, bit for bit, and the same metrics. The children run with the JIT's C2 compiler, as production does, so
 * the kernels are compiled at different moments in each run.
 */
class TrainerKillAndResumeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final List<String> JVM = List.of("-Xmx384m", "-XX:+UseSerialGC");

    private static ChildJvm.Result train(Path setup, Path out, boolean resume, String killAt, String... settings) throws Exception {
        List<String> args = new ArrayList<>(List.of(setup.toString(), out.toString()));
        for (String s : settings) args.addAll(List.of("--set", s));
        if (resume) args.add("--resume");
        if (killAt != null) args.addAll(List.of("--pause-at", killAt));
        return ChildJvm.run(TrainerChild.class, JVM, args, line -> line.equals(killAt), TIMEOUT);
    }

    private static void assertKilled(ChildJvm.Result r) {
        assertTrue(r.killed(), r.outputText());
        assertNotEquals(0, r.exitCode(), r.outputText());
    }

    @Test
    void killedThreeTimesAndResumedEqualsUninterrupted(@TempDir Path tmp) throws Exception {
        TinyTraining.write(tmp);
        Path straight = tmp.resolve("straight");
        ChildJvm.Result reference = train(tmp, straight, false, null);
        assertEquals(0, reference.exitCode(), reference.outputText());

        Path out = tmp.resolve("interrupted");
        assertKilled(train(tmp, out, false, "step 6"));
        ChildJvm.Result second = train(tmp, out, true, "step 8");          // killed just after checkpoint 8
        assertKilled(second);
        assertTrue(second.output().contains("resumed from step 4 (" + out.resolve("checkpoint-4") + ")"), second.outputText());
        ChildJvm.Result third = train(tmp, out, true, "checkpoint 12: wrote " + LoraAdapter.WEIGHTS_FILE);
        assertKilled(third);
        assertTrue(third.output().stream().anyMatch(l -> l.startsWith("resumed from step 8 ")), third.outputText());
        assertFalse(Files.exists(out.resolve("checkpoint-12")), "a half-written checkpoint is never published");
        ChildJvm.Result last = train(tmp, out, true, null);
        assertEquals(0, last.exitCode(), last.outputText());
        assertTrue(last.output().stream().anyMatch(l -> l.startsWith("resumed from step 8 ")), last.outputText());

        assertArrayEquals(Files.readAllBytes(straight.resolve("adapter").resolve(LoraAdapter.WEIGHTS_FILE)),
                Files.readAllBytes(out.resolve("adapter").resolve(LoraAdapter.WEIGHTS_FILE)), "final adapters differ");
        assertEquals(deterministicFields(straight), deterministicFields(out));
        assertEquals(checkpointNames(straight), checkpointNames(out));
        for (String name : checkpointNames(straight)) {
            for (String file : List.of(LoraAdapter.WEIGHTS_FILE, Trainer.OPTIMIZER_FILE, BatchPosition.FILE_NAME)) {
                assertArrayEquals(Files.readAllBytes(straight.resolve(name).resolve(file)),
                        Files.readAllBytes(out.resolve(name).resolve(file)), name + "/" + file);
            }
        }
        assertEquals(withoutThroughput(EventFileReader.scalarsAsTensorBoardShows(straight.resolve("runs"))),
                withoutThroughput(EventFileReader.scalarsAsTensorBoardShows(out.resolve("runs"))));
    }

    /**
     * The same on the oneDNN backend (BF16 compute, not batch-invariant, but deterministic for a shape, ISA and
     * thread count): killed once, resumed, the adapter of an uninterrupted run bit for bit. Each child makes the
     * same backend choice (the AMX probe runs in every one). Skipped where oneDNN cannot load.
     */
    @Test
    void onTheOneDnnBackendKilledAndResumedEqualsUninterrupted(@TempDir Path tmp) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(dev.hymt4j.onednn.OneDnn.get().isPresent(),
                "oneDNN cannot load here: skipped");
        TinyTraining.write(tmp);
        Path straight = tmp.resolve("straight");
        ChildJvm.Result reference = train(tmp, straight, false, null, "backend=onednn");
        assertEquals(0, reference.exitCode(), reference.outputText());
        assertTrue(reference.output().stream().anyMatch(l -> l.startsWith("training backend: onednn")), reference.outputText());
        Path out = tmp.resolve("interrupted");
        assertKilled(train(tmp, out, false, "step 6", "backend=onednn"));
        ChildJvm.Result rest = train(tmp, out, true, null, "backend=onednn");
        assertEquals(0, rest.exitCode(), rest.outputText());
        assertTrue(rest.output().contains("resumed from step 4 (" + out.resolve("checkpoint-4") + ")"), rest.outputText());
        assertArrayEquals(Files.readAllBytes(straight.resolve("adapter").resolve(LoraAdapter.WEIGHTS_FILE)),
                Files.readAllBytes(out.resolve("adapter").resolve(LoraAdapter.WEIGHTS_FILE)), "final adapters differ");
        assertEquals(deterministicFields(straight), deterministicFields(out));
    }

    /** metrics.jsonl without tokens_per_second, the one field that measures the machine rather than the run. */
    private static List<Map<String, Object>> deterministicFields(Path out) throws IOException {
        List<Map<String, Object>> records = MetricsLog.read(out.resolve(MetricsLog.FILE_NAME));
        records.forEach(r -> r.remove("tokens_per_second"));
        return records;
    }

    private static List<EventFileReader.Point> withoutThroughput(List<EventFileReader.Point> points) {
        return points.stream().filter(p -> !p.tag().equals("train/tokens_per_second")).toList();
    }

    private static List<String> checkpointNames(Path out) throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(CheckpointManager.PREFIX)).sorted().toList();
        }
    }
}
