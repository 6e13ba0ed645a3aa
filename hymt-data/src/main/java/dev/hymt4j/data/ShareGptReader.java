package dev.hymt4j.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Streams LLaMA-Factory sharegpt JSON: a top-level array of records, each either
 * {@code {"messages":[{"role":"user","content":..},{"role":"assistant","content":..}]}} or
 * {@code {"conversations":[{"from":"human","value":..},{"from":"gpt","value":..}]}}. Records are parsed one at a
 * time from the token stream, so the array is never held in memory. System turns are skipped; the first user turn
 * and the assistant turn after it make the example. When the user turn follows a prompt template the
 * {@link PromptCodec} knows, source, target language, terms and context are recovered; otherwise the whole
 * prompt becomes the source.
 */
final class ShareGptReader extends LookaheadReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonParser parser;
    private final String file;
    private final PromptCodec prompts;
    private long recordLine;
    private boolean started;

    ShareGptReader(Path path, PromptCodec prompts) throws IOException {
        this.parser = JSON.createParser(DataFiles.openReader(path));
        this.file = DataFiles.displayName(path);
        this.prompts = prompts;
    }

    @Override
    LocatedExample read() {
        try {
            if (!started) {
                started = true;
                JsonToken first = parser.nextToken();
                if (first == null) return null;
                if (first != JsonToken.START_ARRAY) throw error(null, "expected a JSON array of records, got " + first.asString());
            }
            JsonToken token = parser.nextToken();
            if (token == null || token == JsonToken.END_ARRAY) return null;
            recordLine = parser.currentLocation().getLineNr();
            JsonNode record = parser.readValueAsTree();
            if (record == null || !record.isObject()) throw error(null, "expected a record object, got " + JsonlReader.kind(record));
            return new LocatedExample(toExample(record), file, recordLine);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new DataFormatException(file, e.getLocation() == null ? recordLine : e.getLocation().getLineNr(), null,
                    "not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ":" + recordLine + ": " + e.getMessage(), e);
        }
    }

    private ParallelExample toExample(JsonNode record) {
        String listField = record.has("messages") ? "messages" : record.has("conversations") ? "conversations" : null;
        if (listField == null) throw error("messages", "missing (neither \"messages\" nor \"conversations\")");
        JsonNode turns = record.get(listField);
        if (!turns.isArray()) throw error(listField, "expected an array, got " + JsonlReader.kind(turns));
        boolean openAiStyle = listField.equals("messages");
        String roleKey = openAiStyle ? "role" : "from";
        String textKey = openAiStyle ? "content" : "value";
        String user = null;
        String assistant = null;
        for (int i = 0; i < turns.size() && assistant == null; i++) {
            JsonNode turn = turns.get(i);
            String at = listField + "[" + i + "]";
            if (!turn.isObject()) throw error(at, "expected an object, got " + JsonlReader.kind(turn));
            String role = text(turn, roleKey, at + "." + roleKey);
            switch (role) {
                case "user", "human" -> { if (user == null) user = text(turn, textKey, at + "." + textKey); }
                case "assistant", "gpt" -> { if (user != null) assistant = text(turn, textKey, at + "." + textKey); }
                case "system" -> { }
                default -> throw error(at + "." + roleKey, "unknown role \"" + role + "\"");
            }
        }
        if (user == null) throw error(listField, "no user turn");
        if (assistant == null) throw error(listField, "no assistant turn after the user turn");
        String target = assistant;
        String prompt = user;
        return prompts.parse(prompt, target).orElseGet(() -> ParallelExample.of(prompt, target, null, null));
    }

    private String text(JsonNode node, String key, String name) {
        JsonNode value = node.get(key);
        if (value == null || value.isNull()) throw error(name, "missing");
        if (!value.isTextual()) throw error(name, "expected a string, got " + JsonlReader.kind(value));
        return value.textValue();
    }

    private DataFormatException error(String field, String problem) {
        return new DataFormatException(file, recordLine, field, problem);
    }

    @Override
    public void close() throws IOException {
        parser.close();
    }
}
