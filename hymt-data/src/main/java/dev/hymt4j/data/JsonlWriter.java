package dev.hymt4j.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.Closeable;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Path;

/** Writes examples as JSONL in the layout {@link JsonlReader} reads; optional fields are written only when set. */
public final class JsonlWriter implements Closeable {
    private static final JsonFactory JSON = new JsonFactory();

    private final Writer out;
    private final StringWriter line = new StringWriter();

    public JsonlWriter(Path file) throws IOException {
        this.out = DataFiles.openWriter(file);
    }

    public void write(ParallelExample ex) throws IOException {
        writeLine(null, ex);
    }

    /** A rejected example: where it came from and why, then the pair itself. */
    public void writeReject(LocatedExample at, String reason, String detail) throws IOException {
        writeLine(g -> {
            g.writeStringField("file", at.file());
            g.writeNumberField("line", at.line());
            g.writeStringField("reason", reason);
            g.writeStringField("detail", detail);
        }, at.example());
    }

    private interface Prefix {
        void write(JsonGenerator g) throws IOException;
    }

    private void writeLine(Prefix prefix, ParallelExample ex) throws IOException {
        line.getBuffer().setLength(0);
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
        }
        out.write(line.toString());
        out.write('\n');
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
