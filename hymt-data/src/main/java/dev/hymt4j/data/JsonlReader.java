package dev.hymt4j.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Streams JSONL: one object per line with {@code source}, {@code target} and optional {@code src_lang},
 * {@code tgt_lang}, {@code terms}, {@code context}, {@code format}. Unknown fields are ignored so that annotated
 * files (e.g. with {@code reference_verdict}) read as they are. Blank lines are skipped.
 */
final class JsonlReader extends LineReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    JsonlReader(Path path) throws IOException {
        super(path);
    }

    @Override
    ParallelExample parse(String line) {
        return parse(line, file, lineNumber);
    }

    /** One JSONL line read at {@code file:lineNumber} (used in errors); see {@link DataFormat#parseLine}. */
    static ParallelExample parse(String line, String file, long lineNumber) {
        return new At(file, lineNumber).parse(line);
    }

    /** Where the line being parsed was read, for the errors. */
    private record At(String file, long lineNumber) {
        ParallelExample parse(String line) {
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new DataFormatException(file, lineNumber, null, "not valid JSON: " + e.getOriginalMessage());
            }
            if (!node.isObject()) throw new DataFormatException(file, lineNumber, null, "expected a JSON object, got " + kind(node));
            return new ParallelExample(
                    requiredString(node, "source"), requiredString(node, "target"),
                    language(optionalString(node, "src_lang"), file, lineNumber, "src_lang", ""),
                    language(optionalString(node, "tgt_lang"), file, lineNumber, "tgt_lang", ""),
                    terms(node.get("terms")), optionalString(node, "context"), optionalString(node, "format"));
        }

        private String requiredString(JsonNode node, String field) {
            return requiredString(node, field, field);
        }

        /** {@code name} is how the field is reported, e.g. {@code terms[2].target} for a nested key. */
        private String requiredString(JsonNode node, String key, String name) {
            JsonNode value = node.get(key);
            if (value == null || value.isNull()) throw new DataFormatException(file, lineNumber, name, "missing");
            return asString(value, name);
        }

        private String optionalString(JsonNode node, String field) {
            JsonNode value = node.get(field);
            return value == null || value.isNull() ? null : asString(value, field);
        }

        private String asString(JsonNode value, String field) {
            if (!value.isTextual()) throw new DataFormatException(file, lineNumber, field, "expected a string, got " + kind(value));
            return value.textValue();
        }

        /** Terms come either as {@code [{"source":..,"target":..}]} or as {@code [[src, tgt]]}. */
        private List<ParallelExample.Term> terms(JsonNode node) {
            if (node == null || node.isNull()) return List.of();
            if (!node.isArray()) throw new DataFormatException(file, lineNumber, "terms", "expected an array, got " + kind(node));
            List<ParallelExample.Term> terms = new ArrayList<>(node.size());
            for (int i = 0; i < node.size(); i++) {
                JsonNode term = node.get(i);
                String field = "terms[" + i + "]";
                if (term.isObject()) {
                    terms.add(new ParallelExample.Term(
                            requiredString(term, "source", field + ".source"), requiredString(term, "target", field + ".target")));
                } else if (term.isArray() && term.size() == 2) {
                    terms.add(new ParallelExample.Term(asString(term.get(0), field + "[0]"), asString(term.get(1), field + "[1]")));
                } else {
                    throw new DataFormatException(file, lineNumber, field,
                            "expected {\"source\",\"target\"} or [source, target], got " + kind(term));
                }
            }
            return terms;
        }
    }

    static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case STRING -> "string";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            case ARRAY -> "array";
            case OBJECT -> "object";
            case NULL -> "null";
            default -> node.getNodeType().toString().toLowerCase();
        };
    }
}
