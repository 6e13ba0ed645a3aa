package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Q8_0: 32 values in 34 bytes, {@code half d; int8 qs[32]}, {@code x = qs·d} (spec formats.md §5.6). */
final class Q8_0Codec implements BlockCodec {
    static final int BLOCK = 32, BYTES = 34;

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public void quantize(float[] x, int xOff, int n, byte[] dst, int dstOff) {
        for (int b = 0; b < n / BLOCK; b++) {
            int xo = xOff + b * BLOCK, o = dstOff + b * BYTES;
            float amax = 0;
            for (int j = 0; j < BLOCK; j++) amax = Math.max(amax, Math.abs(x[xo + j]));
            float d = amax / 127;
            float id = d != 0 ? 1.0f / d : 0.0f;
            BlockCodecs.putHalf(dst, o, d);
            for (int j = 0; j < BLOCK; j++) dst[o + 2 + j] = (byte) GgmlFloats.roundf(x[xo + j] * id);
        }
    }

    @Override
    public void dequantize(MemorySegment src, long srcOff, int n, float[] y, int yOff) {
        for (int b = 0; b < n / BLOCK; b++) {
            long o = srcOff + (long) b * BYTES;
            float d = BlockCodecs.half(src, o);
            for (int j = 0; j < BLOCK; j++) y[yOff + b * BLOCK + j] = src.get(ValueLayout.JAVA_BYTE, o + 2 + j) * d;
        }
    }
}
