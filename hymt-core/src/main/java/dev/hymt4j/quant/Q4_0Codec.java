package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q4_0: 32 values in 18 bytes, {@code half d; u8 qs[16]}, {@code x = (q − 8)·d}; byte j holds element j in its
 * low nibble and element j + 16 in its high nibble.
 */
final class Q4_0Codec implements BlockCodec {
    static final int BLOCK = 32, BYTES = 18;

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public void quantize(float[] x, int xOff, int n, byte[] dst, int dstOff) {
        for (int b = 0; b < n / BLOCK; b++) {
            int xo = xOff + b * BLOCK, o = dstOff + b * BYTES;
            float d = BlockCodecs.signedAbsMax(x, xo, BLOCK) / -8;
            float id = d != 0 ? 1.0f / d : 0.0f;
            BlockCodecs.putHalf(dst, o, d);
            for (int j = 0; j < 16; j++) {
                // ggml: MIN(15, (int8_t)(x·id + 8.5f)) — truncation, not rounding
                int lo = Math.min(15, (int) (x[xo + j] * id + 8.5f));
                int hi = Math.min(15, (int) (x[xo + 16 + j] * id + 8.5f));
                dst[o + 2 + j] = (byte) (lo | hi << 4);
            }
        }
    }

    @Override
    public void dequantize(MemorySegment src, long srcOff, int n, float[] y, int yOff) {
        for (int b = 0; b < n / BLOCK; b++) {
            long o = srcOff + (long) b * BYTES;
            float d = BlockCodecs.half(src, o);
            int yo = yOff + b * BLOCK;
            for (int j = 0; j < 16; j++) {
                int q = BlockCodecs.u8(src, o + 2 + j);
                y[yo + j] = ((q & 0xF) - 8) * d;
                y[yo + 16 + j] = ((q >> 4) - 8) * d;
            }
        }
    }
}
