package dev.hymt4j.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A streaming reader of parallel examples: holds one record at a time, so any file size reads in bounded memory.
 * Malformed records throw {@link DataFormatException}; I/O failures throw {@link UncheckedIOException}.
 */
public interface ExampleReader extends Iterator<LocatedExample>, Closeable {

    /** Opens {@code file} in the format its name implies; sharegpt prompts are decoded with the HY-MT templates. */
    static ExampleReader open(Path file) throws IOException {
        return open(file, DataFormat.fromFileName(file), TemplatePromptCodec.official());
    }

    /** Opens {@code file} as {@code format}; {@code prompts} recovers source/target from sharegpt user turns. */
    static ExampleReader open(Path file, DataFormat format, PromptCodec prompts) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "data file not found");
        return switch (format) {
            case JSONL -> new JsonlReader(file);
            case TSV -> new TsvReader(file);
            case SHAREGPT -> new ShareGptReader(file, prompts);
        };
    }

    /** The examples of {@code file} as a stream; close the stream to close the file. */
    static Stream<LocatedExample> stream(Path file, DataFormat format, PromptCodec prompts) throws IOException {
        ExampleReader reader = open(file, format, prompts);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(reader, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(() -> {
                    try {
                        reader.close();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }
}
