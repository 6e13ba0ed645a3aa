package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/** Q5_1: 32 values in 24 bytes, {@code half d; half m; u32 qh; u8 qs[16]}, {@code x = q·d + m}; bits as Q5_0. */
final class Q5_1Codec implements BlockCodec {
    static final int BLOCK = 32, BYTES = 24;

    @Override
    public GgmlType type() {
        return GgmlType.Q5_1;
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
            float d = (max - min) / 31;
            float id = d != 0 ? 1.0f / d : 0.0f;
            BlockCodecs.putHalf(dst, o, d);
            BlockCodecs.putHalf(dst, o + 2, min);
            int qh = 0;
            for (int j = 0; j < 16; j++) {
                // ggml: (uint8_t)(x + 0.5f), no clamp
                int lo = (int) ((x[xo + j] - min) * id + 0.5f) & 0xFF;
                int hi = (int) ((x[xo + 16 + j] - min) * id + 0.5f) & 0xFF;
                dst[o + 8 + j] = (byte) ((lo & 0xF) | (hi & 0xF) << 4);
                qh |= (lo >> 4 & 1) << j;
                qh |= (hi >> 4 & 1) << (j + 16);
            }
            for (int k = 0; k < 4; k++) dst[o + 4 + k] = (byte) (qh >>> (8 * k));
        }
    }

    @Override
    public void dequantize(MemorySegment src, long srcOff, int n, float[] y, int yOff) {
        for (int b = 0; b < n / BLOCK; b++) {
            long o = srcOff + (long) b * BYTES;
            float d = BlockCodecs.half(src, o), m = BlockCodecs.half(src, o + 2);
            int qh = src.get(BlockCodecs.I32, o + 4);
            int yo = yOff + b * BLOCK;
            for (int j = 0; j < 16; j++) {
                int q = BlockCodecs.u8(src, o + 8 + j);
                y[yo + j] = ((q & 0xF) | (qh >>> j & 1) << 4) * d + m;
                y[yo + 16 + j] = ((q >> 4) | (qh >>> (j + 16) & 1) << 4) * d + m;
            }
        }
    }
}
