package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q5_0: 32 values in 22 bytes, {@code half d; u32 qh; u8 qs[16]}, {@code x = (q − 16)·d} with the fifth bit of
 * element j in bit j of {@code qh}; nibble order as Q4_0.
 */
final class Q5_0Codec implements BlockCodec {
    static final int BLOCK = 32, BYTES = 22;

    @Override
    public GgmlType type() {
        return GgmlType.Q5_0;
    }

    @Override
    public void quantize(float[] x, int xOff, int n, byte[] dst, int dstOff) {
        for (int b = 0; b < n / BLOCK; b++) {
            int xo = xOff + b * BLOCK, o = dstOff + b * BYTES;
            float d = BlockCodecs.signedAbsMax(x, xo, BLOCK) / -16;
            float id = d != 0 ? 1.0f / d : 0.0f;
            BlockCodecs.putHalf(dst, o, d);
            int qh = 0;
            for (int j = 0; j < 16; j++) {
                int lo = Math.min(31, (int) (x[xo + j] * id + 16.5f));
                int hi = Math.min(31, (int) (x[xo + 16 + j] * id + 16.5f));
                dst[o + 6 + j] = (byte) ((lo & 0xF) | (hi & 0xF) << 4);
                qh |= (lo >> 4 & 1) << j;
                qh |= (hi >> 4 & 1) << (j + 16);
            }
            for (int k = 0; k < 4; k++) dst[o + 2 + k] = (byte) (qh >>> (8 * k));
        }
    }

    @Override
    public void dequantize(MemorySegment src, long srcOff, int n, float[] y, int yOff) {
        for (int b = 0; b < n / BLOCK; b++) {
            long o = srcOff + (long) b * BYTES;
            float d = BlockCodecs.half(src, o);
            int qh = src.get(BlockCodecs.I32, o + 2);
            int yo = yOff + b * BLOCK;
            for (int j = 0; j < 16; j++) {
                int q = BlockCodecs.u8(src, o + 6 + j);
                y[yo + j] = (((q & 0xF) | (qh >>> j & 1) << 4) - 16) * d;
                y[yo + 16 + j] = (((q >> 4) | (qh >>> (j + 16) & 1) << 4) - 16) * d;
            }
        }
    }
}
