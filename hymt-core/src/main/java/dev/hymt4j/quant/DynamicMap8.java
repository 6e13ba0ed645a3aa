package dev.hymt4j.quant;

import java.util.Arrays;

/**
 * The signed 8-bit "dynamic" code bitsandbytes uses to quantize the NF4 absmax values in double quantization
 * (formats spec §3.5; {@code create_dynamic_map(signed=True, max_exponent_bits=7, total_bits=8)}): for
 * {@code i = 0..6}, the midpoints of {@code 2^i + 1} points of {@code linspace(0.1, 1)} scaled by
 * {@code 10^(i−6)}, with their negatives, plus 0 and 1, sorted. Generated here in float32 following torch's
 * scalar linspace formula; torch's vectorized linspace can differ in the last bit on some CPUs, which is why a
 * reader must use the map stored with the weights (and why the map travels with every {@link Nf4Matrix}).
 */
public final class DynamicMap8 {
    private DynamicMap8() {}

    private static final float[] TABLE = build();

    public static float[] table() {
        return TABLE.clone();
    }

    private static float[] build() {
        double[] data = new double[256];
        int k = 0;
        for (int i = 0; i < 7; i++) {
            int items = (1 << i) + 1;
            float[] boundaries = linspace(0.1f, 1f, items);
            // torch multiplies the float32 means by the Python scalar in float32.
            float scale = (float) Math.pow(10, i - 6);
            for (int j = 0; j + 1 < items; j++) {
                float mean = (boundaries[j] + boundaries[j + 1]) / 2f;
                data[k++] = scale * mean;
            }
            for (int j = 0; j + 1 < items; j++) {
                float mean = (boundaries[j] + boundaries[j + 1]) / 2f;
                data[k++] = -scale * mean;
            }
        }
        data[k++] = 0;
        data[k++] = 1.0;
        if (k != 256) throw new IllegalStateException(k + " entries");
        Arrays.sort(data);
        float[] table = new float[256];
        for (int i = 0; i < 256; i++) table[i] = (float) data[i];
        return table;
    }

    /** torch.linspace in float32 (scalar path): the first half counts up from start, the rest down from end. */
    private static float[] linspace(float start, float end, int steps) {
        float[] out = new float[steps];
        if (steps == 1) {
            out[0] = start;
            return out;
        }
        float step = (end - start) / (steps - 1);
        int halfway = steps / 2;
        for (int i = 0; i < steps; i++) out[i] = i < halfway ? start + step * i : end - step * (steps - i - 1);
        return out;
    }

    /** The index of the nearest entry of a sorted {@code map} (midpoint decisions, a tie takes the lower index). */
    public static int encode(float[] map, float s) {
        int lo = 0, hi = map.length - 1;
        // Binary search for the last entry ≤ s, then compare with the next one by the float midpoint.
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (map[mid] <= s) lo = mid;
            else hi = mid - 1;
        }
        if (lo + 1 < map.length && s > (map[lo] + map[lo + 1]) / 2f) return lo + 1;
        return lo;
    }
}
