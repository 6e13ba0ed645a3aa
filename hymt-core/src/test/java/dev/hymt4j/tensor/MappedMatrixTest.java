package dev.hymt4j.tensor;

import dev.hymt4j.safetensors.DType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link MappedMatrix}'s products in each format against the canonical order of {@link Kernels} and float64,
 * and batch invariance (issue 8.5): a (row, token) result is bit-identical whatever n, whatever the other
 * tokens, whatever the row or column range and thread split. Runs once per vector width, like
 * {@link KernelsTest}.
 */
class MappedMatrixTest {
    static final int L = Kernels.get().lanes();
    /** (rows, cols, tokens): tails of every width, a partial last token group, leftover rows, several column blocks. */
    static final int[][] SHAPES = {{37, 70, 6}, {5, 1, 3}, {9, 33, 1}, {33, 129, 5}, {41, 1100, 9}, {3, 4099, 2}, {66, 17, 13},
            {130, 2050, 14}, {7, 64, 4}, {6144, 16, 9}, {45, 65, 5}};

    @BeforeAll
    static void widthAsRequested() {
        assumeTrue(VectorWidth.BITS == VectorWidth.REQUESTED_BITS, "requested vector width not available: skipped");
    }

    /** A random matrix in {@code dtype} and the exact floats it holds. */
    record Weights(MappedMatrix matrix, float[] values) {
        static Weights random(DType dtype, int rows, int cols, SplittableRandom random) {
            int count = rows * cols;
            ByteBuffer bytes = ByteBuffer.allocate(count * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[count];
            for (int i = 0; i < count; i++) {
                float v = (float) random.nextGaussian();
                switch (dtype) {
                    case F32 -> bytes.putFloat(values[i] = v);
                    case BF16 -> {
                        short bits = (short) (Float.floatToRawIntBits(v) >>> 16);
                        bytes.putShort(bits);
                        values[i] = CanonicalOrder.bf16(bits);
                    }
                    case F16 -> {
                        short bits = Float.floatToFloat16(v);
                        bytes.putShort(bits);
                        values[i] = Float.float16ToFloat(bits);
                    }
                    default -> throw new IllegalArgumentException(dtype.name());
                }
            }
            return new Weights(new MappedMatrix(MemorySegment.ofArray(bytes.array()), dtype, rows, cols), values);
        }
    }

    static float[] gaussian(SplittableRandom random, int length) {
        float[] v = new float[length];
        for (int i = 0; i < length; i++) v[i] = (float) random.nextGaussian();
        return v;
    }

