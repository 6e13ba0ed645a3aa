package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/** Q4_1: 32 values in 20 bytes, {@code half d; half m; u8 qs[16]}, {@code x = q·d + m}; nibble order as Q4_0. */
final class Q4_1Codec implements BlockCodec {
    static final int BLOCK = 32, BYTES = 20;

    @Override
    public GgmlType type() {
        return GgmlType.Q4_1;
    }

    @Override
    public void quantize(float[] x, int xOff, int n, byte[] dst, int dstOff) {
        for (int b = 0; b < n / BLOCK; b++) {
            int xo = xOff + b * BLOCK, o = dstOff + b * BYTES;
            float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
            for (int j = 0; j < BLOCK; j++) {
                float v = x[xo + j];
                if (v < min) min = v;
                if (v > max) max = v;
            }
            float d = (max - min) / 15;
            float id = d != 0 ? 1.0f / d : 0.0f;
            BlockCodecs.putHalf(dst, o, d);
            BlockCodecs.putHalf(dst, o + 2, min);
            for (int j = 0; j < 16; j++) {
                int lo = Math.min(15, (int) ((x[xo + j] - min) * id + 0.5f));
                int hi = Math.min(15, (int) ((x[xo + 16 + j] - min) * id + 0.5f));
                dst[o + 4 + j] = (byte) (lo | hi << 4);
            }
        }
    }

    @Override
    public void dequantize(MemorySegment src, long srcOff, int n, float[] y, int yOff) {
        for (int b = 0; b < n / BLOCK; b++) {
            long o = srcOff + (long) b * BYTES;
            float d = BlockCodecs.half(src, o), m = BlockCodecs.half(src, o + 2);
            int yo = yOff + b * BLOCK;
            for (int j = 0; j < 16; j++) {
                int q = BlockCodecs.u8(src, o + 4 + j);
                y[yo + j] = (q & 0xF) * d + m;
                y[yo + 16 + j] = (q >> 4) * d + m;
            }
        }
    }
}
