package dev.hymt4j.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hymt4j.io.AtomicFile;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where a run is in its data: the next batch to train on is number {@code batchIndex} of epoch {@code epoch}
 * (both 0-based). Saved in checkpoints ({@code data_position.json}); {@link LengthBucketedBatcher#cursor} continues
 * from it with exactly the batches an uninterrupted run would have seen.
 */
public record BatchPosition(int epoch, int batchIndex) {
    public static final BatchPosition START = new BatchPosition(0, 0);
    public static final String FILE_NAME = "data_position.json";

    public BatchPosition {
        if (epoch < 0 || batchIndex < 0) {
            throw new IllegalArgumentException("batch position must be non-negative: epoch " + epoch + ", batch " + batchIndex);
        }
    }

    /** Writes {@code {"epoch": e, "batch_index": b}}; has the shape of a {@link CheckpointFile}. */
    public void save(Path file) throws IOException {
        AtomicFile.writeString(file, "{\"epoch\":" + epoch + ",\"batch_index\":" + batchIndex + "}\n");
    }

    public static BatchPosition read(Path file) throws IOException {
        JsonNode n = new ObjectMapper().readTree(file.toFile());
        if (n == null || !n.path("epoch").canConvertToInt() || !n.path("batch_index").canConvertToInt()) {
            throw new IOException(file + ": expected {\"epoch\": int, \"batch_index\": int}");
        }
        return new BatchPosition(n.get("epoch").asInt(), n.get("batch_index").asInt());
    }
}
