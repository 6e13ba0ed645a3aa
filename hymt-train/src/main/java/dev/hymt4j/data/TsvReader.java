package dev.hymt4j.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.NoSuchElementException;

/**
 * Streams TSV: {@code source \t target} with optional {@code \t src_lang \t tgt_lang}. No quoting: a tab can
 * never be part of a field, which is the convention of Moses/OPUS-style bitext. Blank lines are skipped.
 */
final class TsvReader implements ExampleReader {
    private final BufferedReader in;
    private final String file;
    private long lineNumber;
    private LocatedExample next;

    TsvReader(Path path) throws IOException {
        this.in = DataFiles.openReader(path);
        this.file = DataFiles.displayName(path);
    }

    @Override
    public boolean hasNext() {
        if (next != null) return true;
        try {
            String line;
            while ((line = in.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) continue;
                next = new LocatedExample(parse(line), file, lineNumber);
                return true;
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(file + ":" + lineNumber + ": " + e.getMessage(), e);
        }
    }

    @Override
    public LocatedExample next() {
        if (!hasNext()) throw new NoSuchElementException();
        LocatedExample result = next;
        next = null;
        return result;
    }

    private ParallelExample parse(String line) {
        String[] cols = line.split("\t", -1);
        return switch (cols.length) {
            case 2 -> ParallelExample.of(cols[0], cols[1], null, null);
            case 4 -> ParallelExample.of(cols[0], cols[1], emptyToNull(cols[2]), emptyToNull(cols[3]));
            case 1 -> throw new DataFormatException(file, lineNumber, "target", "missing (no tab on the line)");
            default -> throw new DataFormatException(file, lineNumber, null,
                    "expected 2 or 4 tab-separated columns (source, target[, src_lang, tgt_lang]), got " + cols.length);
        };
    }

    private static String emptyToNull(String s) {
        return s.isBlank() ? null : s.strip();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
