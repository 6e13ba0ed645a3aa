package dev.hymt4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;

/** A complete checkpoint directory, {@code output_dir/checkpoint-{step}}, as {@link CheckpointManager} wrote it. */
public record Checkpoint(long step, Path dir) {

    /** A file of the checkpoint, by the name it was saved under. */
    public Path file(String name) {
        return dir.resolve(name);
    }

    public TrainerState trainerState() throws IOException {
        return TrainerState.read(file(TrainerState.FILE_NAME));
    }

    /**
     * Checks every file against the {@value CheckpointManager#COMPLETE} manifest (size and SHA-256), so a resume
     * never starts from a checkpoint damaged after it was written.
     */
    public void verify() throws IOException {
        Path manifest = file(CheckpointManager.COMPLETE);
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(manifest.toFile());
        } catch (IOException e) {
            throw new IOException(manifest + ": unreadable checkpoint manifest: " + e.getMessage(), e);
        }
        if (root == null || root.path("step").asLong(-1) != step || !root.path("files").isObject()) {
            throw new IOException(manifest + ": manifest does not describe checkpoint step " + step);
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = root.get("files").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Path f = file(e.getKey());
            long size;
            try {
                size = Files.size(f);
            } catch (NoSuchFileException missing) {
                throw new IOException(f + ": listed in the checkpoint manifest but missing");
            }
            long expectedSize = e.getValue().path("bytes").asLong(-1);
            if (size != expectedSize) throw new IOException(f + ": " + size + " bytes, manifest says " + expectedSize);
            String sha = sha256(f);
            if (!sha.equals(e.getValue().path("sha256").asText())) {
                throw new IOException(f + ": SHA-256 " + sha + " differs from the manifest's "
                        + e.getValue().path("sha256").asText());
            }
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) digest.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
