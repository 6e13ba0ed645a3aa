package dev.hymt4j.data;

import java.nio.file.Path;
import java.util.Locale;

/** The parallel-data file formats hymt reads and writes. */
public enum DataFormat {
    /** One JSON object per line: {@code {"source","target",...}}. */
    JSONL,
    /** {@code source \t target [\t src_lang \t tgt_lang]}. */
    TSV,
    /** LLaMA-Factory's sharegpt layout: a JSON array of {@code {"messages":[...]}} or {@code {"conversations":[...]}}. */
    SHAREGPT;

    /**
     * Parses one non-blank line of a line-oriented format (JSONL, TSV) read at {@code file:line}, as the file readers
     * do: the Spark job reads lines through Hadoop and parses them with this. Malformed lines throw
     * {@link DataFormatException}; sharegpt is a whole-file format and has no lines to parse.
     */
    public ParallelExample parseLine(String text, String file, long line) {
        return switch (this) {
            case JSONL -> JsonlReader.parse(text, file, line);
            case TSV -> TsvReader.parse(text, file, line);
            case SHAREGPT -> throw new UnsupportedOperationException("sharegpt is read whole, not line by line");
        };
    }

    /** Guesses the format from the file name: {@code .jsonl}, {@code .tsv}/{@code .txt}, {@code .json}. */
    public static DataFormat fromFileName(Path file) {
        if (java.nio.file.Files.isDirectory(file)) {
            throw new IllegalArgumentException(file + ": is a directory; expected a data file (.jsonl, .tsv or .json)");
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".gz")) name = name.substring(0, name.length() - 3);
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) return JSONL;
        if (name.endsWith(".tsv") || name.endsWith(".txt")) return TSV;
        if (name.endsWith(".json")) return SHAREGPT;
        throw new IllegalArgumentException(file + ": cannot tell the format from the name; expected .jsonl, .tsv or .json");
    }
}
