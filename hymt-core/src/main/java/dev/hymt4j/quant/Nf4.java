package dev.hymt4j.quant;

/**
 * The bitsandbytes NF4 code (formats spec §3.1–3.3): 16 float32 levels, decision thresholds at the float32
 * midpoints of neighbours, a value exactly on a threshold taking the lower code, two codes per byte with the
 * first element in the high nibble.
 */
public final class Nf4 {
    private Nf4() {}

    /** The code table, from the bit patterns of bitsandbytes' float32 literals. */
    private static final float[] CODE = bits(0xbf800000, 0xbf3239b1, 0xbf066b30, 0xbeca32a0, 0xbe91a24d, 0xbe3d353f,
            0xbdba7871, 0x00000000, 0x3da2faff, 0x3e24cae3, 0x3e7c04dd, 0x3ead033a, 0x3ee1a4b8, 0x3f1007ab, 0x3f3913b3,
            0x3f800000);

    private static final float[] THRESHOLDS = new float[15];

    static {
        for (int i = 0; i < 15; i++) THRESHOLDS[i] = (CODE[i] + CODE[i + 1]) / 2f;
    }

    private static float[] bits(int... patterns) {
        float[] f = new float[patterns.length];
        for (int i = 0; i < f.length; i++) f[i] = Float.intBitsToFloat(patterns[i]);
        return f;
    }

    /** The value of code {@code c} (0..15). */
    public static float value(int code) {
        return CODE[code];
    }

    /** A copy of the 16-entry table (what a checkpoint stores as {@code weight.quant_map}). */
    public static float[] codeTable() {
        return CODE.clone();
    }

    public static float[] thresholds() {
        return THRESHOLDS.clone();
    }

    /** The code of a normalized value {@code s ∈ [−1, 1]}: the number of thresholds strictly below it. */
    public static int encode(float s) {
        int code = 0;
        while (code < 15 && s > THRESHOLDS[code]) code++;
        return code;
    }

    /**
     * Quantizes {@code x} (flattened row-major) in blocks of {@code blocksize}: {@code absmax} per block,
     * {@code s = x · (1/max(absmax, 1e-38))} clamped to [−1, 1], packed two codes per byte, high nibble first,
     * a zero code padding an odd count. Returns the packed bytes; {@code absmaxOut} receives one float per block.
     */
    public static byte[] quantize(float[] x, int blocksize, float[] absmaxOut) {
        int n = x.length, blocks = (n + blocksize - 1) / blocksize;
        if (absmaxOut.length != blocks) throw new IllegalArgumentException(blocks + " blocks, absmax has " + absmaxOut.length);
        byte[] packed = new byte[(n + 1) / 2];
        for (int b = 0; b < blocks; b++) {
            int start = b * blocksize, end = Math.min(n, start + blocksize);
            float absmax = 0;
            for (int i = start; i < end; i++) absmax = Math.max(absmax, Math.abs(x[i]));
            absmaxOut[b] = absmax;
            float inv = 1f / Math.max(absmax, 1e-38f);
            for (int i = start; i < end; i++) {
                float s = Math.max(-1f, Math.min(1f, x[i] * inv));
                int code = encode(s);
                packed[i >> 1] |= (byte) ((i & 1) == 0 ? code << 4 : code);
            }
        }
        return packed;
    }

    /** The code of element {@code i} in packed storage. */
    public static int code(byte[] packed, long i) {
        int b = packed[(int) (i >> 1)];
        return (i & 1) == 0 ? (b >> 4) & 0xF : b & 0xF;
    }
}
