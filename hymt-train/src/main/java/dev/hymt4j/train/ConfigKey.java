package dev.hymt4j.train;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One known configuration key: its dotted name, the type of its value and its default. Converts values from a
 * parsed YAML/JSON node or from the text of a {@code --set key=value} override, with errors that say where the
 * value came from and what was expected.
 */
record ConfigKey(String name, Kind kind, Object defaultValue, List<String> choices, boolean nullable) {

    enum Kind {
        INT("an integer"), LONG("an integer"), DOUBLE("a number"), BOOL("true or false"), STRING("a string"),
        STRING_LIST("a list of strings"), CHOICE("one of");

        final String expected;

        Kind(String expected) {
            this.expected = expected;
        }
    }

    static ConfigKey of(String name, Kind kind, Object defaultValue) {
        return new ConfigKey(name, kind, defaultValue, List.of(), false);
    }

    /** A key whose value may be absent ({@code null}), meaning "not set"; its default is null. */
    static ConfigKey optional(String name, Kind kind) {
        return new ConfigKey(name, kind, null, List.of(), true);
    }

    static ConfigKey choice(String name, String defaultValue, String... choices) {
        return new ConfigKey(name, Kind.CHOICE, defaultValue, List.of(choices), false);
    }

    String expected() {
        return kind == Kind.CHOICE ? "one of " + choices : kind.expected;
    }

    /** Converts a value read from a YAML or JSON file. */
    Object fromNode(JsonNode node, String source) {
        if (node.isNull()) return nullValue(source);
        return switch (kind) {
            case INT, LONG -> {
                boolean integral = node.isIntegralNumber() || node.isNumber() && node.canConvertToExactIntegral();
                if (integral && (kind == Kind.LONG ? node.canConvertToLong() : node.canConvertToInt())) {
                    yield kind == Kind.INT ? (Object) node.asInt() : (Object) node.asLong();
                }
                if (node.isTextual()) yield fromText(node.asText(), source);
                throw mismatch(source, node.toString());
            }
            // YAML 1.1 reads "2e-4" (no dot) as a string, and practitioners write learning rates that way.
            case DOUBLE -> node.isNumber() ? node.asDouble() : fromTextRequiring(node, source);
            case BOOL -> node.isBoolean() ? node.asBoolean() : fromTextRequiring(node, source);
            case STRING, CHOICE -> node.isValueNode() && !node.isBoolean() ? fromText(node.asText(), source)
                    : throwMismatch(source, node.toString());
            case STRING_LIST -> {
                if (node.isTextual()) yield fromText(node.asText(), source);
                if (!node.isArray()) throw mismatch(source, node.toString());
                List<String> items = new ArrayList<>();
                for (JsonNode item : node) {
                    if (!item.isTextual()) throw mismatch(source, node.toString());
                    items.add(item.asText().trim());
                }
                yield List.copyOf(items);
            }
        };
    }

    /** Converts the text of an override, or a string found in a file where a typed value was expected. */
    Object fromText(String text, String source) {
        String t = text.trim();
        if (t.equals("null") || t.equals("~")) return nullValue(source);
        try {
            return switch (kind) {
                case INT -> Integer.parseInt(t);
                case LONG -> Long.parseLong(t);
                case DOUBLE -> Double.parseDouble(t);
                case BOOL -> switch (t.toLowerCase(Locale.ROOT)) {
                    case "true" -> true;
                    case "false" -> false;
                    default -> throw mismatch(source, quote(text));
                };
                case STRING -> t;
                case CHOICE -> {
                    if (!choices.contains(t)) throw mismatch(source, quote(text));
                    yield t;
                }
                case STRING_LIST -> {
                    // "a,b" or the YAML flow form "[a, b]"
                    String inner = t.startsWith("[") && t.endsWith("]") ? t.substring(1, t.length() - 1) : t;
                    List<String> items = new ArrayList<>();
                    for (String s : inner.split(",")) {
                        String item = s.trim();
                        if (!item.isEmpty()) items.add(item);
                    }
                    yield List.copyOf(items);
                }
            };
        } catch (NumberFormatException e) {
            throw mismatch(source, quote(text));
        }
    }

    private Object fromTextRequiring(JsonNode node, String source) {
        if (!node.isTextual()) throw mismatch(source, node.toString());
        return fromText(node.asText(), source);
    }

    private Object throwMismatch(String source, String got) {
        throw mismatch(source, got);
    }

    private Object nullValue(String source) {
        if (!nullable) throw mismatch(source, "null");
        return null;
    }

    ConfigException mismatch(String source, String got) {
        return new ConfigException(source + ": key '" + name + "' expects " + expected() + ", got " + got);
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }
}
