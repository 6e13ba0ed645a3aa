package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;

/**
 * The file types {@code hymt quantize} writes, with llama.cpp's {@code llama_ftype} id (stored as
 * {@code general.file_type}) and the default tensor type of the mix ({@code llama_ftype_get_default_type}).
 */
public enum GgufFileType {
    F32(0, GgmlType.F32), F16(1, GgmlType.F16), BF16(32, GgmlType.BF16), Q8_0(7, GgmlType.Q8_0),
    Q4_0(2, GgmlType.Q4_0), Q6_K(18, GgmlType.Q6_K), Q5_K_M(17, GgmlType.Q5_K), Q4_K_M(15, GgmlType.Q4_K);

    private final int id;
    private final GgmlType defaultType;

    GgufFileType(int id, GgmlType defaultType) {
        this.id = id;
        this.defaultType = defaultType;
    }

    /** {@code general.file_type}. */
    public int id() {
        return id;
    }

    public GgmlType defaultType() {
        return defaultType;
    }

    /** The type with this {@code general.file_type} id, or null. */
    public static GgufFileType byId(long id) {
        for (GgufFileType t : values()) if (t.id == id) return t;
        return null;
    }
}
