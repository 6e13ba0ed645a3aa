package dev.hymt4j.quant;

import static dev.hymt4j.quant.GgmlFloats.nearestInt;

/**
 * The search routines of ggml's k-quant reference quantizers ({@code ggml-quants.c}), statement for statement
 * in float arithmetic: the order of every float operation matters for byte-identical blocks.
 */
final class KQuants {
    private KQuants() {}

    static final int QK_K = 256;
    /** ggml's GROUP_MAX_EPS: a group whose largest magnitude is below this is all zeros. */
    static final float GROUP_MAX_EPS = 1e-15f;

    /**
     * {@code make_qkx2_quants}: a weighted least-squares fit of {@code x ≈ scale·L + min} with {@code L ∈ [0, nmax]}
     * and {@code min ≤ 0}, trying {@code nstep + 1} inverse scales around {@code nmax/(max − min)}. Writes the
     * levels into {@code L[lOff..]}, returns the scale; {@code theMin[0]} receives {@code −min}.
     */
    static float makeQkx2Quants(int n, int nmax, float[] x, int xOff, float[] weights, byte[] L, int lOff,
                                float[] theMin, byte[] laux, float rmin, float rdelta, int nstep) {
        float min = x[xOff], max = x[xOff];
        float sumW = weights[0];
        float sumX = sumW * x[xOff];
        for (int i = 1; i < n; i++) {
            if (x[xOff + i] < min) min = x[xOff + i];
            if (x[xOff + i] > max) max = x[xOff + i];
            float w = weights[i];
            sumW += w;
            sumX += w * x[xOff + i];
        }
        if (min > 0) min = 0;
        if (max == min) {
            for (int i = 0; i < n; i++) L[lOff + i] = 0;
            theMin[0] = -min;
            return 0.f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int l = nearestInt(iscale * (x[xOff + i] - min));
            L[lOff + i] = (byte) Math.max(0, Math.min(nmax, l));
            float diff = scale * (L[lOff + i] & 0xFF) + min - x[xOff + i];
            diff = diff * diff;
            bestError += weights[i] * diff;
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0, sumL2 = 0, sumXL = 0;
            for (int i = 0; i < n; i++) {
                int l = nearestInt(iscale * (x[xOff + i] - min));
                l = Math.max(0, Math.min(nmax, l));
                laux[i] = (byte) l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * x[xOff + i];
            }
            float D = sumW * sumL2 - sumL * sumL;
            if (D > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / D;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / D;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float curError = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * (laux[i] & 0xFF) + thisMin - x[xOff + i];
                    diff = diff * diff;
                    curError += weights[i] * diff;
                }
                if (curError < bestError) {
                    System.arraycopy(laux, 0, L, lOff, n);
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin[0] = -min;
        return scale;
    }

    /**
     * {@code make_qx_quants} with {@code rmse_type = 1} and no importance weights (weights {@code x²}): the signed
     * scale of {@code x ≈ scale·(L − nmax)}, {@code L ∈ [0, 2·nmax)}, searched over 19 inverse scales.
     */
    static float makeQxQuants(int n, int nmax, float[] x, int xOff, byte[] L, int lOff) {
        float max = 0, amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xOff + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xOff + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) L[lOff + i] = 0;
            return 0.f;
        }
        float iscale = -nmax / max;
        float sumlx = 0, suml2 = 0;
        for (int i = 0; i < n; i++) {
            int l = nearestInt(iscale * x[xOff + i]);
            l = Math.max(-nmax, Math.min(nmax - 1, l));
            L[lOff + i] = (byte) (l + nmax);
            float w = x[xOff + i] * x[xOff + i];
            sumlx += w * x[xOff + i] * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0 ? sumlx / suml2 : 0.0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) continue;
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = suml2 = 0;
            for (int i = 0; i < n; i++) {
                int l = nearestInt(iscale * x[xOff + i]);
                l = Math.max(-nmax, Math.min(nmax - 1, l));
                float w = x[xOff + i] * x[xOff + i];
                sumlx += w * x[xOff + i] * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    int l = nearestInt(iscale * x[xOff + i]);
                    L[lOff + i] = (byte) (nmax + Math.max(-nmax, Math.min(nmax - 1, l)));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /**
     * Packs eight 6-bit scales and mins into Q4_K/Q5_K's 12 bytes (spec §5.6): sub-blocks 0–3 in the low 6 bits of
     * bytes 0–7, sub-blocks 4–7 as nibbles in bytes 8–11 with their top two bits in bits 6–7 of bytes 0–7.
     */
    static void packScalesMins(int[] sc, int[] m, byte[] dst, int off) {
        for (int k = 0; k < 12; k++) dst[off + k] = 0;
        for (int j = 0; j < 8; j++) {
            if (j < 4) {
                dst[off + j] = (byte) sc[j];
                dst[off + j + 4] = (byte) m[j];
            } else {
                dst[off + j + 4] = (byte) ((sc[j] & 0xF) | ((m[j] & 0xF) << 4));
                dst[off + j - 4] |= (byte) ((sc[j] >> 4) << 6);
                dst[off + j] |= (byte) ((m[j] >> 4) << 6);
            }
        }
    }

    /** {@code get_scale_min_k4}: the 6-bit scale of sub-block {@code j} from the 12 packed bytes at {@code q[off..]}. */
    static int scaleK4(int j, int[] q) {
        return j < 4 ? q[j] & 63 : (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
    }

    /** {@code get_scale_min_k4}: the 6-bit min of sub-block {@code j}. */
    static int minK4(int j, int[] q) {
        return j < 4 ? q[j + 4] & 63 : (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}
