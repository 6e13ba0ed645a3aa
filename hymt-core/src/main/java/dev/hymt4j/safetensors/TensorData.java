package dev.hymt4j.safetensors;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.hymt4j.safetensors.SafetensorsFile.F32_LE;
import static dev.hymt4j.safetensors.SafetensorsFile.F64_LE;
import static dev.hymt4j.safetensors.SafetensorsFile.I16_LE;
import static dev.hymt4j.safetensors.SafetensorsFile.I32_LE;
import static dev.hymt4j.safetensors.SafetensorsFile.I64_LE;

/** Element conversions between stored dtypes and Java arrays; BF16 and F16 are widened exactly to float. */
public final class TensorData {
    private TensorData() {}

    /** Exact BF16 → F32: BF16 is the upper half of an IEEE float. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** F32 → BF16 with round-to-nearest-even, NaN → canonical 0x7FC0 (as torch does). */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) return (short) 0x7FC0;
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    public static float f16ToFloat(short bits) {
        return Float.float16ToFloat(bits);
    }

    public static short floatToF16(float f) {
        return Float.floatToFloat16(f);
    }

    static float[] toFloats(String what, DType dtype, MemorySegment seg, long numel) throws SafetensorsException {
        if (numel > Integer.MAX_VALUE - 16) throw new SafetensorsException(what + ": too large to copy into one array");
        int n = (int) numel;
        float[] out = new float[n];
        switch (dtype) {
            case F32 -> MemorySegment.copy(seg, F32_LE, 0, out, 0, n);
            case BF16 -> { for (int i = 0; i < n; i++) out[i] = bf16ToFloat(seg.getAtIndex(I16_LE, i)); }
            case F16 -> { for (int i = 0; i < n; i++) out[i] = f16ToFloat(seg.getAtIndex(I16_LE, i)); }
            case F64 -> { for (int i = 0; i < n; i++) out[i] = (float) seg.getAtIndex(F64_LE, i); }
            default -> throw new SafetensorsException(what + ": dtype " + dtype + " is not a floating type");
        }
        return out;
    }

    static long[] toLongs(String what, DType dtype, MemorySegment seg, long numel) throws SafetensorsException {
        int n = Math.toIntExact(numel);
        long[] out = new long[n];
        switch (dtype) {
            case I64 -> MemorySegment.copy(seg, I64_LE, 0, out, 0, n);
            case I32 -> { for (int i = 0; i < n; i++) out[i] = seg.getAtIndex(I32_LE, i); }
            case I16 -> { for (int i = 0; i < n; i++) out[i] = seg.getAtIndex(I16_LE, i); }
            case I8 -> { for (int i = 0; i < n; i++) out[i] = seg.get(ValueLayout.JAVA_BYTE, i); }
            case U8, BOOL -> { for (int i = 0; i < n; i++) out[i] = seg.get(ValueLayout.JAVA_BYTE, i) & 0xFF; }
            default -> throw new SafetensorsException(what + ": dtype " + dtype + " is not an integer type");
        }
        return out;
    }
}
