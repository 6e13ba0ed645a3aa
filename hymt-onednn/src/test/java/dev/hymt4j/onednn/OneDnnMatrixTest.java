package dev.hymt4j.onednn;

import dev.hymt4j.safetensors.DType;
import dev.hymt4j.tensor.MappedMatrix;
import dev.hymt4j.tensor.Matrix;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * oneDNN's BF16-compute products against float64 products of the BF16-rounded activations (rounding written
 * here from IEEE round-to-nearest-even), within the FP32-accumulation bound γ_K·Σ|terms|; fewer than
 * {@link OneDnnMatrix#MIN_TOKENS} tokens go to the Java kernels unchanged.
 */
class OneDnnMatrixTest {
    static OneDnn dnn;

    @BeforeAll
    static void library() {
        assumeTrue(OneDnn.get().isPresent(), "oneDNN cannot load on this platform: skipped");
        dnn = OneDnn.get().orElseThrow();
    }

    static float bf16Round(float v) {
        int bits = Float.floatToRawIntBits(v);
        int lsb = (bits >>> 16) & 1;
        return Float.intBitsToFloat(((bits + 0x7FFF + lsb) >>> 16) << 16);
    }

    record Weights(MappedMatrix matrix, float[] values) {
        static Weights random(int rows, int cols, SplittableRandom random) {
            MemorySegment s = Arena.ofAuto().allocate(2L * rows * cols, 64);
            float[] values = new float[rows * cols];
            for (int i = 0; i < values.length; i++) {
                short bits = (short) (Float.floatToRawIntBits((float) random.nextGaussian()) >>> 16);
                s.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, bits);
                values[i] = Float.intBitsToFloat((bits & 0xFFFF) << 16);
            }
            return new Weights(new MappedMatrix(s, DType.BF16, rows, cols), values);
        }
    }

    static float[] gaussian(SplittableRandom random, int length) {
        float[] v = new float[length];
        for (int i = 0; i < length; i++) v[i] = (float) random.nextGaussian();
        return v;
    }

    static void assertWithinFp32Accumulation(double exact, double abs, int depth, float actual, String what) {
        double u = 0x1p-24, gamma = depth * u / (1 - depth * u);
        assertEquals(exact, actual, gamma * abs + 1e-30, what);
    }

    /** The BF16 products need a CPU where oneDNN has a BF16 matmul (not an AVX2-only one such as AMD Zen 3). */
    static void assumeBf16Matmul() {
        assumeTrue(dnn.bf16Matmul(), "no BF16 matmul in oneDNN on this CPU (" + dnn.description() + "): skipped");
    }

    @Test
    void bf16WeightsGoToOneDnnOnlyWhereItHasABf16MatmulAndF32OnesAlways() {
        SplittableRandom random = new SplittableRandom(4);
        MappedMatrix bf16 = Weights.random(8, 32, random).matrix();
        MappedMatrix f32 = new MappedMatrix(Arena.ofAuto().allocate(4L * 8 * 32, 64), DType.F32, 8, 32);
        assertEquals(dnn.bf16Matmul(), OneDnnMatrix.supports(bf16, dnn));
        assertTrue(OneDnnMatrix.supports(f32, dnn));
        assertEquals(dnn.bf16Matmul(), OneDnnMatrix.wrap(bf16, dnn) instanceof OneDnnMatrix);
        if (!dnn.bf16Matmul()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new OneDnnMatrix(bf16, dnn));
            assertTrue(e.getMessage().contains("BF16 ones on a CPU with a BF16 matmul"), e.getMessage());
        }
    }

    @Test
    void forwardIsTheProductOfBf16RoundedActivations() {
        assumeBf16Matmul();
        SplittableRandom random = new SplittableRandom(1);
        // token counts on a bucket (16), between buckets (17, 40), and past one chunk with a remainder (1030 = 1024 + 6)
        for (int[] shape : new int[][]{{40, 70, 16}, {33, 257, 17}, {64, 512, 40}, {20, 33, 1030}}) {
            int rows = shape[0], cols = shape[1], n = shape[2];
            Weights w = Weights.random(rows, cols, random);
            float[] x = gaussian(random, n * cols);
            // Every third activation an exact tie between two BF16 values (low half 0x8000): nearest-even decides.
            for (int i = 0; i < x.length; i += 3) x[i] = Float.intBitsToFloat(Float.floatToRawIntBits(x[i]) & 0xFFFF0000 | 0x8000);
            assertForward(new OneDnnMatrix(w.matrix(), dnn), w, x, n, Arrays.toString(shape));
        }
    }

    /**
     * Within a budget, each direction's weights are copied once into the layout oneDNN asks for, and the products
     * (several token counts, so several primitives share the copy or fall back to the mapping) stay within the bound
     * of the plain product and equal, bit for bit, the products that read the mapping; a budget one byte short makes
     * no copy and keeps its bytes; a copy's bytes come back when its matrix is collected.
     */
    @Test
    void packedCopiesStayWithinTheirBudgetAndGiveTheSameProducts() throws InterruptedException {
        assumeBf16Matmul();
        SplittableRandom random = new SplittableRandom(6);
        int rows = 96, cols = 160;
        Weights w = Weights.random(rows, cols, random);
        AtomicLong budget = new AtomicLong(1L << 30);
        OneDnnMatrix packed = new OneDnnMatrix(w.matrix(), dnn, OneDnnMatrix.DECODED_CHUNK_BYTES, true, budget);
        for (int n : new int[]{40, 16, 1030}) forward(packed, w, n, random);
        long forwardBytes = packed.packedBytes();
        assumeTrue(forwardBytes > 0, "oneDNN reads these weights in their plain layout here (" + packed.kernel(40) + "): nothing to pack");
        assertTrue(forwardBytes >= 2L * rows * cols, "a copy holds every weight: " + forwardBytes);
        for (int n : new int[]{20, 1030}) transposedAccumulates(packed, w, random, n);
        assertTrue(packed.packedBytes() >= forwardBytes, "the transposed product's copy adds to the forward one");
        assertEquals((1L << 30) - packed.packedBytes(), budget.get(), "the budget lost exactly the copies' bytes");

        AtomicLong tight = new AtomicLong(forwardBytes - 1);
        OneDnnMatrix refused = new OneDnnMatrix(w.matrix(), dnn, OneDnnMatrix.DECODED_CHUNK_BYTES, true, tight);
        forward(refused, w, 40, random);
        assertEquals(0, refused.packedBytes());
        assertEquals(forwardBytes - 1, tight.get());

        // the layout changes where the weights are read from, not the arithmetic: a run repeats whatever the budget
        OneDnnMatrix plain = new OneDnnMatrix(w.matrix(), dnn, OneDnnMatrix.DECODED_CHUNK_BYTES, true, new AtomicLong(0));
        for (int n : new int[]{40, 128, 1030}) {
            float[] x = gaussian(random, n * cols), viaCopy = new float[n * rows], viaMapping = new float[n * rows];
            packed.matmul(x, n, viaCopy);
            plain.matmul(x, n, viaMapping);
            assertArrayEquals(viaMapping, viaCopy, n + " tokens, forward");
            float[] g = gaussian(random, n * rows), gradCopy = new float[n * cols], gradMapping = new float[n * cols];
            packed.matmulTransposedAccumulate(g, n, gradCopy);
            plain.matmulTransposedAccumulate(g, n, gradMapping);
            assertArrayEquals(gradMapping, gradCopy, n + " tokens, transposed");
        }
        assertEquals(0, plain.packedBytes());

        AtomicLong returned = new AtomicLong(1L << 30);
        OneDnnMatrix dropped = new OneDnnMatrix(w.matrix(), dnn, OneDnnMatrix.DECODED_CHUNK_BYTES, true, returned);
        forward(dropped, w, 40, random);
        assertTrue(returned.get() < 1L << 30);
        dropped = null;
        for (int i = 0; i < 100 && returned.get() != 1L << 30; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(1L << 30, returned.get(), "a collected matrix gives its copy's bytes back");
    }

    @Test
    void theBudgetSettingIsAByteCountOrAThirdOfMemory() {
        assertEquals(100, PackedWeights.budget(null, 300));
        assertEquals(42, PackedWeights.budget(" 42 ", 300));
        assertEquals(0, PackedWeights.budget("0", 300));
        for (String bad : new String[]{"abc", "-5", "4GB", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PackedWeights.budget(bad, 300));
            assertEquals("-Dhymt.onednn.packBytes must be a byte count (0 turns packing off), got '" + bad + "'", e.getMessage());
        }
    }

    private static void forward(OneDnnMatrix m, Weights w, int n, SplittableRandom random) {
        assertForward(m, w, gaussian(random, n * w.matrix().cols()), n, n + " tokens");
    }

    /** {@code m}'s product with {@code x} against the float64 product of the BF16-rounded activations. */
    private static void assertForward(OneDnnMatrix m, Weights w, float[] x, int n, String what) {
        int rows = w.matrix().rows(), cols = w.matrix().cols();
        float[] out = new float[n * rows];
        m.matmul(x, n, out);
        for (int t = 0; t < n; t++) {
            for (int r = 0; r < rows; r++) {
                double exact = 0, abs = 0;
                for (int c = 0; c < cols; c++) {
                    double p = (double) bf16Round(x[t * cols + c]) * w.values()[r * cols + c];
                    exact += p;
                    abs += Math.abs(p);
                }
                assertWithinFp32Accumulation(exact, abs, cols + 1, out[t * rows + r], what + ": token " + t + " row " + r);
            }
        }
    }

    @Test
    void transposedAccumulatesTheProductOfBf16RoundedGradients() {
        assumeBf16Matmul();
        SplittableRandom random = new SplittableRandom(2);
        for (int n : new int[]{20, 1030}) transposedAccumulates(random, 90, 50, n);
    }

    private static void transposedAccumulates(SplittableRandom random, int rows, int cols, int n) {
        Weights w = Weights.random(rows, cols, random);
        transposedAccumulates(new OneDnnMatrix(w.matrix(), dnn), w, random, n);
    }

    private static void transposedAccumulates(OneDnnMatrix m, Weights w, SplittableRandom random, int n) {
        int rows = w.matrix().rows(), cols = w.matrix().cols();
        float[] g = gaussian(random, n * rows), start = gaussian(random, n * cols), out = start.clone();
        m.matmulTransposedAccumulate(g, n, out);
        for (int t = 0; t < n; t++) {
            for (int c = 0; c < cols; c++) {
                double exact = start[t * cols + c], abs = Math.abs(exact);
                for (int r = 0; r < rows; r++) {
                    double p = (double) bf16Round(g[t * rows + r]) * w.values()[r * cols + c];
                    exact += p;
                    abs += Math.abs(p);
                }
                assertWithinFp32Accumulation(exact, abs, rows + 2, out[t * cols + c], n + " tokens: token " + t + " column " + c);
            }
        }
    }

    /**
     * A Q8_0 matrix (GGUF blocks of 32: an FP16 scale d, 32 int8 q; weight q·d) in chunks of 7 rows: each weight
     * rounded to BF16, times the BF16-rounded activation, summed in FP32 (float64 here, within the bound) — for one
     * chunk of tokens and for two (1030 = 1024 + 6); below {@link OneDnnMatrix#MIN_DECODED_TOKENS} it stays in Java.
     * (Q8_0 runs from its compressed weights by default, {@link CompressedWeightsTest}; this is the path of the
     * block formats without an integer layout.)
     */
    @Test
    void quantizedWeightsAreDecodedToBf16ChunkByChunk() {
        assumeBf16Matmul();
        SplittableRandom random = new SplittableRandom(5);
        int rows = 30, cols = 64, blocks = cols / 32;
        MemorySegment data = Arena.ofAuto().allocate((long) rows * blocks * 34);
        float[] w = new float[rows * cols];
        for (int b = 0; b < rows * blocks; b++) {
            float[] v = gaussian(random, 32);
            float max = 0;
            for (float f : v) max = Math.max(max, Math.abs(f));
            short dBits = Float.floatToFloat16(max / 127);
            float d = Float.float16ToFloat(dBits);
            data.set(ValueLayout.JAVA_SHORT_UNALIGNED, 34L * b, dBits);
            for (int j = 0; j < 32; j++) {
                byte q = (byte) Math.max(-127, Math.min(127, Math.round(v[j] / d)));
                data.set(ValueLayout.JAVA_BYTE, 34L * b + 2 + j, q);
                w[b * 32 + j] = q * d;
            }
        }
        Matrix q8 = new dev.hymt4j.quant.Q8_0Matrix(data, rows, cols);
        OneDnnMatrix decoded = new OneDnnMatrix(q8, dnn, 7 * 2 * cols, false, PackedWeights.BUDGET);
        assertEquals("java", decoded.kernel(OneDnnMatrix.MIN_DECODED_TOKENS - 1));
        for (int n : new int[]{OneDnnMatrix.MIN_DECODED_TOKENS + 3, 1030}) decodedProduct(decoded, w, rows, cols, n, random);
    }

    private static void decodedProduct(OneDnnMatrix decoded, float[] w, int rows, int cols, int n, SplittableRandom random) {
        float[] x = gaussian(random, n * cols), out = new float[n * rows];
        decoded.matmul(x, n, out);
        for (int t = 0; t < n; t++) {
            for (int r = 0; r < rows; r++) {
                double exact = 0, abs = 0;
                for (int c = 0; c < cols; c++) {
                    double p = (double) bf16Round(x[t * cols + c]) * bf16Round(w[r * cols + c]);
                    exact += p;
                    abs += Math.abs(p);
                }
                assertWithinFp32Accumulation(exact, abs, cols + 1, out[t * rows + r], "Q8_0 " + n + " tokens: token " + t + " row " + r);
            }
        }
    }

    @Test
    void fewTokensStayOnTheJavaKernels() {
        assumeBf16Matmul();
        SplittableRandom random = new SplittableRandom(3);
        int rows = 30, cols = 40, n = OneDnnMatrix.MIN_TOKENS - 1;
        Weights w = Weights.random(rows, cols, random);
        float[] x = gaussian(random, n * cols), viaDnn = new float[n * rows], java = new float[n * rows];
        new OneDnnMatrix(w.matrix(), dnn).matmul(x, n, viaDnn);
        w.matrix().matmul(x, n, java);
        assertArrayEquals(java, viaDnn);
    }

    /** oneDNN's products run on the caller's current thread budget, not on the count the process first had. */
    @Test
    void productsFollowTheThreadBudgetAsItChanges() {
        assumeTrue(System.getenv("OMP_NUM_THREADS") == null, "OMP_NUM_THREADS is set: the user's count holds");
        assumeTrue(dnn.openMpThreads() > 0, "omp_get_max_threads not found: skipped");
        int before = dev.hymt4j.tensor.Parallel.defaultThreads(), rows = 8, cols = 32, n = OneDnnMatrix.MIN_TOKENS;
        MappedMatrix f32 = new MappedMatrix(Arena.ofAuto().allocate(4L * rows * cols, 64), DType.F32, rows, cols);
        OneDnnMatrix m = new OneDnnMatrix(f32, dnn);
        try {
            for (int threads : new int[]{1, 2, 1}) {
                dev.hymt4j.tensor.Parallel.setThreads(threads);
                m.matmul(new float[n * cols], n, new float[n * rows]);
                assertEquals(threads, dnn.openMpThreads(), "OpenMP threads after a product with a budget of " + threads);
            }
        } finally {
            dev.hymt4j.tensor.Parallel.setThreads(before);
        }
    }
}
