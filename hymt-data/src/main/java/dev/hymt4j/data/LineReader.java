package dev.hymt4j.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** A reader of one example per line (JSONL, TSV); blank lines are skipped. */
abstract class LineReader extends LookaheadReader {
    private final BufferedReader in;
    final String file;
    long lineNumber;

    LineReader(Path path) throws IOException {
        this.in = DataFiles.openReader(path);
        this.file = DataFiles.displayName(path);
    }

    /** The example of one non-blank line; malformed lines throw {@link DataFormatException}. */
    abstract ParallelExample parse(String line);

    @Override
    final LocatedExample read() {
        try {
            String line;
            while ((line = in.readLine()) != null) {
                lineNumber++;
                if (!line.isBlank()) return new LocatedExample(parse(line), file, lineNumber);
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(file + ":" + lineNumber + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
