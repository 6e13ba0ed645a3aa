package dev.hymt4j.train;

import dev.hymt4j.train.testing.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A run killed with SIGKILL at several points — between checkpoints, right after one, and in the middle of writing
 * one — and resumed each time ends bit-identical to a run never interrupted: weights, metrics.jsonl, the kept
 * checkpoints, and the curves TensorBoard shows.
 */
class KillAndResumeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private static ChildJvm.Result toy(Path out, List<String> flags, String killAt) throws Exception {
        List<String> args = new ArrayList<>(List.of(out.toString()));
        args.addAll(flags);
        if (killAt == null) return ChildJvm.run(ToyTrainer.class, args, TIMEOUT);
        args.addAll(List.of("--pause-at", killAt));
        return ChildJvm.run(ToyTrainer.class, args, killAt::equals, TIMEOUT);
    }

    private static void assertKilled(ChildJvm.Result r) {
        assertTrue(r.killed(), r.outputText());
        assertNotEquals(0, r.exitCode(), r.outputText());
    }

    @Test
    void killedThreeTimesAndResumedEqualsUninterrupted(@TempDir Path tmp) throws Exception {
        Path straight = tmp.resolve("straight");
        ChildJvm.Result reference = toy(straight, List.of(), null);
        assertEquals(0, reference.exitCode(), reference.outputText());
        assertTrue(reference.output().contains("done"));

        Path out = tmp.resolve("interrupted");
        assertKilled(toy(out, List.of(), "step 7"));

        ChildJvm.Result second = toy(out, List.of("--resume"), "step 15");   // killed just after checkpoint 15
        assertKilled(second);
        assertTrue(second.output().contains("resumed from step 5"), second.outputText());

        ChildJvm.Result third = toy(out, List.of("--resume"), "writing checkpoint 20");
        assertKilled(third);
        assertTrue(third.output().contains("resumed from step 15"), third.outputText());
        assertFalse(Files.exists(out.resolve("checkpoint-20")), "a half-written checkpoint is never published");
        assertTrue(hiddenEntries(out).stream().anyMatch(n -> n.startsWith(".checkpoint-20.tmp-")), hiddenEntries(out).toString());

        ChildJvm.Result last = toy(out, List.of("--resume"), null);
        assertEquals(0, last.exitCode(), last.outputText());
        assertTrue(last.output().contains("resumed from step 15"), last.outputText());
        assertTrue(hiddenEntries(out).stream().noneMatch(n -> n.startsWith(".checkpoint-")), "leftovers cleared");

        assertArrayEquals(Files.readAllBytes(straight.resolve(ToyTrainer.FINAL_WEIGHTS)),
                Files.readAllBytes(out.resolve(ToyTrainer.FINAL_WEIGHTS)), "final weights differ");
        assertEquals(Files.readString(straight.resolve(MetricsLog.FILE_NAME)), Files.readString(out.resolve(MetricsLog.FILE_NAME)));
        assertEquals(checkpointNames(straight), checkpointNames(out));
        for (String name : checkpointNames(straight)) {
            for (String file : List.of("weights.safetensors", BatchPosition.FILE_NAME, TrainerState.FILE_NAME)) {
                assertArrayEquals(Files.readAllBytes(straight.resolve(name).resolve(file)),
                        Files.readAllBytes(out.resolve(name).resolve(file)), name + "/" + file);
            }
        }
        assertEquals(EventFileReader.scalarsAsTensorBoardShows(straight.resolve("runs")),
                EventFileReader.scalarsAsTensorBoardShows(out.resolve("runs")));
    }

    @Test
    void retentionKeptTheBestAndTheLatest(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        assertEquals(0, toy(out, List.of(), null).exitCode());
        TrainerState state = new CheckpointManager(out, ToyTrainer.config(out).saveTotalLimit()).latestComplete()
                .orElseThrow().trainerState();
        assertEquals(20, state.globalStep());
        List<String> expected = new ArrayList<>(List.of("checkpoint-20"));
        if (!state.bestModelCheckpoint().equals("checkpoint-20")) expected.addFirst(state.bestModelCheckpoint());
        assertEquals(expected, checkpointNames(out));
        assertEquals(12, MetricsLog.read(out.resolve(MetricsLog.FILE_NAME)).stream()
                .filter(r -> r.containsKey("loss")).count(), "a loss line every 2 of 24 steps");
    }

    private static List<String> checkpointNames(Path out) throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(CheckpointManager.PREFIX))
                    .sorted(java.util.Comparator.comparingInt(n -> Integer.parseInt(n.substring(CheckpointManager.PREFIX.length()))))
                    .toList();
        }
    }

    private static List<String> hiddenEntries(Path out) throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
        }
    }
}
