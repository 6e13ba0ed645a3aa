package dev.hymt4j.quant;

/**
 * The scalar conversions and roundings of ggml's reference quantizers ({@code ggml-impl.h},
 * {@code ggml-quants.c}), reproduced exactly so that our blocks are byte-identical to llama-quantize's.
 */
public final class GgmlFloats {
    private GgmlFloats() {}

    /** {@code GGML_FP32_TO_FP16}: IEEE round-to-nearest-even; every NaN becomes 0x7E00 with its sign. */
    public static short toHalf(float f) {
        if (Float.isNaN(f)) return (short) ((Float.floatToRawIntBits(f) >>> 16 & 0x8000) | 0x7E00);
        return Float.floatToFloat16(f);
    }

    public static float fromHalf(short h) {
        return Float.float16ToFloat(h);
    }

    /** ggml's {@code GGML_FP32_TO_BF16}: round-to-nearest-even, NaN quietened keeping its payload's top bits. */
    public static short toBf16(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7fffffff) > 0x7f800000) return (short) ((u >>> 16) | 64);
        return (short) ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16);
    }

    public static float fromBf16(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }

    /**
     * {@code nearest_int}: round to nearest, ties to even, by adding 1.5·2²³ and reading the low mantissa bits
     * (valid for |f| ≤ 4194303, which the callers guarantee).
     */
    public static int nearestInt(float f) {
        float v = f + 12582912.f;
        return (Float.floatToRawIntBits(v) & 0x007fffff) - 0x00400000;
    }

    /** C {@code roundf}: half away from zero (Java's {@code Math.round} rounds half up). */
    public static float roundf(float f) {
        // In double, |f| + 0.5 is exact for every float, so floor gives the C result.
        return (float) Math.copySign(Math.floor(Math.abs((double) f) + 0.5), f);
    }
}
