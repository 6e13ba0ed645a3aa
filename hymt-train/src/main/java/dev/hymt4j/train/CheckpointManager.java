package dev.hymt4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Saves checkpoints as {@code output_dir/checkpoint-{step}/} so that a run killed at any instant (kill -9, power
 * loss) leaves only complete checkpoints under that name:
 * <ol>
 *   <li>every file is written into a hidden temporary directory {@code .checkpoint-{step}.tmp-*} and forced to disk;
 *   <li>the {@value #COMPLETE} manifest (step, size and SHA-256 of each file) is written last;
 *   <li>the directory is renamed to {@code checkpoint-{step}} in one atomic step.
 * </ol>
 * Old checkpoints are removed by renaming them to a hidden name first, so a kill during removal leaves no
 * half-deleted checkpoint either. {@link #latestComplete()} clears what a kill left behind.
 *
 * <p>Retention follows transformers' {@code save_total_limit}: at most that many checkpoints are kept, the most
 * recent ones, except that the best by the tracked metric ({@link TrainerState#bestModelCheckpoint()}) is never
 * deleted; with a limit of 1 and a best that is not the latest, both are kept.
 */
public final class CheckpointManager {
    public static final String PREFIX = "checkpoint-";
    /** The manifest written last; a checkpoint directory without it is incomplete. */
    public static final String COMPLETE = "COMPLETE";

    private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)");
    private static final String HIDDEN = "." + PREFIX;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path outputDir;
    private final OptionalInt saveTotalLimit;

    public CheckpointManager(Path outputDir, OptionalInt saveTotalLimit) {
        this.outputDir = outputDir;
        this.saveTotalLimit = saveTotalLimit;
    }

    public static String directoryName(long step) {
        return PREFIX + step;
    }

    /**
     * Writes the checkpoint of {@code state.globalStep()}: each entry of {@code files} by its name (in map order),
     * then {@value TrainerState#FILE_NAME} from {@code state}, then the manifest; publishes it atomically and applies
     * retention. A checkpoint already there for the same step (a run resumed from an earlier one) is replaced.
     */
    public Checkpoint save(TrainerState state, Map<String, CheckpointFile> files) throws IOException {
        long step = state.globalStep();
        Files.createDirectories(outputDir);
        Path tmp = outputDir.resolve(HIDDEN + step + ".tmp-" + UUID.randomUUID());
        Files.createDirectory(tmp);
        try {
            for (Map.Entry<String, CheckpointFile> e : files.entrySet()) {
                Path target = tmp.resolve(checkedName(e.getKey()));
                e.getValue().writeTo(target);
                if (!Files.isRegularFile(target)) {
                    throw new IOException("checkpoint file '" + e.getKey() + "' was not written by its writer");
                }
            }
            Files.writeString(tmp.resolve(TrainerState.FILE_NAME), state.toJson());
            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("step", step);
            manifest.put("files", describeAndForce(tmp));
            writeForced(tmp.resolve(COMPLETE), JSON.writeValueAsString(manifest) + "\n");
            forceDirectory(tmp);
            publish(tmp, outputDir.resolve(directoryName(step)));
        } catch (IOException e) {
            // e.g. a full disk: name the checkpoint, not its hidden temporary directory.
            throw dev.hymt4j.io.AtomicFile.underTargetName(e, tmp, outputDir.resolve(directoryName(step)));
        } finally {
            if (Files.exists(tmp)) deleteTree(tmp);
        }
        rotate(state.bestModelCheckpoint());
        return new Checkpoint(step, outputDir.resolve(directoryName(step)));
    }

    private static String checkedName(String name) {
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")
                || name.equals(COMPLETE) || name.equals(TrainerState.FILE_NAME)) {
            throw new IllegalArgumentException("checkpoint file name '" + name
                    + "' must be a plain file name other than " + COMPLETE + " and " + TrainerState.FILE_NAME);
        }
        return name;
    }

    /** Size and SHA-256 of every file, by name; each file is forced to disk on the way. */
    private static Map<String, Object> describeAndForce(Path dir) throws IOException {
        Map<String, Object> described = new TreeMap<>();
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path f : entries.toList()) {
                if (!Files.isRegularFile(f)) throw new IOException(f + ": checkpoints hold plain files only");
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                    ch.force(true);
                }
                described.put(f.getFileName().toString(), Map.of("bytes", Files.size(f), "sha256", Checkpoint.sha256(f)));
            }
        }
        return described;
    }

    private static void writeForced(Path file, String text) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
    }

    /** Renames {@code tmp} to {@code target}; an existing target is first moved aside, then deleted. */
    private void publish(Path tmp, Path target) throws IOException {
        Path replaced = null;
        if (Files.exists(target)) {
            replaced = outputDir.resolve(HIDDEN + target.getFileName() + ".replaced-" + UUID.randomUUID());
            Files.move(target, replaced, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        forceDirectory(outputDir);
        if (replaced != null) deleteTree(replaced);
    }

    /** Makes a rename durable: fsync of the directory (supported on Linux and macOS; elsewhere best effort). */
    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some platforms (Windows) cannot open a directory; the rename is still atomic there.
        }
    }

    private void rotate(String bestCheckpointName) throws IOException {
        if (saveTotalLimit.isEmpty()) return;
        List<Checkpoint> sorted = new ArrayList<>(completeCheckpoints());
        int limit = saveTotalLimit.getAsInt();
        int best = -1;
        for (int i = 0; i < sorted.size(); i++) {
            if (sorted.get(i).dir().getFileName().toString().equals(bestCheckpointName)) best = i;
        }
        if (best >= 0) {
            // As transformers' _sorted_checkpoints: move the best to second-to-last, among the ones kept.
            Checkpoint b = sorted.remove(best);
            sorted.add(Math.max(best, sorted.size() - 1), b);
            if (limit == 1 && best != sorted.size() - 1) limit = 2;
        }
        for (int i = 0; i < sorted.size() - limit; i++) remove(sorted.get(i).dir());
    }

    private void remove(Path checkpointDir) throws IOException {
        Path doomed = outputDir.resolve(HIDDEN + checkpointDir.getFileName() + ".deleting-" + UUID.randomUUID());
        Files.move(checkpointDir, doomed, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(doomed);
    }

    /** The complete checkpoints (those with a manifest), by increasing step. Changes nothing on disk. */
    public List<Checkpoint> completeCheckpoints() throws IOException {
        List<Checkpoint> found = new ArrayList<>();
        for (Path dir : checkpointDirectories()) {
            if (Files.isRegularFile(dir.resolve(COMPLETE))) found.add(new Checkpoint(stepOf(dir), dir));
        }
        found.sort(Comparator.comparingLong(Checkpoint::step));
        return found;
    }

    /**
     * For {@code --resume}: deletes what a killed run left behind (temporary and half-deleted directories, and
     * checkpoint directories without a manifest), then returns the newest complete checkpoint after checking its
     * files against the manifest, or empty if there is none.
     *
     * @throws IOException if the newest complete checkpoint's files do not match its manifest
     */
    public Optional<Checkpoint> latestComplete() throws IOException {
        if (!Files.isDirectory(outputDir)) return Optional.empty();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(outputDir, HIDDEN + "*")) {
            for (Path p : entries) deleteTree(p);
        }
        for (Path dir : checkpointDirectories()) {
            if (!Files.isRegularFile(dir.resolve(COMPLETE))) deleteTree(dir);
        }
        List<Checkpoint> complete = completeCheckpoints();
        if (complete.isEmpty()) return Optional.empty();
        Checkpoint latest = complete.getLast();
        latest.verify();
        return Optional.of(latest);
    }

    private List<Path> checkpointDirectories() throws IOException {
        if (!Files.isDirectory(outputDir)) return List.of();
        List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(outputDir, PREFIX + "*")) {
            for (Path p : entries) {
                if (Files.isDirectory(p) && NAME.matcher(p.getFileName().toString()).matches()) dirs.add(p);
            }
        }
        return dirs;
    }

    private static long stepOf(Path dir) {
        Matcher m = NAME.matcher(dir.getFileName().toString());
        if (!m.matches()) throw new IllegalArgumentException(dir + " is not a checkpoint directory");
        return Long.parseLong(m.group(1));
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
