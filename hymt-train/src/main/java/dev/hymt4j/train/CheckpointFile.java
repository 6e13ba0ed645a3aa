package dev.hymt4j.train;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes one file of a checkpoint (the adapter, the optimizer state, the data position...) at {@code target},
 * inside a directory that becomes the checkpoint only once every file is written. {@code TrainingConfig::save}
 * and {@code SafetensorsWriter::write} have this shape.
 */
@FunctionalInterface
public interface CheckpointFile {
    void writeTo(Path target) throws IOException;
}
