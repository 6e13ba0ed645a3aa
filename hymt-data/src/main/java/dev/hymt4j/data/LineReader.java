package dev.hymt4j.data;

import dev.hymt4j.prompt.Language;
import dev.hymt4j.prompt.UnknownLanguageException;

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

    /**
     * {@code code} when it names one of the HY-MT1.5 languages (or is null); otherwise the record is malformed:
     * a value such as {@code friend} in a language column is a sign of a misread file, never a language.
     */
    static String language(String code, String file, long lineNumber, String field, String hint) {
        if (code == null || Language.findByCode(code).isPresent()) return code;
        throw new DataFormatException(file, lineNumber, field, new UnknownLanguageException(code, Language.validCodes(), false).getMessage()
                .replaceFirst("^Unknown language", "unknown language") + hint);
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
