package dev.hymt4j.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.*;

class CheckpointManagerTest {
    private static Map<String, CheckpointFile> files(String adapterText) {
        Map<String, CheckpointFile> f = new LinkedHashMap<>();
        f.put("adapter_model.safetensors", p -> Files.writeString(p, adapterText));
        f.put("position.json", p -> Files.writeString(p, "{\"epoch\":0,\"batch\":3}"));
        return f;
    }

    private static List<Long> steps(CheckpointManager m) throws IOException {
        return m.completeCheckpoints().stream().map(Checkpoint::step).toList();
    }

    @Test
    void savedCheckpointHasFilesStateAndManifest(@TempDir Path out) throws Exception {
        CheckpointManager m = new CheckpointManager(out, OptionalInt.empty());
        TrainerState state = new TrainerState(100);
        state.advance(10, 0.25);
        state.log(Map.of("loss", 2.0, "learning_rate", 1e-4));
        Checkpoint c = m.save(state, files("weights@10"));
        assertEquals(out.resolve("checkpoint-10"), c.dir());
        assertEquals("weights@10", Files.readString(c.file("adapter_model.safetensors")));
        assertTrue(Files.exists(c.file(CheckpointManager.COMPLETE)));
        TrainerState back = c.trainerState();
        assertEquals(10, back.globalStep());
        assertEquals(0.25, back.epoch());
        assertEquals(2.0, back.logHistory().getFirst().get("loss"));
        c.verify();
        try (var entries = Files.list(out)) {
            assertEquals(List.of("checkpoint-10"), entries.map(p -> p.getFileName().toString()).toList(),
                    "no temporary directory is left");
        }
    }

    @Test
    void failedWriterLeavesNoCheckpoint(@TempDir Path out) throws Exception {
        CheckpointManager m = new CheckpointManager(out, OptionalInt.empty());
        TrainerState state = new TrainerState(100);
        state.advance(5, 0.1);
        Map<String, CheckpointFile> f = files("w");
        f.put("optimizer.safetensors", p -> { throw new IOException("disk full"); });
        assertThrows(IOException.class, () -> m.save(state, f));
        try (var entries = Files.list(out)) {
            assertEquals(0, entries.count());
        }
    }

    @Test
    void latestCompleteSkipsAndDeletesIncompleteDirectories(@TempDir Path out) throws Exception {
        CheckpointManager m = new CheckpointManager(out, OptionalInt.empty());
        TrainerState state = new TrainerState(100);
        state.advance(10, 0.1);
        m.save(state, files("a"));
        state.advance(20, 0.2);
        m.save(state, files("b"));
        // what a kill leaves: a temporary directory, a half-deleted one, and a checkpoint without its manifest
        Files.createDirectories(out.resolve(".checkpoint-30.tmp-x"));
        Files.writeString(out.resolve(".checkpoint-30.tmp-x/adapter_model.safetensors"), "partial");
        Files.createDirectories(out.resolve(".checkpoint-5.deleting-y"));
        Files.createDirectories(out.resolve("checkpoint-40"));
        Files.writeString(out.resolve("checkpoint-40/adapter_model.safetensors"), "partial");

        Checkpoint latest = m.latestComplete().orElseThrow();
        assertEquals(20, latest.step());
        try (var entries = Files.list(out)) {
            assertEquals(List.of("checkpoint-10", "checkpoint-20"),
                    entries.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void damagedCompleteCheckpointIsReported(@TempDir Path out) throws Exception {
        CheckpointManager m = new CheckpointManager(out, OptionalInt.empty());
        TrainerState state = new TrainerState(100);
        state.advance(10, 0.1);
        Checkpoint c = m.save(state, files("good"));
        Files.writeString(c.file("adapter_model.safetensors"), "evil");
        IOException e = assertThrows(IOException.class, m::latestComplete);
        assertTrue(e.getMessage().contains("adapter_model.safetensors") && e.getMessage().contains("SHA-256"),
                e.getMessage());
    }

    @Test
    void latestCompleteOfAnEmptyOrMissingDirectory(@TempDir Path out) throws Exception {
        assertTrue(new CheckpointManager(out.resolve("none"), OptionalInt.empty()).latestComplete().isEmpty());
        assertTrue(new CheckpointManager(out, OptionalInt.empty()).latestComplete().isEmpty());
    }

    @Test
    void retentionKeepsTheMostRecentAndNeverTheBest(@TempDir Path out) throws Exception {
        CheckpointManager m = new CheckpointManager(out, OptionalInt.of(2));
        TrainerState state = new TrainerState(100);
        double[] evalLoss = {3.0, 1.0, 2.0, 2.5, 1.5};
        for (int i = 0; i < evalLoss.length; i++) {
            state.advance(10L * (i + 1), i);
            state.offerMetric(evalLoss[i], false);
            m.save(state, files("w" + i));
        }
        assertEquals("checkpoint-20", state.bestModelCheckpoint());
        assertEquals(1.0, state.bestMetric());
        // limit 2 including the best: the best (20) and the latest (50)
        assertEquals(List.of(20L, 50L), steps(m));
    }

    @Test
    void limitOneKeepsTheBestBesideTheLatest(@TempDir Path out) throws Exception {
        CheckpointManager m = new CheckpointManager(out, OptionalInt.of(1));
        TrainerState state = new TrainerState(100);
        state.advance(10, 0);
        state.offerMetric(40.0, true);
        m.save(state, files("a"));
        state.advance(20, 0);
        state.offerMetric(30.0, true);
        m.save(state, files("b"));
        state.advance(30, 0);
        state.offerMetric(35.0, true);
        m.save(state, files("c"));
        assertEquals(List.of(10L, 30L), steps(m));
        state.advance(40, 0);
        state.offerMetric(50.0, true);      // a new best: the old best may go
        m.save(state, files("d"));
        assertEquals(List.of(40L), steps(m));
    }

    @Test
    void withoutLimitAllAreKeptAndAResaveReplaces(@TempDir Path out) throws Exception {
        CheckpointManager m = new CheckpointManager(out, OptionalInt.empty());
        TrainerState state = new TrainerState(100);
        for (int s = 1; s <= 4; s++) {
            state.advance(s, 0);
            m.save(state, files("v1"));
        }
        assertEquals(List.of(1L, 2L, 3L, 4L), steps(m));
        state.advance(2, 0);
        Checkpoint again = m.save(state, files("v2"));
        assertEquals("v2", Files.readString(again.file("adapter_model.safetensors")));
        again.verify();
    }

    @Test
    void reservedAndNestedNamesAreRefused(@TempDir Path out) {
        CheckpointManager m = new CheckpointManager(out, OptionalInt.empty());
        TrainerState state = new TrainerState(1);
        assertThrows(IllegalArgumentException.class, () -> m.save(state, Map.of("COMPLETE", p -> {})));
        assertThrows(IllegalArgumentException.class, () -> m.save(state, Map.of("a/b", p -> {})));
        assertThrows(IllegalArgumentException.class, () -> m.save(state, Map.of(TrainerState.FILE_NAME, p -> {})));
    }
}