    static void assertSameBits(float expected, float actual, String what) {
        assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual), () -> what + ": " + actual + " vs " + expected);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16", "F16"})
    void productsFollowTheCanonicalOrder(DType dtype) {
        SplittableRandom random = new SplittableRandom(5);
        for (int[] shape : SHAPES) {
            int rows = shape[0], cols = shape[1], n = shape[2];
            Weights w = Weights.random(dtype, rows, cols, random);
            float[] x = gaussian(random, n * cols), out = new float[n * rows];
            w.matrix().matmulRows(x, n, out, 0, rows);
            for (int t = 0; t < n; t++) {
                for (int r = 0; r < rows; r++) {
                    String what = dtype + " " + Arrays.toString(shape) + " row " + r + " token " + t;
                    float actual = out[t * rows + r];
                    // a narrow F32 matrix (LoRA's B) sums each output in one chain: the order of one lane
                    int lanes = dtype == DType.F32 && cols <= Kernels.NARROW_COLS ? 1 : L;
                    assertSameBits(CanonicalOrder.dot(w.values(), r * cols, x, t * cols, cols, lanes), actual, what);
                    double bound = CanonicalOrder.bound(cols, lanes, CanonicalOrder.absDot(w.values(), r * cols, x, t * cols, cols));
                    assertEquals(CanonicalOrder.exactDot(w.values(), r * cols, x, t * cols, cols), actual, bound, what);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16", "F16"})
    void productsAreBatchInvariant(DType dtype) {
        for (int cols : new int[]{300, 16, 63}) productsAreBatchInvariant(dtype, cols);
    }

    private static void productsAreBatchInvariant(DType dtype, int cols) {
        SplittableRandom random = new SplittableRandom(6);
        int rows = 70, n = 11;
        MappedMatrix w = Weights.random(dtype, rows, cols, random).matrix();
        float[] x = gaussian(random, n * cols);
        float[][] alone = new float[n][rows];
        for (int t = 0; t < n; t++) w.matmulRows(Arrays.copyOfRange(x, t * cols, (t + 1) * cols), 1, alone[t], 0, rows);
        // Token t at every position p of batches of every size, next to other (random) tokens.
        for (int size = 2; size <= n; size++) {
            for (int t = 0; t < n; t++) {
                int p = (t * 7 + size) % size;
                float[] batch = gaussian(random, size * cols), out = new float[size * rows];
                System.arraycopy(x, t * cols, batch, p * cols, cols);
                w.matmulRows(batch, size, out, 0, rows);
                for (int r = 0; r < rows; r++) assertSameBits(alone[t][r], out[p * rows + r], dtype + " batch " + size + " token " + t + " row " + r);
            }
        }
        // Row ranges split anywhere, and the pool's thread split.
        float[] split = new float[n * rows];
        int[] cuts = {0, 1, 13, 14, 50, 67, rows};
        for (int i = 0; i + 1 < cuts.length; i++) w.matmulRows(x, n, split, cuts[i], cuts[i + 1]);
        int threads = Parallel.threads();
        try {
            for (int th : new int[]{1, 2, 3}) {
                Parallel.setThreads(th);
                float[] pooled = new float[n * rows];
                w.matmul(x, n, pooled);
                for (int t = 0; t < n; t++) {
                    for (int r = 0; r < rows; r++) {
                        assertSameBits(alone[t][r], split[t * rows + r], dtype + " row ranges, token " + t + " row " + r);
                        assertSameBits(alone[t][r], pooled[t * rows + r], dtype + " " + th + " threads, token " + t + " row " + r);
                    }
                }
            }
        } finally {
            Parallel.setThreads(threads);
        }
    }

    /**
     * g·W: the fma chain over rows from out's starting value, per (token, column), whatever n, column split or
     * thread split (narrow F32 matrices, LoRA's B, split their tokens across threads: the 16-column shape).
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16", "F16"})
    void transposedProductIsTheFmaChainAndBatchInvariant(DType dtype) {
        SplittableRandom random = new SplittableRandom(7);
        int[][] shapes = {{300, 70, 6}, {5, 1, 3}, {257, 33, 1}, {600, 129, 9}, {300, 200, 14}, {200, 16, 37}};  // 600 rows: five row blocks
        for (int[] shape : shapes) {
            int rows = shape[0], cols = shape[1], n = shape[2];
            Weights w = Weights.random(dtype, rows, cols, random);
            float[] g = gaussian(random, n * rows), start = gaussian(random, n * cols);
            float[] whole = start.clone();
            w.matrix().accumulateTransposed(g, n, whole, 0, cols);
            float[] split = start.clone();
            int[] cuts = java.util.stream.IntStream.of(0, 1, cols / 3, cols / 3 + 2 * L + 1, cols)
                    .map(c -> Math.min(c, cols)).distinct().sorted().toArray();
            for (int i = 0; i + 1 < cuts.length; i++) w.matrix().accumulateTransposed(g, n, split, cuts[i], cuts[i + 1]);
            float[][] pooled = new float[3][];
            int threads = Parallel.threads();
            try {
                for (int th = 1; th <= 3; th++) {
                    Parallel.setThreads(th);
                    pooled[th - 1] = start.clone();
                    w.matrix().matmulTransposedAccumulate(g, n, pooled[th - 1]);
                }
            } finally {
                Parallel.setThreads(threads);
            }
            for (int t = 0; t < n; t++) {
                float[] one = Arrays.copyOfRange(start, t * cols, (t + 1) * cols);
                w.matrix().accumulateTransposed(Arrays.copyOfRange(g, t * rows, (t + 1) * rows), 1, one, 0, cols);
                for (int c = 0; c < cols; c++) {
                    float expected = start[t * cols + c];
                    double exact = expected, abs = Math.abs(expected);
                    for (int r = 0; r < rows; r++) {
                        float wv = w.values()[r * cols + c], gv = g[t * rows + r];
                        expected = Math.fma(wv, gv, expected);
                        exact += (double) wv * gv;
                        abs += Math.abs((double) wv * gv);
                    }
                    String what = dtype + " " + Arrays.toString(shape) + " token " + t + " column " + c;
                    assertSameBits(expected, whole[t * cols + c], what);
                    assertSameBits(expected, split[t * cols + c], what + " (column split)");
                    assertSameBits(expected, one[c], what + " (alone)");
                    for (int th = 1; th <= 3; th++) assertSameBits(expected, pooled[th - 1][t * cols + c], what + " (" + th + " threads)");
                    assertEquals(exact, whole[t * cols + c], CanonicalOrder.bound(rows, 1, abs), what + " against float64");
                }
            }
        }
    }
}
