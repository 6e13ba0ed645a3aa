package dev.hymt4j.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The GEMM of every weight format (prefill, batched decode, training's forward): {@code out[t·rows + r] =
 * dot(W[r], x[t])} with each weight row decoded to float once per call into an aligned panel that all tokens
 * reuse, and the tokens packed once per product. The format only says how a row becomes floats
 * ({@link RowPacker}): BF16 widens, a block format dequantizes. The micro-kernel is {@link Kernels#dot4x6}
 * (4 rows × 6 tokens, 24 accumulators), the dot product is {@link Kernels}' one summation order, so a result
 * never depends on the batch, the row range or the path that computed it.
 *
 * <p>A format whose single-token kernel takes its columns in another order (a quantized kernel takes the two
 * nibbles of each byte together) decodes its rows in that order and packs the tokens with the same
 * permutation ({@link #packTokens}'s {@code chunkColumns}): the products and their order are then exactly the
 * single-token kernel's.
 */
public final class PackedGemm {
    private static final Kernels KERNELS = Kernels.get();
    private static final int LANES = KERNELS.lanes();
    /** Rows packed per panel (a multiple of 4): 32 × 6144 floats is 768 KiB, within L2. */
    public static final int PANEL_ROWS = 32;
    /** Tokens per tile ({@link Kernels#dot4x6}). */
    public static final int TILE_TOKENS = 6;
    /** Column steps (of L columns) per block: 6 tokens × 1024 floats is 24 KiB, which stays in L1 across the panel. */
    static final int BLOCK_STEPS = Math.max(1, 1024 / LANES);
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private PackedGemm() {}

    /** How a format turns its rows into the floats of the product. */
    @FunctionalInterface
    public interface RowPacker {
        /**
         * Writes row {@code r} (or zeros for {@code r = −1}): its first {@code steps·L} values as {@code steps}
         * chunks of L floats, chunk s at byte {@code at + s·stride} of {@code panel} (with
         * {@link Kernels#packFloats} or {@link Kernels#packBf16}), and the remaining {@code cols − steps·L}
         * values into {@code tails[to…]}.
         */
        void pack(int r, MemorySegment panel, long at, long stride, float[] tails, int to);
    }

    /**
     * The tokens of one product packed for {@link Kernels#dot4x6}: groups of 6 (zero tokens pad the last), each
     * group's L-column chunks with its 6 tokens interleaved, in native memory aligned to 64 bytes; and the tail
     * columns {@code [6·groups, tail]} (zero for padding tokens). Buffers are reused: {@link #release} after use.
     */
    public static final class Tokens {
        private MemorySegment packed = MemorySegment.NULL;
        private float[] tails = new float[0];
        private int n, cols;
    }

    /**
     * Packs {@code x [n, cols]} into a buffer of this thread's; chunk s of a token is its columns
     * {@code chunkColumns[s] …+L} ({@code null}: {@code s·L}, the natural order).
     */
    public static Tokens packTokens(float[] x, int n, int cols, int[] chunkColumns) {
        Scratch s = SCRATCH.get();
        int steps = cols / LANES, tail = cols - steps * LANES, padded = (n + TILE_TOKENS - 1) / TILE_TOKENS * TILE_TOKENS;
        long bytes = 4L * LANES * steps * padded, stride = 4L * LANES * TILE_TOKENS;
        Tokens p = s.freeTokens.isEmpty() ? new Tokens() : s.freeTokens.pop();
        p.n = n;
        p.cols = cols;
        if (p.packed.byteSize() < bytes) p.packed = Arena.ofAuto().allocate(bytes, 64);
        if (p.tails.length < padded * tail) p.tails = new float[padded * tail];
        if (s.zeros.length < cols) s.zeros = new float[cols];
        for (int t = 0; t < padded; t++) {
            long at = ((long) (t / TILE_TOKENS) * steps * TILE_TOKENS + t % TILE_TOKENS) * 4L * LANES;
            float[] src = t < n ? x : s.zeros;
            int so = t < n ? t * cols : 0;
            if (chunkColumns == null) {
                KERNELS.packFloats(src, so, steps, p.packed, at, stride);
            } else {
                for (int c = 0; c < steps; c++) KERNELS.packFloats(src, so + chunkColumns[c], 1, p.packed, at + c * stride, stride);
            }
            System.arraycopy(src, so + steps * LANES, p.tails, t * tail, tail);
        }
        return p;
    }

    /** Returns the buffer of {@link #packTokens} to the calling thread (the one that packed it). */
    public static void release(Tokens tokens) {
        SCRATCH.get().freeTokens.push(tokens);
    }

    /**
     * {@code out[t·rows + r] = dot(W[r], x[t])} for the packed tokens and rows {@code [r0, r1)} of a matrix of
     * {@code rows} rows: {@link #PANEL_ROWS} rows at a time are packed (each quad of rows interleaved per L
     * columns; zero rows pad to a multiple of 4), then 4-row × 6-token tiles run {@link Kernels#dot4x6} (or its
     * two {@link Kernels#dot2x6} halves, {@link VectorWidth#HALF_TILES}) over column blocks of
     * {@link #BLOCK_STEPS}: the 6 tokens' block stays in L1 while the panel's rows stream past it from L2. The
     * tail columns are added by {@link Kernels#finish4x6}. Results of padding rows or tokens are never stored.
     */
    public static void multiply(RowPacker w, int rows, Tokens x, float[] out, int r0, int r1) {
        multiply(w, rows, x, null, out, r0, r1);
    }

    /**
     * As {@link #multiply(RowPacker, int, Tokens, float[], int, int)}, with each dot product summed as four
     * chains ({@code chainSteps} = {@code {0, e0, e1, e2, steps}}: chain c takes the packed column steps
     * {@code [chainSteps[c], chainSteps[c + 1])}, each into its own accumulator vector), combined lane by lane
     * as {@code (c0 + c1) + (c2 + c3)} before the fold — the order of a single-token kernel that runs four
     * independent accumulators over its row ({@code BlockMatrix}); {@code null} for one chain.
     */
    public static void multiply(RowPacker w, int rows, Tokens x, int[] chainSteps, float[] out, int r0, int r1) {
        Scratch s = SCRATCH.get();
        int n = x.n, cols = x.cols;
        int steps = cols / LANES, tail = cols - steps * LANES, tile = 24 * LANES;
        int chains = chainSteps == null ? 1 : 4;
        long quadBytes = 16L * LANES * steps, stepBytes = 16L * LANES, tokenStepBytes = 24L * LANES;
        MemorySegment panel = s.panel(PANEL_ROWS / 4 * quadBytes);
        int chainFloats = PANEL_ROWS / 4 * tile;
        float[] acc = s.acc(chains * chainFloats), wTail = s.wTail(PANEL_ROWS * tail), sums = s.sums;
        for (int p0 = r0; p0 < r1; p0 += PANEL_ROWS) {
            int pr = Math.min(PANEL_ROWS, r1 - p0), quads = (pr + 3) / 4;
            for (int i = 0; i < 4 * quads; i++) {
                w.pack(i < pr ? p0 + i : -1, panel, (i / 4) * quadBytes + 4L * LANES * (i % 4), stepBytes, wTail, i * tail);
            }
            for (int g = 0; g * TILE_TOKENS < n; g++) {
                long xo = g * tokenStepBytes * steps;
                for (int c = 0; c < chains; c++) {
                    int ao = c * chainFloats, first = chainSteps == null ? 0 : chainSteps[c], end = chainSteps == null ? steps : chainSteps[c + 1];
                    Arrays.fill(acc, ao, ao + quads * tile, 0f);
                    for (int k0 = first; k0 < end; k0 += BLOCK_STEPS) {
                        int k1 = Math.min(end, k0 + BLOCK_STEPS);
                        for (int q = 0; q < quads; q++) {
                            long wo = q * quadBytes + stepBytes * k0, xb = xo + tokenStepBytes * k0;
                            if (VectorWidth.HALF_TILES) {
                                KERNELS.dot2x6(panel, wo, x.packed, xb, k1 - k0, acc, ao + q * tile);
                                KERNELS.dot2x6(panel, wo + 8L * LANES, x.packed, xb, k1 - k0, acc, ao + q * tile + tile / 2);
                            } else {
                                KERNELS.dot4x6(panel, wo, x.packed, xb, k1 - k0, acc, ao + q * tile);
                            }
                        }
                    }
                }
                if (chains == 4) KERNELS.addChains(acc, quads * tile, chainFloats);
                for (int q = 0; q < quads; q++) {
                    KERNELS.finish4x6(acc, q * tile, wTail, 4 * q * tail, x.tails, g * TILE_TOKENS * tail, tail, sums);
                    for (int k = 0; k < 24; k++) {
                        int i = 4 * q + k / 6, t = g * TILE_TOKENS + k % 6;
                        if (i < pr && t < n) out[t * rows + p0 + i] = sums[k];
                    }
                }
            }
        }
    }

    /**
     * This thread's aligned panel of at least {@code bytes}, for another product's packing ({@link MappedMatrix}'s
     * {@code g·W}): products are leaf bodies that never nest on one thread, so one panel per thread serves both.
     */
    static MemorySegment panel(long bytes) {
        return SCRATCH.get().panel(bytes);
    }

    /** This thread's accumulator buffer of at least {@code length} floats, shared as {@link #panel} is. */
    static float[] acc(int length) {
        return SCRATCH.get().acc(length);
    }

    /** Per-thread buffers, grown on demand and kept: no allocation per call in steady state. */
    private static final class Scratch {
        private static final float[] NONE = new float[0];
        private MemorySegment panel = MemorySegment.NULL;
        private float[] acc = NONE, wTail = NONE, zeros = NONE;
        /**
         * Free token buffers. A product holds its buffer while its row ranges run on the pool; a pool thread that
         * helps with other work while it waits may pack another product's tokens, which then takes another buffer.
         */
        private final java.util.ArrayDeque<Tokens> freeTokens = new java.util.ArrayDeque<>();
        final float[] sums = new float[24];

        MemorySegment panel(long bytes) {
            if (panel.byteSize() < bytes) panel = Arena.ofAuto().allocate(bytes, 64);
            return panel;
        }

        float[] acc(int length) {
            if (acc.length < length) acc = new float[length];
            return acc;
        }

        float[] wTail(int length) {
            if (wTail.length < length) wTail = new float[length];
            return wTail;
        }
    }
}
