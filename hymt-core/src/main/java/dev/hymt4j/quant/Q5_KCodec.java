package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q5_K: 256 values in 176 bytes, {@code half d; half dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]}: Q4_K's
 * layout plus a fifth bit per value, bit {@code 2c} (low nibbles) or {@code 2c+1} (high nibbles) of
 * {@code qh[l]} for chunk c; {@code x = d·sc·q − dmin·m}, q in 0..31.
 */
final class Q5_KCodec implements BlockCodec {
    static final int BYTES = 176;

    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
    }

    @Override
    public void quantize(float[] x, int xOff, int n, byte[] dst, int dstOff) {
        Q4_KCodec.quantizeK(x, xOff, n, dst, dstOff, 31, -0.5f, 15);
    }

    /** The levels (0..31) of one block into {@code qh} and {@code qs} of the block at {@code o}. */
    static void packLevels(byte[] L, byte[] dst, int o) {
        int qh = o + 16, ql = o + 48;
        for (int k = 0; k < 32; k++) dst[qh + k] = 0;
        int m1 = 1, m2 = 2;
        for (int c = 0; c < 4; c++) {
            for (int j = 0; j < 32; j++) {
                int l1 = L[64 * c + j], l2 = L[64 * c + j + 32];
                if (l1 > 15) {
                    l1 -= 16;
                    dst[qh + j] |= (byte) m1;
                }
                if (l2 > 15) {
                    l2 -= 16;
                    dst[qh + j] |= (byte) m2;
                }
                dst[ql + 32 * c + j] = (byte) (l1 | l2 << 4);
            }
            m1 <<= 2;
            m2 <<= 2;
        }
    }

    @Override
    public void dequantize(MemorySegment src, long srcOff, int n, float[] y, int yOff) {
        Q4_KCodec.dequantizeK(src, srcOff, n, y, yOff, true);
    }
}
