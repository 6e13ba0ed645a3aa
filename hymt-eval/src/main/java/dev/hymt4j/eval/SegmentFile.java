package dev.hymt4j.eval;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.hymt4j.io.TextFileException;
import dev.hymt4j.io.TextFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A column of segments read from a file: a plain-text file (one segment per line) or a JSONL file
 * and the name of a string field ({@code test.jsonl:target}, or the field given separately).
 * In JSONL, a {@code null} field value is read as a missing segment (allowed for references).
 *
 * @param name how messages name it, e.g. {@code test.jsonl:target}
 */
public record SegmentFile(Path path, String field, String name) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Parses {@code FILE} or {@code FILE.jsonl:FIELD}. A JSONL file without {@code :FIELD} uses
     * {@code defaultField} (e.g. a {@code --field} option), and needs one.
     */
    public static SegmentFile parse(String spec, String defaultField) {
        int colon = fieldColon(spec);
        Path path = pathOf(spec);
        String field = colon < 0 ? null : spec.substring(colon + 1);
        if (field != null && field.isEmpty()) throw new EvalInputException(spec + ": empty field name after ':'");
        if (field == null && isJsonl(path)) {
            if (defaultField == null) {
                throw new EvalInputException(spec + ": a JSONL file needs a field: write " + spec + ":FIELD or give --field");
            }
            field = defaultField;
        }
        return new SegmentFile(path, field, field == null ? path.toString() : path + ":" + field);
    }

    /** The file a {@code FILE} or {@code FILE.jsonl:FIELD} spec names (a name that exists as given wins). */
    public static Path pathOf(String spec) {
        int colon = fieldColon(spec);
        return Path.of(colon < 0 ? spec : spec.substring(0, colon));
    }

    /** Where {@code FILE.jsonl:FIELD} splits, or -1 when the spec is a file name alone. */
    private static int fieldColon(String spec) {
        int colon = spec.lastIndexOf(':');
        if (colon > 0 && !Files.exists(Path.of(spec))) {
            Path before = Path.of(spec.substring(0, colon));
            if (isJsonl(before) || Files.exists(before)) return colon;
        }
        return -1;
    }

    private static boolean isJsonl(Path p) {
        String s = p.getFileName() == null ? "" : p.getFileName().toString();
        return s.endsWith(".jsonl") || s.endsWith(".ndjson");
    }

    /** The segments, in file order; null where a JSONL field is null. */
    public List<String> read() {
        List<String> lines = lines();
        if (field == null) return lines;
        List<String> segments = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) segments.add(fieldOf(lines.get(i), i + 1));
        return segments;
    }

    private List<String> lines() {
        String text;
        try {
            text = TextFiles.readString(path);   // a BOM is dropped, not taken for part of the first segment
        } catch (NoSuchFileException e) {
            throw new EvalInputException("cannot read " + path + ": no such file");
        } catch (TextFileException e) {
            throw new EvalInputException(e.getMessage());
        } catch (IOException e) {
            throw new EvalInputException("cannot read " + path + ": " + e.getMessage());
        }
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        // A final newline ends the last line; it does not start an empty segment.
        if (!lines.isEmpty() && lines.getLast().isEmpty()) lines.removeLast();
        lines.replaceAll(l -> l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
        return lines;
    }

    private String fieldOf(String line, int lineNo) {
        String where = path + ":" + lineNo;
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new EvalInputException(where + ": invalid JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) throw new EvalInputException(where + ": not a JSON object");
        if (!node.has(field)) throw new EvalInputException(where + ": no field '" + field + "'");
        JsonNode value = node.get(field);
        if (value.isNull()) return null;
        if (!value.isTextual()) {
            throw new EvalInputException(where + ": field '" + field + "' is " + value.getNodeType().toString().toLowerCase()
                    + ", not a string");
        }
        return value.asText();
    }
}
