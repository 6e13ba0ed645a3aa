package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.hymt4j.quant.GgmlFloats.nearestInt;

/**
 * Q6_K: 256 values in 210 bytes, {@code u8 ql[128]; u8 qh[64]; int8 scales[16]; half d}: sixteen sub-blocks of
 * 16 with signed 8-bit scales, {@code x = d·scale·(q − 32)}, q 6-bit (layout in spec §5.6).
 */
final class Q6_KCodec implements BlockCodec {
    static final int BYTES = 210;

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public void quantize(float[] x, int xOff, int n, byte[] dst, int dstOff) {
        byte[] L = new byte[KQuants.QK_K];
        float[] scales = new float[16];
        for (int b = 0; b < n / KQuants.QK_K; b++) {
            int xo = xOff + b * KQuants.QK_K, o = dstOff + b * BYTES;
            float maxScale = 0, maxAbsScale = 0;
            for (int ib = 0; ib < 16; ib++) {
                float scale = KQuants.makeQxQuants(16, 32, x, xo + 16 * ib, L, 16 * ib);
                scales[ib] = scale;
                float abs = Math.abs(scale);
                if (abs > maxAbsScale) {
                    maxAbsScale = abs;
                    maxScale = scale;
                }
            }
            if (maxAbsScale < KQuants.GROUP_MAX_EPS) {
                java.util.Arrays.fill(dst, o, o + BYTES, (byte) 0);
                continue;
            }
            float iscale = -128.f / maxScale;
            BlockCodecs.putHalf(dst, o + 208, 1 / iscale);
            for (int ib = 0; ib < 16; ib++) dst[o + 192 + ib] = (byte) Math.min(127, nearestInt(iscale * scales[ib]));
            float d = GgmlFloats.fromHalf(Q4_KCodec.half(dst, o + 208));
            for (int j = 0; j < 16; j++) {
                float dj = d * dst[o + 192 + j];
                if (dj == 0) continue;
                for (int ii = 0; ii < 16; ii++) {
                    int l = nearestInt(x[xo + 16 * j + ii] / dj);
                    L[16 * j + ii] = (byte) (Math.max(-32, Math.min(31, l)) + 32);
                }
            }
            for (int h = 0; h < 2; h++) {
                int ql = o + 64 * h, qh = o + 128 + 32 * h, base = 128 * h;
                for (int l = 0; l < 32; l++) {
                    int q1 = L[base + l] & 0xF, q2 = L[base + l + 32] & 0xF;
                    int q3 = L[base + l + 64] & 0xF, q4 = L[base + l + 96] & 0xF;
                    dst[ql + l] = (byte) (q1 | q3 << 4);
                    dst[ql + l + 32] = (byte) (q2 | q4 << 4);
                    dst[qh + l] = (byte) ((L[base + l] >> 4) | (L[base + l + 32] >> 4) << 2
                            | (L[base + l + 64] >> 4) << 4 | (L[base + l + 96] >> 4) << 6);
                }
            }
        }
    }

    @Override
    public void dequantize(MemorySegment src, long srcOff, int n, float[] y, int yOff) {
        for (int b = 0; b < n / KQuants.QK_K; b++) {
            long o = srcOff + (long) b * BYTES;
            float d = BlockCodecs.half(src, o + 208);
            int yo = yOff + b * KQuants.QK_K;
            for (int h = 0; h < 2; h++) {
                long ql = o + 64 * h, qh = o + 128 + 32 * h, sc = o + 192 + 8 * h;
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int hb = BlockCodecs.u8(src, qh + l);
                    int a = BlockCodecs.u8(src, ql + l), c = BlockCodecs.u8(src, ql + l + 32);
                    int q1 = ((a & 0xF) | (hb & 3) << 4) - 32, q2 = ((c & 0xF) | (hb >> 2 & 3) << 4) - 32;
                    int q3 = ((a >> 4) | (hb >> 4 & 3) << 4) - 32, q4 = ((c >> 4) | (hb >> 6 & 3) << 4) - 32;
                    y[yo + 128 * h + l] = d * src.get(ValueLayout.JAVA_BYTE, sc + is) * q1;
                    y[yo + 128 * h + l + 32] = d * src.get(ValueLayout.JAVA_BYTE, sc + is + 2) * q2;
                    y[yo + 128 * h + l + 64] = d * src.get(ValueLayout.JAVA_BYTE, sc + is + 4) * q3;
                    y[yo + 128 * h + l + 96] = d * src.get(ValueLayout.JAVA_BYTE, sc + is + 6) * q4;
                }
            }
        }
    }
}
