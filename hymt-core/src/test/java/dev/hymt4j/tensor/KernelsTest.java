package dev.hymt4j.tensor;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

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

    /** The micro-kernel over column blocks of several sizes (each a multiple of L), then its finish. */
    @Test
    void gemmMicroKernelMatchesTheCanonicalDot() {
        SplittableRandom random = new SplittableRandom(14);
        for (int cols : LENGTHS) {
            int stride = cols + 3, upper = cols - cols % L;
            float[] w = gaussian(random, 1 + 4 * stride), x = gaussian(random, 2 + 4 * stride);
            for (int block : new int[]{L, 3 * L, 512}) {
                float[] acc = new float[5 + 16 * L], sums = new float[16];
                for (int k0 = 0; k0 < upper; k0 += block) K.dot4x4(w, 1, x, 2, stride, k0, Math.min(upper, k0 + block), acc, 5);
                K.finish4x4(w, 1, x, 2, stride, cols, acc, 5, sums);
                for (int k = 0; k < 16; k++) {
                    assertCanonical(w, 1 + (k >> 2) * stride, x, 2 + (k & 3) * stride, cols, sums[k],
                            "dot4x4 block " + block + " row " + (k >> 2) + " token " + (k & 3));
                }
            }
        }
    }

    /** The fused small-batch tile: rows 1…4 of a BF16 matrix (row 0 skipped) × 4 tokens at an offset. */
    @Test
    void fusedBf16TileMatchesTheCanonicalDot() {
        SplittableRandom random = new SplittableRandom(16);
        for (int cols : LENGTHS) {
            Bf16 w = Bf16.random(random, 5 * cols);
            float[] x = gaussian(random, 3 + 4 * cols), sums = new float[16];
            K.gemm4x4Bf16(w.segment(), cols, 1, x, 3, sums);
            for (int k = 0; k < 16; k++) {
                assertCanonical(w.values(), (1 + (k >> 2)) * cols, x, 3 + (k & 3) * cols, cols, sums[k],
                        "gemm4x4Bf16 row " + (k >> 2) + " token " + (k & 3));
            }
        }
    }

    /** {@code g·W} tiles: each output is the fma chain over the rows, from its starting value. */
    @Test
    void transposedMicroKernelIsTheFmaChainOverRows() {
        SplittableRandom random = new SplittableRandom(15);
        int strip = 2 * L;
        for (int kr : LENGTHS) {
            int pStride = strip + 3, gStride = kr + 1, outStride = strip + 2;
            float[] p = gaussian(random, 1 + kr * pStride), g = gaussian(random, 2 + 4 * gStride), out = gaussian(random, 3 + 4 * outStride);
            float[] before = out.clone();
            K.accumulate4x2(p, 1, pStride, kr, g, 2, gStride, out, 3, outStride);
            for (int j = 0; j < 4; j++) {
                for (int v = 0; v < strip; v++) {
                    float expected = before[3 + j * outStride + v];
                    double exact = expected, abs = Math.abs(expected);
                    for (int i = 0; i < kr; i++) {
                        float pv = p[1 + i * pStride + v], gv = g[2 + j * gStride + i];
                        expected = Math.fma(pv, gv, expected);
                        exact += (double) pv * gv;
                        abs += Math.abs((double) pv * gv);
                    }
                    float actual = out[3 + j * outStride + v];
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual), "accumulate4x2 rows " + kr + " token " + j + " column " + v);
                    assertEquals(exact, actual, CanonicalOrder.bound(kr, 1, abs), "accumulate4x2 against float64");
                    float column = K.accumulateColumn(p, 1 + v, pStride, kr, g, 2 + j * gStride, before[3 + j * outStride + v]);
                    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(column), "accumulateColumn rows " + kr);
                }
            }
        }
    }
}
