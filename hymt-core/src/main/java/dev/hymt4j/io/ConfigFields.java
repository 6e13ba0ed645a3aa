package dev.hymt4j.io;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Typed, range-checked reads of the fields of a JSON config object ({@code config.json},
 * {@code generation_config.json}, {@code adapter_config.json}, {@code tokenizer_config.json}). A value of the
 * wrong type or out of range is never replaced by a default: it fails with a message that names the file, the
 * field, the value and what was expected, e.g.
 * {@code config.json: field "rope_scaling.alpha": expected a number > 0, got "big"}. An absent or null field
 * takes the caller's default.
 *
 * @param <E> the exception each fault is raised as (e.g. the model loader's {@code ModelException})
 */
public final class ConfigFields<E extends Exception> {
    /** Reads JSON as Python's {@code json} writes it, so {@code NaN} and {@code Infinity} reach the range checks. */
    public static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    /**
     * A JSON file as users write it (UTF-8, a byte-order mark allowed, NaN allowed); every fault (missing, not
     * text, not JSON with the line and column) is raised as {@code fault} with the file's name.
     */
    public static <E extends Exception> JsonNode read(Path file, Function<String, E> fault) throws E {
        String text;
        try {
            text = TextFiles.readString(file);
        } catch (NoSuchFileException e) {
            throw fault.apply(file + ": file not found");
        } catch (IOException e) {
            throw fault.apply(e instanceof TextFileException ? e.getMessage() : file + ": cannot read (" + e.getMessage() + ")");
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw fault.apply(file + ": not valid JSON (" + TextFiles.jsonProblem(e) + ")");
        }
    }

    private final String source;
    private final String prefix;
    private final JsonNode object;
    private final Function<String, E> fault;

    /** @param source how messages name the file, e.g. its path */
    public ConfigFields(String source, JsonNode object, Function<String, E> fault) {
        this(source, "", object, fault);
    }

    private ConfigFields(String source, String prefix, JsonNode object, Function<String, E> fault) {
        this.source = source;
        this.prefix = prefix;
        this.object = object;
        this.fault = fault;
    }

    /** Whether the field is there with a value other than null. */
    public boolean has(String field) {
        return object.hasNonNull(field);
    }

    /** Whether the object has no fields at all. */
    public boolean isEmpty() {
        return object.isEmpty();
    }

    /** A nested object (e.g. {@code rope_scaling}); an absent or null one reads as empty. */
    public ConfigFields<E> object(String field) throws E {
        JsonNode v = object.get(field);
        if (v == null || v.isNull()) v = JSON.createObjectNode();
        else if (!v.isObject()) throw mismatch(field, v, "an object");
        return new ConfigFields<>(source, prefix + field + ".", v, fault);
    }

    public String string(String field, String defaultValue) throws E {
        JsonNode v = object.get(field);
        if (v == null || v.isNull()) return defaultValue;
        if (!v.isTextual()) throw mismatch(field, v, "a string");
        return v.textValue();
    }

    public String requireString(String field) throws E {
        String s = string(field, null);
        if (s == null) throw missing(field, "a string");
        return s;
    }

    /** One of {@code allowed}. */
    public String choice(String field, String defaultValue, List<String> allowed) throws E {
        String s = string(field, defaultValue);
        if (s != null && !allowed.contains(s)) throw mismatch(field, object.get(field), "one of " + quoted(allowed));
        return s;
    }

    public boolean bool(String field, boolean defaultValue) throws E {
        JsonNode v = object.get(field);
        if (v == null || v.isNull()) return defaultValue;
        if (!v.isBoolean()) throw mismatch(field, v, "true or false");
        return v.booleanValue();
    }

    /** An integer in {@code [min, max]}; a float with an exact integral value (4.0) counts as one. */
    public long integer(String field, long defaultValue, long min, long max) throws E {
        JsonNode v = object.get(field);
        if (v == null || v.isNull()) return defaultValue;
        return integerValue(field, v, min, max);
    }

    public long requireInteger(String field, long min, long max) throws E {
        if (!has(field)) throw missing(field, integerRange(min, max));
        return integer(field, 0, min, max);
    }

    /** An integer or a list of integers (Hugging Face writes {@code eos_token_id} either way); absent: empty. */
    public List<Long> integers(String field, long min, long max) throws E {
        JsonNode v = object.get(field);
        List<Long> out = new ArrayList<>();
        if (v == null || v.isNull()) return out;
        if (v.isArray()) {
            for (int i = 0; i < v.size(); i++) {
                JsonNode item = v.get(i);
                if (!isIntegral(item)) throw mismatch(field, v, "an integer or a list of integers");
                out.add(integerValue(field + "[" + i + "]", item, min, max));
            }
            return out;
        }
        if (!isIntegral(v)) throw mismatch(field, v, "an integer or a list of integers");
        out.add(integerValue(field, v, min, max));
        return out;
    }

    /** A finite number in the range; {@code minExclusive} keeps the minimum itself out (e.g. an epsilon > 0). */
    public double number(String field, double defaultValue, double min, double max, boolean minExclusive) throws E {
        return number(field, defaultValue, min, max, minExclusive, false);
    }

    /** As {@link #number(String, double, double, double, boolean)}; {@code maxExclusive} keeps the maximum out too. */
    public double number(String field, double defaultValue, double min, double max, boolean minExclusive,
                         boolean maxExclusive) throws E {
        JsonNode v = object.get(field);
        if (v == null || v.isNull()) return defaultValue;
        String expected = numberRange(min, max, minExclusive, maxExclusive);
        if (!v.isNumber()) throw mismatch(field, v, expected);
        double d = v.doubleValue();
        boolean ok = Double.isFinite(d) && (minExclusive ? d > min : d >= min) && (maxExclusive ? d < max : d <= max);
        if (!ok) throw mismatch(field, v, expected);
        return d;
    }

    /** A list of strings; absent or null: null. */
    public List<String> strings(String field) throws E {
        JsonNode v = object.get(field);
        if (v == null || v.isNull()) return null;
        if (!v.isArray()) throw mismatch(field, v, "a list of strings");
        List<String> out = new ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isTextual()) throw mismatch(field, v, "a list of strings");
            out.add(item.textValue());
        }
        return out;
    }

    /** The fault for a field whose value breaks a rule the caller checks itself (e.g. one field against another). */
    public E invalid(String field, String expected) {
        JsonNode v = object.get(field);
        return fault.apply(source + ": field \"" + prefix + field + "\": expected " + expected + ", got " + show(v));
    }

    private long integerValue(String field, JsonNode v, long min, long max) throws E {
        String expected = integerRange(min, max);
        if (!isIntegral(v) || !v.canConvertToLong()) throw mismatch(field, v, expected);
        long n = v.longValue();
        if (n < min || n > max) throw mismatch(field, v, expected);
        return n;
    }

    private static boolean isIntegral(JsonNode v) {
        return v.isIntegralNumber() || v.isFloatingPointNumber() && Double.isFinite(v.doubleValue())
                && v.doubleValue() == Math.rint(v.doubleValue()) && Math.abs(v.doubleValue()) < 0x1p53;
    }

    private E mismatch(String field, JsonNode v, String expected) {
        return fault.apply(source + ": field \"" + prefix + field + "\": expected " + expected + ", got " + show(v));
    }

    private E missing(String field, String expected) {
        return fault.apply(source + ": missing field \"" + prefix + field + "\" (" + expected + ")");
    }

    /** The value as written in JSON, shortened: {@code "big"}, {@code 1.0E15}, {@code [1,"x"]}. */
    static String show(JsonNode v) {
        if (v == null) return "nothing";
        if (v.isFloatingPointNumber() && !Double.isFinite(v.doubleValue())) return Double.toString(v.doubleValue());
        String s = v.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    static String integerRange(long min, long max) {
        if (max == Long.MAX_VALUE) return "an integer >= " + min;
        return "an integer in [" + min + ", " + max + "]";
    }

    static String numberRange(double min, double max, boolean minExclusive, boolean maxExclusive) {
        String lo = minExclusive ? "> " + trim(min) : ">= " + trim(min);
        if (max >= Double.MAX_VALUE) return min == Double.NEGATIVE_INFINITY ? "a finite number" : "a number " + lo;
        return "a number in " + (minExclusive ? "(" : "[") + trim(min) + ", " + trim(max) + (maxExclusive ? ")" : "]");
    }

    private static String trim(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static String quoted(List<String> values) {
        return values.stream().map(v -> "\"" + v + "\"").reduce((a, b) -> a + ", " + b).orElse("");
    }
}
