package dev.hymt4j.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Typed access to the fields of a JSON request object; a field of the wrong type is a 400 naming the field,
 * what it holds and what was expected. JSON {@code null} counts as absent, as in OpenAI's API.
 *
 * <p>{@code lenient} requests (HTML forms and query strings, whose values are all strings) also accept numbers
 * and booleans written as strings.
 */
final class Fields {
    private final JsonNode node;
    private final boolean lenient;

    Fields(JsonNode node, boolean lenient) {
        this.node = node;
        this.lenient = lenient;
    }

    JsonNode node() {
        return node;
    }

    boolean has(String name) {
        JsonNode v = node.get(name);
        return v != null && !v.isNull();
    }

    JsonNode get(String name) {
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? null : v;
    }

    String string(String name) {
        JsonNode v = get(name);
        if (v == null) return null;
        if (!v.isTextual()) throw wrongType(name, v, "a string");
        return v.textValue();
    }

    String requiredString(String name) {
        String s = string(name);
        if (s == null) throw ApiException.invalid(name, "missing field '" + name + "'");
        return s;
    }

    /** A string or an array of strings, as a list; null when absent. */
    List<String> strings(String name) {
        JsonNode v = get(name);
        if (v == null) return null;
        if (v.isTextual()) return List.of(v.textValue());
        if (!v.isArray()) throw wrongType(name, v, "a string or an array of strings");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) throw wrongType(name + "[" + i + "]", v.get(i), "a string");
            out.add(v.get(i).textValue());
        }
        return out;
    }

    Long integer(String name) {
        JsonNode v = get(name);
        if (v == null) return null;
        if (v.isIntegralNumber() && v.canConvertToLong()) return v.longValue();
        if (v.isFloatingPointNumber() && v.doubleValue() == Math.rint(v.doubleValue()) && Math.abs(v.doubleValue()) < 9e15) {
            return (long) v.doubleValue();
        }
        if (lenient && v.isTextual()) {
            try {
                return Long.parseLong(v.textValue().trim());
            } catch (NumberFormatException e) {
                // falls through to the type error
            }
        }
        throw wrongType(name, v, "an integer");
    }

    Double number(String name) {
        JsonNode v = get(name);
        if (v == null) return null;
        if (v.isNumber()) return v.doubleValue();
        if (lenient && v.isTextual()) {
            try {
                return Double.parseDouble(v.textValue().trim());
            } catch (NumberFormatException e) {
                // falls through to the type error
            }
        }
        throw wrongType(name, v, "a number");
    }

    Boolean bool(String name) {
        JsonNode v = get(name);
        if (v == null) return null;
        if (v.isBoolean()) return v.booleanValue();
        if (lenient && v.isTextual()) {
            String t = v.textValue().trim().toLowerCase(Locale.ROOT);
            if (t.equals("true") || t.equals("1") || t.equals("on")) return true;
            if (t.equals("false") || t.equals("0") || t.equals("off") || t.isEmpty()) return false;
        }
        throw wrongType(name, v, "true or false");
    }

    static ApiException wrongType(String name, JsonNode value, String expected) {
        String shown = value.toString();
        if (shown.length() > 60) shown = shown.substring(0, 57) + "...";
        return ApiException.invalid(name, "field '" + name + "': expected " + expected + ", got " + describe(value.getNodeType()) + " " + shown);
    }

    private static String describe(JsonNodeType type) {
        return switch (type) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            default -> type.name().toLowerCase(Locale.ROOT);
        };
    }
}
