package dev.hymt4j.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Streams TSV: {@code source \t target} with optional {@code \t src_lang \t tgt_lang}. No quoting: a tab can
 * never be part of a field, which is the convention of Moses/OPUS-style bitext. Blank lines are skipped.
 */
final class TsvReader extends LineReader {
    private static final String COLUMNS = " (a 4-column TSV line is source, target, src_lang, tgt_lang)";

    TsvReader(Path path) throws IOException {
        super(path);
    }

    @Override
    ParallelExample parse(String line) {
        return parse(line, file, lineNumber);
    }

    /** One TSV line read at {@code file:lineNumber} (used in errors); see {@link DataFormat#parseLine}. */
    static ParallelExample parse(String line, String file, long lineNumber) {
        String[] cols = line.split("\t", -1);
        return switch (cols.length) {
            case 2 -> ParallelExample.of(cols[0], cols[1], null, null);
            case 4 -> ParallelExample.of(cols[0], cols[1], language(emptyToNull(cols[2]), file, lineNumber, "src_lang", COLUMNS),
                    language(emptyToNull(cols[3]), file, lineNumber, "tgt_lang", COLUMNS));
            case 1 -> throw new DataFormatException(file, lineNumber, "target", "missing (no tab on the line)");
            default -> throw new DataFormatException(file, lineNumber, null,
                    "expected 2 or 4 tab-separated columns (source, target[, src_lang, tgt_lang]), got " + cols.length);
        };
    }

    private static String emptyToNull(String s) {
        return s.isBlank() ? null : s.strip();
    }
}
