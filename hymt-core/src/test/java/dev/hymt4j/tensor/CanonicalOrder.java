package dev.hymt4j.tensor;

/**
 * A scalar model of the summation orders that {@link Kernels} specifies, written from its documentation (not
 * from the kernels): the kernels must reproduce these bits exactly. Plus the float64 products and the error
 * bound that order allows, to check the numbers themselves.
 */
final class CanonicalOrder {
    private CanonicalOrder() {}

    /** Lane j: fma chain over c ≡ j (mod L), c below the last multiple of L; pairwise folds; fma tail. */
    static float dot(float[] w, int wo, float[] x, int xo, int len, int lanes) {
        int upper = len - len % lanes;
        float[] lane = new float[lanes];
        for (int c = 0; c < upper; c++) lane[c % lanes] = Math.fma(w[wo + c], x[xo + c], lane[c % lanes]);
        for (int step = lanes / 2; step >= 1; step /= 2) {
            float[] folded = new float[lanes];
            for (int i = 0; i < lanes; i++) folded[i] = lane[i] + lane[i ^ step];
            lane = folded;
        }
        float sum = lane[0];
        for (int c = upper; c < len; c++) sum = Math.fma(w[wo + c], x[xo + c], sum);
        return sum;
    }

    static double exactDot(float[] w, int wo, float[] x, int xo, int len) {
        double sum = 0;
        for (int c = 0; c < len; c++) sum += (double) w[wo + c] * x[xo + c];
        return sum;
    }

    static double absDot(float[] w, int wo, float[] x, int xo, int len) {
        double sum = 0;
        for (int c = 0; c < len; c++) sum += Math.abs((double) w[wo + c] * x[xo + c]);
        return sum;
    }

    /**
     * The first-order bound γ_d·Σ|wᵢxᵢ| for a sum whose longest chain of roundings has depth
     * d = len/L + log2(L) + (len mod L) + 1, with u = 2⁻²⁴ (plus a denormal-sized slack).
     */
    static double bound(int len, int lanes, double absSum) {
        int depth = len / lanes + Integer.numberOfTrailingZeros(lanes) + len % lanes + 1;
        double u = 0x1p-24, gamma = depth * u / (1 - depth * u);
        return gamma * absSum + 1e-30;
    }

    /** The float the BF16 bits stand for: the top half of an IEEE single. */
    static float bf16(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }
}
