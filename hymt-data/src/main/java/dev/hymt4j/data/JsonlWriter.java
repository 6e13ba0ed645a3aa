package dev.hymt4j.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.Closeable;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;

/**
 * Writes examples as JSONL in the layout {@link JsonlReader} reads; optional fields are written only when set.
 * {@link #line} and {@link #rejectLine} give one line's text without a file, so a distributed run writes the same bytes.
 */
public final class JsonlWriter implements Closeable {
    private static final JsonFactory JSON = new JsonFactory();

    private final Writer out;

    public JsonlWriter(Path file) throws IOException {
        this.out = DataFiles.openWriter(file);
    }

    public void write(ParallelExample ex) throws IOException {
        writeLine(line(ex));
    }

    /** A rejected example: where it came from and why, then the pair itself. */
    public void writeReject(LocatedExample at, String reason, String detail) throws IOException {
        writeLine(rejectLine(at, reason, detail));
    }

    private void writeLine(String json) throws IOException {
        out.write(json);
        out.write('\n');
    }

    /** The JSON object (no newline) that {@link #write} writes for {@code ex}. */
    public static String line(ParallelExample ex) {
        return format(null, ex);
    }

    /** The JSON object (no newline) that {@link #writeReject} writes. */
    public static String rejectLine(LocatedExample at, String reason, String detail) {
        return format(g -> {
            g.writeStringField("file", at.file());
            g.writeNumberField("line", at.line());
            g.writeStringField("reason", reason);
            g.writeStringField("detail", detail);
        }, at.example());
    }

    private interface Prefix {
        void write(JsonGenerator g) throws IOException;
    }

    private static String format(Prefix prefix, ParallelExample ex) {
        StringWriter line = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(line)) {
            g.writeStartObject();
            if (prefix != null) prefix.write(g);
            g.writeStringField("source", ex.source());
            g.writeStringField("target", ex.target());
            if (ex.srcLang() != null) g.writeStringField("src_lang", ex.srcLang());
            if (ex.tgtLang() != null) g.writeStringField("tgt_lang", ex.tgtLang());
            if (!ex.terms().isEmpty()) {
                g.writeArrayFieldStart("terms");
                for (ParallelExample.Term t : ex.terms()) {
                    g.writeStartObject();
                    g.writeStringField("source", t.source());
                    g.writeStringField("target", t.target());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            if (ex.context() != null) g.writeStringField("context", ex.context());
            if (ex.format() != null) g.writeStringField("format", ex.format());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return line.toString();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
