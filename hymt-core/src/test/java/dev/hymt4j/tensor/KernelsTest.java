package dev.hymt4j.tensor;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every kernel of {@link Kernels} at this JVM's width (the build runs this class once per width:
 * 512, 256, 128 and scalar, in separate JVMs) against the scalar model of its summation order (bit for bit)
 * and against float64 (within the error bound of that order), on lengths 1…4099 including odd ones.
 */
class KernelsTest {
    static final Kernels K = Kernels.get();
    static final int L = K.lanes();
    /** Every length up to 67 (all tails of every width), then odd and power-of-two neighbours up to 4099. */
    static final int[] LENGTHS = IntStream.concat(IntStream.rangeClosed(1, 67),
            IntStream.of(95, 127, 128, 129, 255, 257, 511, 513, 1023, 1024, 1025, 2047, 2049, 3001, 4095, 4096, 4099)).toArray();

    @BeforeAll
    static void widthAsRequested() {
        assumeTrue(VectorWidth.BITS == VectorWidth.REQUESTED_BITS,
                "hymt.vector.bits=" + VectorWidth.REQUESTED_BITS + " is wider than this CPU (" + VectorWidth.MAX_BITS + " bits): skipped");
        assertEquals(VectorWidth.BITS == 0 ? 1 : VectorWidth.BITS / 32, L, "lanes of " + VectorWidth.describe());
    }

    static float[] gaussian(SplittableRandom random, int length) {
        float[] v = new float[length];
        for (int i = 0; i < length; i++) v[i] = (float) random.nextGaussian();
        return v;
    }

    /** addChains: each element the two-level sum of its four chains, bit for bit, on every length and an odd stride. */
    @Test
    void addChainsSumsFourChainsPairwise() {
        SplittableRandom random = new SplittableRandom(41);
        for (int len : LENGTHS) {
            int stride = len + 3;
            float[] acc = gaussian(random, 4 * stride), expected = acc.clone();
            for (int i = 0; i < len; i++) {
                expected[i] = (acc[i] + acc[i + stride]) + (acc[i + 2 * stride] + acc[i + 3 * stride]);
            }
            K.addChains(acc, len, stride);
            assertArrayEquals(expected, acc, "length " + len);
        }
    }

    /** BF16 bits of random values, and the floats they stand for. */
    record Bf16(MemorySegment segment, float[] values) {
        static Bf16 random(SplittableRandom random, int length) {
            ByteBuffer bytes = ByteBuffer.allocate(2 * length).order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[length];
            for (int i = 0; i < length; i++) {
                short bits = (short) (Float.floatToRawIntBits((float) random.nextGaussian()) >>> 16);
                bytes.putShort(bits);
                values[i] = CanonicalOrder.bf16(bits);
            }
            return new Bf16(MemorySegment.ofArray(bytes.array()), values);
        }
    }

