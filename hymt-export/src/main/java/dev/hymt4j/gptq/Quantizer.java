package dev.hymt4j.gptq;

/**
 * GPTQ's min-max quantizer for one output row over one group of columns (formats spec §4.3; AutoGPTQ
 * {@code quantizer.py} with {@code perchannel=True, mse=False}), plus the two storage rules of our checkpoints:
 * the scale is rounded to F16 <em>before</em> it is used (so the error feedback sees exactly the weights that are
 * stored, and dequantizing the checkpoint gives back the fake-quantized weights bit for bit), and in the v1
 * format an asymmetric zero point is kept ≥ 1 (v1 stores {@code zero − 1}; 0 has no encoding).
 *
 * @param f16Scales round scales to F16 as stored (our default); false reproduces the reference's float scales
 * @param minZero   1 for asymmetric v1 checkpoints, 0 otherwise
 */
public record Quantizer(int bits, boolean sym, boolean f16Scales, int minZero) {
    /** The smallest positive F16 (a subnormal): a scale that rounds to 0 in F16 would divide by zero. */
    private static final double MIN_F16 = 0x1p-24;
    private static final double MAX_F16 = 65504.0;

    public int maxq() {
        return (1 << bits) - 1;
    }

    /**
     * Fits scale and zero to {@code w[off, off + count)} (one row's slice of a group); writes them to
     * {@code scale[slot]}, {@code zero[slot]}.
     */
    public void fit(double[] w, int off, int count, double[] scale, int[] zero, int slot) {
        double min = 0, max = 0;
        for (int i = 0; i < count; i++) {
            double v = w[off + i];
            if (v < min) min = v;
            if (v > max) max = v;
        }
        int maxq = maxq();
        if (sym) {
            max = Math.max(-min, max);
            if (min < 0) min = -max;
        }
        if (min == 0 && max == 0) {
            min = -1;
            max = 1;
        }
        double s = (max - min) / maxq;
        if (f16Scales) s = Math.min(MAX_F16, Math.max(MIN_F16, Float.float16ToFloat(Float.floatToFloat16((float) s))));
        int z = sym ? (maxq + 1) / 2 : (int) Math.rint(-min / s);
        scale[slot] = s;
        zero[slot] = Math.max(minZero, Math.min(maxq, z));
    }

    /** {@code clamp(round(v / scale) + zero, 0, maxq)}, round half to even as torch.round. */
    public int code(double v, double scale, int zero) {
        double q = Math.rint(v / scale) + zero;
        return (int) Math.max(0, Math.min(maxq(), q));
    }

    public static double dequantize(int code, double scale, int zero) {
        return scale * (code - zero);
    }
}
