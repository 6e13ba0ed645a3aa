package dev.hymt4j.data;

/**
 * Malformed input. The message reads {@code file:line: field "name": what is wrong}, the way compilers report,
 * so a user can jump straight to the bad record.
 */
public final class DataFormatException extends RuntimeException {
    private final String file;
    private final long line;
    private final String field;

    public DataFormatException(String file, long line, String field, String problem) {
        super(file + ":" + line + ": " + (field == null ? "" : "field \"" + field + "\": ") + problem);
        this.file = file;
        this.line = line;
        this.field = field;
    }

    public String file() { return file; }

    public long line() { return line; }

    /** The offending field, or null when the record as a whole is bad (e.g. not JSON). */
    public String field() { return field; }
}
