package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;

import java.lang.foreign.MemorySegment;

import static dev.hymt4j.quant.GgmlFloats.nearestInt;

/**
 * Q4_K: 256 values in 144 bytes, {@code half d; half dmin; u8 scales[12]; u8 qs[128]}: eight sub-blocks of 32
 * with 6-bit scales and mins, {@code x = d·sc·q − dmin·m}. Chunk c of 64 values uses {@code qs[32c..32c+31]}:
 * low nibbles are sub-block 2c, high nibbles sub-block 2c+1.
 */
final class Q4_KCodec implements BlockCodec {
    static final int BYTES = 144;

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    @Override
    public void quantize(float[] x, int xOff, int n, byte[] dst, int dstOff) {
        quantizeK(x, xOff, n, dst, dstOff, 15, -1.f, 20);
    }

    /**
     * {@code quantize_row_q4_K_ref} ({@code nmax} 15) and {@code quantize_row_q5_K_ref} ({@code nmax} 31) share
     * everything but the level count, the search range and the packing of the levels.
     */
    static void quantizeK(float[] x, int xOff, int n, byte[] dst, int dstOff, int nmax, float rmin, int nstep) {
        byte[] L = new byte[KQuants.QK_K];
        byte[] laux = new byte[32];
        float[] weights = new float[32];
        float[] mins = new float[8], scales = new float[8], theMin = new float[1];
        int[] ls = new int[8], lm = new int[8], packed = new int[12];
        int bytes = nmax == 15 ? BYTES : Q5_KCodec.BYTES;
        for (int b = 0; b < n / KQuants.QK_K; b++) {
            int xo = xOff + b * KQuants.QK_K, o = dstOff + b * bytes;
            float maxScale = 0, maxMin = 0;
            for (int j = 0; j < 8; j++) {
                float sumX2 = 0;
                for (int l = 0; l < 32; l++) sumX2 += x[xo + 32 * j + l] * x[xo + 32 * j + l];
                float avX = (float) Math.sqrt(sumX2 / 32);
                for (int l = 0; l < 32; l++) weights[l] = avX + Math.abs(x[xo + 32 * j + l]);
                scales[j] = KQuants.makeQkx2Quants(32, nmax, x, xo + 32 * j, weights, L, 32 * j, theMin, laux, rmin, 0.1f, nstep);
                mins[j] = theMin[0];
                if (scales[j] > maxScale) maxScale = scales[j];
                if (mins[j] > maxMin) maxMin = mins[j];
            }
            float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
            float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
            for (int j = 0; j < 8; j++) {
                // ggml stores nearest_int into a uint8_t before clamping to 63
                ls[j] = Math.min(63, nearestInt(invScale * scales[j]) & 0xFF);
                lm[j] = Math.min(63, nearestInt(invMin * mins[j]) & 0xFF);
            }
            BlockCodecs.putHalf(dst, o, maxScale / 63.f);
            BlockCodecs.putHalf(dst, o + 2, maxMin / 63.f);
            KQuants.packScalesMins(ls, lm, dst, o + 4);
            for (int k = 0; k < 12; k++) packed[k] = dst[o + 4 + k] & 0xFF;
            float d = GgmlFloats.fromHalf(half(dst, o)), dmin = GgmlFloats.fromHalf(half(dst, o + 2));
            for (int j = 0; j < 8; j++) {
                float dj = d * KQuants.scaleK4(j, packed);
                if (dj == 0) continue;
                float dm = dmin * KQuants.minK4(j, packed);
                for (int ii = 0; ii < 32; ii++) {
                    int l = nearestInt((x[xo + 32 * j + ii] + dm) / dj);
                    L[32 * j + ii] = (byte) Math.max(0, Math.min(nmax, l));
                }
            }
            if (nmax == 15) {
                for (int c = 0; c < 4; c++) {
                    for (int l = 0; l < 32; l++) dst[o + 16 + 32 * c + l] = (byte) (L[64 * c + l] | L[64 * c + l + 32] << 4);
                }
            } else {
                Q5_KCodec.packLevels(L, dst, o);
            }
        }
    }

    static short half(byte[] b, int off) {
        return (short) ((b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8);
    }

    @Override
    public void dequantize(MemorySegment src, long srcOff, int n, float[] y, int yOff) {
        dequantizeK(src, srcOff, n, y, yOff, false);
    }

    /** {@code dequantize_row_q4_K} ({@code fiveBit} false) and {@code dequantize_row_q5_K} (true). */
    static void dequantizeK(MemorySegment src, long srcOff, int n, float[] y, int yOff, boolean fiveBit) {
        int bytes = fiveBit ? Q5_KCodec.BYTES : BYTES, qs = fiveBit ? 48 : 16;
        int[] packed = new int[12];
        for (int b = 0; b < n / KQuants.QK_K; b++) {
            long o = srcOff + (long) b * bytes;
            float d = BlockCodecs.half(src, o), dmin = BlockCodecs.half(src, o + 2);
            for (int k = 0; k < 12; k++) packed[k] = BlockCodecs.u8(src, o + 4 + k);
            int yo = yOff + b * KQuants.QK_K;
            for (int c = 0; c < 4; c++) {
                float d1 = d * KQuants.scaleK4(2 * c, packed), m1 = dmin * KQuants.minK4(2 * c, packed);
                float d2 = d * KQuants.scaleK4(2 * c + 1, packed), m2 = dmin * KQuants.minK4(2 * c + 1, packed);
                for (int l = 0; l < 32; l++) {
                    int q = BlockCodecs.u8(src, o + qs + 32 * c + l), lo = q & 0xF, hi = q >> 4;
                    if (fiveBit) {
                        int h = BlockCodecs.u8(src, o + 16 + l);
                        lo += (h >> (2 * c) & 1) << 4;
                        hi += (h >> (2 * c + 1) & 1) << 4;
                    }
                    y[yo + 64 * c + l] = d1 * lo - m1;
                    y[yo + 64 * c + 32 + l] = d2 * hi - m2;
                }
            }
        }
    }
}
