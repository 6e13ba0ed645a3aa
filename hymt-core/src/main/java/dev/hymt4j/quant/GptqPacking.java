package dev.hymt4j.quant;

/**
 * The integer packing of a GPTQ checkpoint (formats spec §4.6), for 2, 4 and 8 bits ({@code pf = 32/bits} codes
 * per int32 word, code {@code j} of a word in bits {@code [bits·j, bits·j + bits)}, least significant first):
 * <ul>
 *   <li>{@code qweight [K/pf, N]}: codes packed along the <em>input</em> dimension,
 *       {@code qweight[r][o] = Σ_j q[in = r·pf + j][out = o] << bits·j};</li>
 *   <li>{@code qzeros [G, N/pf]}: zero points packed along the <em>output</em> dimension; checkpoint format
 *       {@code gptq} (v1) stores {@code zero − 1}, {@code gptq_v2} the zero itself.</li>
 * </ul>
 * Our matrices are {@code [N = out, K = in]} row-major, so {@code codes[o·K + i]} is the code of weight (o, i).
 */
public final class GptqPacking {
    private GptqPacking() {}

    /** {@code codes [N, K]} (row-major weight codes) → {@code qweight [K/pf, N]}. */
    public static int[] packWeight(int[] codes, int n, int k, int bits) {
        int pf = 32 / bits, mask = (1 << bits) - 1;
        if (k % pf != 0) throw new IllegalArgumentException("in_features " + k + " is not a multiple of " + pf + " (" + bits + "-bit packing)");
        int[] packed = new int[k / pf * n];
        for (int o = 0; o < n; o++) {
            for (int r = 0; r < k / pf; r++) {
                int word = 0;
                for (int j = 0; j < pf; j++) {
                    int q = codes[o * k + r * pf + j];
                    if ((q & ~mask) != 0) throw new IllegalArgumentException("code " + q + " at [" + o + ", " + (r * pf + j) + "] does not fit " + bits + " bits");
                    word |= q << (bits * j);
                }
                packed[r * n + o] = word;
            }
        }
        return packed;
    }

    /** {@code qweight [K/pf, N]} → {@code codes [N, K]}. */
    public static int[] unpackWeight(int[] qweight, int n, int k, int bits) {
        int pf = 32 / bits, mask = (1 << bits) - 1;
        int[] codes = new int[n * k];
        for (int r = 0; r < k / pf; r++) {
            for (int o = 0; o < n; o++) {
                int word = qweight[r * n + o];
                for (int j = 0; j < pf; j++) codes[o * k + r * pf + j] = (word >>> (bits * j)) & mask;
            }
        }
        return codes;
    }

    /**
     * True zero points {@code [G, N]} → {@code qzeros [G, N/pf]}. In v1 a zero of 0 has no encoding (−1 does not
     * fit; AutoGPTQ silently corrupts the word), so it is an error here: quantizers writing v1 keep zeros ≥ 1.
     */
    public static int[] packZeros(int[] zeros, int groups, int n, int bits, boolean v2) {
        int pf = 32 / bits, maxq = (1 << bits) - 1, offset = v2 ? 0 : 1;
        if (n % pf != 0) throw new IllegalArgumentException("out_features " + n + " is not a multiple of " + pf + " (" + bits + "-bit packing)");
        int[] packed = new int[groups * n / pf];
        for (int g = 0; g < groups; g++) {
            for (int c = 0; c < n / pf; c++) {
                int word = 0;
                for (int j = 0; j < pf; j++) {
                    int stored = zeros[g * n + c * pf + j] - offset;
                    if (stored < 0 || stored > maxq) {
                        throw new IllegalArgumentException("zero point " + (stored + offset) + " of group " + g + ", row " + (c * pf + j)
                                + " cannot be stored in checkpoint format " + (v2 ? "gptq_v2" : "gptq (v1 stores zero - 1)"));
                    }
                    word |= stored << (bits * j);
                }
                packed[g * (n / pf) + c] = word;
            }
        }
        return packed;
    }

    /** {@code qzeros [G, N/pf]} → true zero points {@code [G, N]} (v1: stored + 1). */
    public static int[] unpackZeros(int[] qzeros, int groups, int n, int bits, boolean v2) {
        int pf = 32 / bits, mask = (1 << bits) - 1, offset = v2 ? 0 : 1;
        int[] zeros = new int[groups * n];
        for (int g = 0; g < groups; g++) {
            for (int c = 0; c < n / pf; c++) {
                int word = qzeros[g * (n / pf) + c];
                for (int j = 0; j < pf; j++) zeros[g * n + c * pf + j] = ((word >>> (bits * j)) & mask) + offset;
            }
        }
        return zeros;
    }
}