    static MemorySegment f32(float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) bytes.putFloat(v);
        return MemorySegment.ofArray(bytes.array());
    }

    static void assertCanonical(float[] w, int wo, float[] x, int xo, int len, float actual, String what) {
        float expected = CanonicalOrder.dot(w, wo, x, xo, len, L);
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual),
                () -> what + " len " + len + ": " + actual + " vs the canonical order's " + expected);
        double exact = CanonicalOrder.exactDot(w, wo, x, xo, len);
        double bound = CanonicalOrder.bound(len, L, CanonicalOrder.absDot(w, wo, x, xo, len));
        assertEquals(exact, actual, bound, () -> what + " len " + len + " against float64");
    }

    @Test
    void dotProducts() {
        SplittableRandom random = new SplittableRandom(11);
        for (int len : LENGTHS) {
            float[] a = gaussian(random, len + 3), b = gaussian(random, len + 5);
            assertCanonical(a, 3, b, 5, len, K.dot(a, 3, b, 5, len), "dot");
            Bf16 w = Bf16.random(random, len + 2);
            assertCanonical(w.values(), 2, b, 5, len, K.dotBf16(w.segment(), 2, b, 5, len), "dotBf16");
            float[] f = gaussian(random, len + 1);
            assertCanonical(f, 1, b, 5, len, K.dotF32(f32(f), 1, b, 5, len), "dotF32");
        }
    }

    @Test
    void widenBf16IsExact() {
        SplittableRandom random = new SplittableRandom(12);
        for (int len : LENGTHS) {
            Bf16 w = Bf16.random(random, len + 1);
            float[] dst = new float[len + 4];
            K.widenBf16(w.segment(), 1, dst, 4, len);
            for (int i = 0; i < len; i++) assertEquals(w.values()[i + 1], dst[i + 4], "len " + len + " element " + i);
        }
    }

    /** 7 rows: one block of four, then three leftover rows; row ranges that start off the block grid. */
    @Test
    void gemvMatchesTheCanonicalDotPerRow() {
        SplittableRandom random = new SplittableRandom(13);
        int rows = 7;
        for (int cols : LENGTHS) {
            Bf16 w = Bf16.random(random, rows * cols);
            float[] wf = gaussian(random, rows * cols), x = gaussian(random, cols + 2);
            MemorySegment f = f32(wf);
            for (int r0 : new int[]{0, 1, 3}) {
                float[] outB = new float[rows + 1], outF = new float[rows + 1];
                K.gemvBf16(w.segment(), cols, r0, rows, x, 2, outB, 1);
                K.gemvF32(f, cols, r0, rows, x, 2, outF, 1);
                for (int r = r0; r < rows; r++) {
                    assertCanonical(w.values(), r * cols, x, 2, cols, outB[1 + r], "gemvBf16 row " + r + " from " + r0);
                    assertCanonical(wf, r * cols, x, 2, cols, outF[1 + r], "gemvF32 row " + r + " from " + r0);
                }
            }
        }
    }

    /** Narrow F32 matrices: every output one fma chain over the columns (the one-lane order), any rows, tokens, range. */
    @Test
    void narrowGemmIsTheFmaChainPerOutput() {
        SplittableRandom random = new SplittableRandom(14);
        for (int rows : new int[]{1, L - 1, L, L + 1, 2 * L + 3, 37}) {
            if (rows < 1) continue;
            for (int cols = 1; cols <= Kernels.NARROW_COLS; cols += cols < 20 ? 1 : 11) {
                for (int n : new int[]{1, 2, 3, 4, 5, 9}) {
                    float[] w = gaussian(random, rows * cols), x = gaussian(random, n * cols);
                    MemorySegment f = f32(w);
                    for (int r0 : new int[]{0, 1}) {
                        if (r0 >= rows) continue;
                        float[] out = new float[n * rows];
                        K.gemmNarrowF32(f, rows, cols, r0, rows, x, n, out, new float[L * cols]);
                        for (int t = 0; t < n; t++) {
                            for (int r = r0; r < rows; r++) {
                                float expected = CanonicalOrder.dot(w, r * cols, x, t * cols, cols, 1), actual = out[t * rows + r];
                                String what = "narrow " + rows + "x" + cols + " n " + n + " from " + r0 + ": row " + r + " token " + t;
                                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual), what);
                                assertEquals(CanonicalOrder.exactDot(w, r * cols, x, t * cols, cols), actual,
                                        CanonicalOrder.bound(cols, 1, CanonicalOrder.absDot(w, r * cols, x, t * cols, cols)), what);
                            }
                        }
                    }
                }
            }
        }
    }

    /** A 64-byte aligned native buffer of floats (what the GEMM panels are). */
    static MemorySegment aligned(int floats) {
        return java.lang.foreign.Arena.ofAuto().allocate(4L * Math.max(1, floats), 64);
    }

    @Test
    void packingIsExactAndLandsWhereTheStrideSays() {
        SplittableRandom random = new SplittableRandom(17);
        for (int chunks : new int[]{1, 2, 5}) {
            Bf16 w = Bf16.random(random, 3 + chunks * L);
            float[] f = gaussian(random, 2 + chunks * L);
            long stride = 3L * 4 * L;   // every third vector slot
            MemorySegment fromBf16 = aligned(3 * chunks * L + L), fromFloats = aligned(3 * chunks * L + L);
            K.packBf16(w.segment(), 3, chunks, fromBf16, 4L * L, stride);
            K.packFloats(f, 2, chunks, fromFloats, 4L * L, stride);
            for (int s = 0; s < chunks; s++) {
                for (int l = 0; l < L; l++) {
                    long at = 4L * L + s * stride + 4L * l;
                    assertEquals(w.values()[3 + s * L + l], fromBf16.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, at), "packBf16");
                    assertEquals(f[2 + s * L + l], fromFloats.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, at), "packFloats");
                }
            }
        }
    }

    /**
     * The micro-kernel over packed panels (4 rows, 6 tokens interleaved per L columns, as MappedMatrix packs them),
     * over column blocks of several sizes, then its finish with the tail columns.
     */
    @Test
    void gemmMicroKernelMatchesTheCanonicalDot() {
        SplittableRandom random = new SplittableRandom(14);
        for (int cols : LENGTHS) {
            int steps = cols / L, tail = cols - steps * L;
            float[] w = gaussian(random, 4 * cols), x = gaussian(random, 6 * cols);
            MemorySegment wp = aligned(4 * steps * L + L), xp = aligned(6 * steps * L + L);
            float[] wTail = new float[1 + 4 * tail], xTail = new float[2 + 6 * tail];
            for (int i = 0; i < 4; i++) {
                K.packFloats(w, i * cols, steps, wp, 4L * L + 4L * L * i, 16L * L);
                System.arraycopy(w, i * cols + steps * L, wTail, 1 + i * tail, tail);
            }
            for (int j = 0; j < 6; j++) {
                K.packFloats(x, j * cols, steps, xp, 4L * L * j, 24L * L);
                System.arraycopy(x, j * cols + steps * L, xTail, 2 + j * tail, tail);
            }
            for (int block : new int[]{1, 3, 64}) {
                float[] acc = new float[5 + 24 * L], sums = new float[24];
                for (int k0 = 0; k0 < steps; k0 += block) {
                    int k1 = Math.min(steps, k0 + block);
                    K.dot4x6(wp, 4L * L + 16L * L * k0, xp, 24L * L * k0, k1 - k0, acc, 5);
                }
                K.finish4x6(acc, 5, wTail, 1, xTail, 2, tail, sums);
                for (int k = 0; k < 24; k++) {
                    assertCanonical(w, (k / 6) * cols, x, (k % 6) * cols, cols, sums[k], "dot4x6 block " + block + " row " + k / 6 + " token " + k % 6);
                }
                // the two halves of the tile (the 16-register form) give the same bits
                float[] halves = new float[5 + 24 * L], halfSums = new float[24];
                for (int k0 = 0; k0 < steps; k0 += block) {
                    int k1 = Math.min(steps, k0 + block);
                    K.dot2x6(wp, 4L * L + 16L * L * k0, xp, 24L * L * k0, k1 - k0, halves, 5);
                    K.dot2x6(wp, 4L * L + 16L * L * k0 + 8L * L, xp, 24L * L * k0, k1 - k0, halves, 5 + 12 * L);
                }
                K.finish4x6(halves, 5, wTail, 1, xTail, 2, tail, halfSums);
                for (int k = 0; k < 24; k++) {
                    assertEquals(Float.floatToRawIntBits(sums[k]), Float.floatToRawIntBits(halfSums[k]), "dot2x6 halves, block " + block + " row " + k / 6 + " token " + k % 6);
                }
            }
        }
    }

    /** The fused small-batch tiles: rows 1…4 of a BF16 matrix (row 0 skipped) × 2, 3 or 4 tokens at an offset. */
    @Test
    void fusedBf16TilesMatchTheCanonicalDot() {
        SplittableRandom random = new SplittableRandom(16);
        for (int cols : LENGTHS) {
            Bf16 w = Bf16.random(random, 5 * cols);
            float[] x = gaussian(random, 3 + 4 * cols), sums = new float[16];
            for (int tokens = 2; tokens <= 4; tokens++) {
                switch (tokens) {
                    case 2 -> K.gemm4x2Bf16(w.segment(), cols, 1, x, 3, sums);
                    case 3 -> K.gemm4x3Bf16(w.segment(), cols, 1, x, 3, sums);
                    default -> K.gemm4x4Bf16(w.segment(), cols, 1, x, 3, sums);
                }
                for (int k = 0; k < 4 * tokens; k++) {
                    assertCanonical(w.values(), (1 + k / tokens) * cols, x, 3 + (k % tokens) * cols, cols, sums[k],
                            "gemm4x" + tokens + "Bf16 row " + k / tokens + " token " + k % tokens);
                }
            }
        }
    }

    /** {@code g·W} tiles over a packed panel: each output is the fma chain over the rows, from its starting value. */
    @Test
    void transposedMicroKernelIsTheFmaChainOverRows() {
        SplittableRandom random = new SplittableRandom(15);
        int strip = 4 * L;
        for (int kr : LENGTHS) {
            int gStride = kr + 1, outStride = strip + 2;
            float[] p = gaussian(random, kr * strip), g = gaussian(random, 2 + 6 * gStride), out = gaussian(random, 3 + 6 * outStride);
            MemorySegment packed = aligned(kr * strip + L);
            K.packFloats(p, 0, 4 * kr, packed, 4L * L, 4L * L);
            float[] before = out.clone(), halves = out.clone();
            K.accumulate6x4(packed, 4L * L, kr, g, 2, gStride, out, 3, outStride);
            // the two halves of the strip (the 16-register form)
            K.accumulate6x2(packed, 4L * L, kr, g, 2, gStride, halves, 3, outStride);
            K.accumulate6x2(packed, 4L * L + 8L * L, kr, g, 2, gStride, halves, 3 + 2 * L, outStride);
            assertArrayEquals(out, halves, "accumulate6x2 halves, rows " + kr);
            for (int j = 0; j < 6; j++) {
                for (int v = 0; v < strip; v++) {
                    float expected = before[3 + j * outStride + v];
                    double exact = expected, abs = Math.abs(expected);
                    for (int i = 0; i < kr; i++) {
                        float pv = p[i * strip + v], gv = g[2 + j * gStride + i];
                        expected = Math.fma(pv, gv, expected);
                        exact += (double) pv * gv;
                        abs += Math.abs((double) pv * gv);
                    }
                    float actual = out[3 + j * outStride + v];
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual), "accumulate6x4 rows " + kr + " token " + j + " column " + v);
                    assertEquals(exact, actual, CanonicalOrder.bound(kr, 1, abs), "accumulate6x4 against float64");
                }
            }
        }
    }

    /**
     * The narrow {@code g·W} product (LoRA's B backward): every output the fma chain over the rows in order from its
     * old value, for every column count up to NARROW_COLS, token ranges that start and end off a tile of 8, and row
     * counts with tails.
     */
    @Test
    void narrowTransposedProductIsTheFmaChainOverRows() {
        SplittableRandom random = new SplittableRandom(16);
        for (int rows : new int[]{1, 2, L - 1, L + 1, 37, 130}) {
            if (rows < 1) continue;
            for (int cols = 1; cols <= Kernels.NARROW_COLS; cols += cols < 20 ? 1 : 11) {
                int n = 21;
                float[] w = gaussian(random, rows * cols), g = gaussian(random, n * rows), out = gaussian(random, n * cols);
                float[] before = out.clone();
                int t0 = 2, t1 = 19;
                K.accumulateNarrowF32(f32(w), rows, cols, g, t0, t1, out);
                for (int t = 0; t < n; t++) {
                    for (int c = 0; c < cols; c++) {
                        float expected = before[t * cols + c];
                        double exact = expected, abs = Math.abs(expected);
                        if (t >= t0 && t < t1) {
                            for (int r = 0; r < rows; r++) {
                                expected = Math.fma(w[r * cols + c], g[t * rows + r], expected);
                                exact += (double) w[r * cols + c] * g[t * rows + r];
                                abs += Math.abs((double) w[r * cols + c] * g[t * rows + r]);
                            }
                        }
                        float actual = out[t * cols + c];
                        String what = "narrow g·W " + rows + "x" + cols + " token " + t + " column " + c;
                        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual), what);
                        assertEquals(exact, actual, CanonicalOrder.bound(rows, 1, abs), what);
                    }
                }
            }
        }
    }
}
