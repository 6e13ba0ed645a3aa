package dev.hymt4j.gguf;

import java.util.List;
import java.util.Objects;

/**
 * A typed metadata value. Integers of every width are held as {@code Long} (UINT64 values above
 * {@code Long.MAX_VALUE} as their two's-complement bits), FLOAT32 as {@code Float}, FLOAT64 as {@code Double},
 * BOOL as {@code Boolean}, STRING as {@code String}, ARRAY as a {@link Array}. The type is kept so that a file's
 * metadata can be copied to another file unchanged.
 */
public record GgufValue(GgufValueType type, Object value) {

    public GgufValue {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        Class<?> expected = switch (type) {
            case FLOAT32 -> Float.class;
            case FLOAT64 -> Double.class;
            case BOOL -> Boolean.class;
            case STRING -> String.class;
            case ARRAY -> Array.class;
            default -> Long.class;
        };
        if (!expected.isInstance(value)) {
            throw new IllegalArgumentException(type + " value must be a " + expected.getSimpleName() + ", got " + value.getClass().getSimpleName());
        }
    }

    /**
     * An array of {@code elementType}: {@code values} is a {@code long[]} for integer elements, {@code float[]},
     * {@code double[]}, {@code boolean[]}, {@code String[]}, or {@code Array[]} for nested arrays.
     */
    public record Array(GgufValueType elementType, Object values) {
        public int size() {
            return java.lang.reflect.Array.getLength(values);
        }
    }

    public static GgufValue u32(long v) {
        if (v < 0 || v > 0xFFFFFFFFL) throw new IllegalArgumentException("UINT32 out of range: " + v);
        return new GgufValue(GgufValueType.UINT32, v);
    }

    public static GgufValue i32(long v) {
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) throw new IllegalArgumentException("INT32 out of range: " + v);
        return new GgufValue(GgufValueType.INT32, v);
    }

    public static GgufValue u64(long v) {
        return new GgufValue(GgufValueType.UINT64, v);
    }

    public static GgufValue f32(float v) {
        return new GgufValue(GgufValueType.FLOAT32, v);
    }

    public static GgufValue bool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, v);
    }

    public static GgufValue string(String v) {
        return new GgufValue(GgufValueType.STRING, v);
    }

    public static GgufValue strings(List<String> v) {
        return new GgufValue(GgufValueType.ARRAY, new Array(GgufValueType.STRING, v.toArray(String[]::new)));
    }

    public static GgufValue i32s(int[] v) {
        long[] wide = new long[v.length];
        for (int i = 0; i < v.length; i++) wide[i] = v[i];
        return new GgufValue(GgufValueType.ARRAY, new Array(GgufValueType.INT32, wide));
    }

    public static GgufValue f32s(float[] v) {
        return new GgufValue(GgufValueType.ARRAY, new Array(GgufValueType.FLOAT32, v.clone()));
    }

    /** A short human form for error messages and {@code hymt inspect}: arrays show their element type and size. */
    public String describe() {
        return switch (type) {
            case ARRAY -> {
                Array a = (Array) value;
                yield a.elementType() + "[" + a.size() + "]";
            }
            case STRING -> {
                String s = (String) value;
                yield "\"" + (s.length() > 60 ? s.substring(0, 60) + "…" : s).replace("\n", "\\n") + "\"";
            }
            case UINT64 -> Long.toUnsignedString((Long) value);
            default -> String.valueOf(value);
        };
    }
}
