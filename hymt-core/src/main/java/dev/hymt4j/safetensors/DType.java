package dev.hymt4j.safetensors;

/** Element types of the safetensors format, with their sizes in bytes. */
public enum DType {
    F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    public boolean isFloating() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /** Parses a header dtype string; {@code null} when the format name is unknown to us. */
    public static DType parse(String name) {
        for (DType d : values()) if (d.name().equals(name)) return d;
        return null;
    }
}
