package dev.hymt4j.gguf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The key-value section of a GGUF file, in file order, with typed accessors whose errors name the file, the
 * key, the type found and the type expected. Counts and ids are accepted from any integer type, as
 * llama.cpp's own converters write some as UINT32 and others as INT32 or UINT64.
 */
public final class GgufMetadata {
    private final String where;
    private final Map<String, GgufValue> values;

    /** @param where the file the values come from (or will go to), for error messages */
    public GgufMetadata(String where, Map<String, GgufValue> values) {
        this.where = where;
        this.values = new LinkedHashMap<>(values);
    }

    public GgufMetadata(String where) {
        this(where, Map.of());
    }

    public String where() {
        return where;
    }

    public Map<String, GgufValue> asMap() {
        return Collections.unmodifiableMap(values);
    }

    public boolean has(String key) {
        return values.containsKey(key);
    }

    public Optional<GgufValue> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public GgufMetadata put(String key, GgufValue value) {
        values.put(key, value);
        return this;
    }

    public GgufMetadata remove(String key) {
        values.remove(key);
        return this;
    }

    private GgufValue require(String key) throws GgufException {
        GgufValue v = values.get(key);
        if (v == null) throw new GgufException(where + ": missing metadata key '" + key + "'");
        return v;
    }

    private GgufException wrongType(String key, GgufValue v, String expected) {
        return new GgufException(where + ": metadata key '" + key + "' is " + v.type() + " " + v.describe()
                + ", expected " + expected);
    }

    public String string(String key) throws GgufException {
        GgufValue v = require(key);
        if (v.type() != GgufValueType.STRING) throw wrongType(key, v, "a STRING");
        return (String) v.value();
    }

    public Optional<String> optionalString(String key) throws GgufException {
        return has(key) ? Optional.of(string(key)) : Optional.empty();
    }

    /** An integer of any width that fits in a Java int ({@code min ≤ v}); other types are an error. */
    public int integer(String key, int min) throws GgufException {
        GgufValue v = require(key);
        if (!v.type().isInteger()) throw wrongType(key, v, "an integer");
        long x = (Long) v.value();
        boolean unsignedHuge = v.type() == GgufValueType.UINT64 && x < 0;
        if (unsignedHuge || x < min || x > Integer.MAX_VALUE) {
            throw new GgufException(where + ": metadata key '" + key + "' is " + v.describe() + ", expected an integer in ["
                    + min + ", " + Integer.MAX_VALUE + "]");
        }
        return (int) x;
    }

    public Optional<Integer> optionalInteger(String key, int min) throws GgufException {
        return has(key) ? Optional.of(integer(key, min)) : Optional.empty();
    }

    /** A FLOAT32 or FLOAT64 value. */
    public double real(String key) throws GgufException {
        GgufValue v = require(key);
        return switch (v.type()) {
            case FLOAT32 -> (Float) v.value();
            case FLOAT64 -> (Double) v.value();
            default -> throw wrongType(key, v, "FLOAT32");
        };
    }

    public Optional<Double> optionalReal(String key) throws GgufException {
        return has(key) ? Optional.of(real(key)) : Optional.empty();
    }

    public boolean bool(String key) throws GgufException {
        GgufValue v = require(key);
        if (v.type() != GgufValueType.BOOL) throw wrongType(key, v, "BOOL");
        return (Boolean) v.value();
    }

    public Optional<Boolean> optionalBool(String key) throws GgufException {
        return has(key) ? Optional.of(bool(key)) : Optional.empty();
    }

    private GgufValue.Array array(String key, String expected) throws GgufException {
        GgufValue v = require(key);
        if (v.type() != GgufValueType.ARRAY) throw wrongType(key, v, expected);
        return (GgufValue.Array) v.value();
    }

    public String[] strings(String key) throws GgufException {
        GgufValue.Array a = array(key, "an ARRAY of STRING");
        if (a.elementType() != GgufValueType.STRING) throw wrongType(key, values.get(key), "an ARRAY of STRING");
        return (String[]) a.values();
    }

    /** An integer array of any element width whose values fit in an int. */
    public int[] integers(String key) throws GgufException {
        GgufValue.Array a = array(key, "an integer ARRAY");
        if (!a.elementType().isInteger()) throw wrongType(key, values.get(key), "an integer ARRAY");
        long[] wide = (long[]) a.values();
        int[] out = new int[wide.length];
        for (int i = 0; i < wide.length; i++) {
            if (wide[i] < Integer.MIN_VALUE || wide[i] > Integer.MAX_VALUE) {
                throw new GgufException(where + ": metadata key '" + key + "' element " + i + " is " + wide[i] + ", out of the int range");
            }
            out[i] = (int) wide[i];
        }
        return out;
    }
}
