package dev.hymt4j.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.Closeable;
import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Path;

/**
 * Writes LLaMA-Factory sharegpt JSON, streaming: one record per example, one record per line inside the array
 * (readable and diff-friendly). The user turn is the prompt rendered by a {@link PromptCodec}.
 */
public final class ShareGptWriter implements Closeable {

    /** The two key conventions LLaMA-Factory accepts. */
    public enum Style {
        /** {@code "messages"} with {@code "role": "user"|"assistant"}, {@code "content"}. */
        MESSAGES("messages", "role", "content", "user", "assistant"),
        /** {@code "conversations"} with {@code "from": "human"|"gpt"}, {@code "value"}. */
        CONVERSATIONS("conversations", "from", "value", "human", "gpt");

        final String listKey, roleKey, textKey, userRole, assistantRole;

        Style(String listKey, String roleKey, String textKey, String userRole, String assistantRole) {
            this.listKey = listKey;
            this.roleKey = roleKey;
            this.textKey = textKey;
            this.userRole = userRole;
            this.assistantRole = assistantRole;
        }
    }

    private static final JsonFactory JSON = new JsonFactory();

    private final Writer out;
    private final PromptCodec prompts;
    private final Style style;
    private final StringWriter record = new StringWriter();
    private boolean first = true;

    public ShareGptWriter(Path file, PromptCodec prompts, Style style) throws IOException {
        this.out = DataFiles.openWriter(file);
        this.prompts = prompts;
        this.style = style;
        out.write("[");
    }

    public void write(ParallelExample example) throws IOException {
        record.getBuffer().setLength(0);
        try (JsonGenerator g = JSON.createGenerator(record)) {
            g.writeStartObject();
            g.writeArrayFieldStart(style.listKey);
            turn(g, style.userRole, prompts.render(example));
            turn(g, style.assistantRole, prompts.renderResponse(example));
            g.writeEndArray();
            g.writeEndObject();
        }
        out.write(first ? "\n" : ",\n");
        out.write(record.toString());
        first = false;
    }

    private void turn(JsonGenerator g, String role, String text) throws IOException {
        g.writeStartObject();
        g.writeStringField(style.roleKey, role);
        g.writeStringField(style.textKey, text);
        g.writeEndObject();
    }

    @Override
    public void close() throws IOException {
        try (out) {
            out.write("\n]\n");
        }
    }
}
