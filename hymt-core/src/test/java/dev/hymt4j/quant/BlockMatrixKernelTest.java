package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;
import dev.hymt4j.tensor.Matrix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The quantized matrix kernels against a float64 product of the dequantized weights, and the batch-invariance
 * rule: a (row, token) result is bit-identical whatever the token count, the position in the batch, or the
 * row range. Surefire runs this class at every vector width the machine has and with the scalar kernels
 * ({@code -Dhymt.vector.bits}, see hymt-core/pom.xml).
 */
class BlockMatrixKernelTest {
    static final int ROWS = 13;

    static Stream<Arguments> formats() {
        return Stream.of(
                Arguments.of(GgmlType.Q8_0, 96), Arguments.of(GgmlType.Q8_0, 2048),
                Arguments.of(GgmlType.Q4_0, 64), Arguments.of(GgmlType.Q4_0, 1056),
                Arguments.of(GgmlType.Q4_1, 96), Arguments.of(GgmlType.Q5_0, 160), Arguments.of(GgmlType.Q5_1, 32),
                Arguments.of(GgmlType.Q4_K, 256), Arguments.of(GgmlType.Q4_K, 1536), Arguments.of(GgmlType.Q4_K, 2304),
                Arguments.of(GgmlType.Q5_K, 256), Arguments.of(GgmlType.Q5_K, 768), Arguments.of(GgmlType.Q5_K, 1280),
                Arguments.of(GgmlType.Q6_K, 256), Arguments.of(GgmlType.Q6_K, 1280));
    }

    record Case(Matrix matrix, float[] dequantized) {}

    static Case quantized(GgmlType type, int cols, long seed) {
        return quantized(type, ROWS, cols, seed);
    }

    static Case quantized(GgmlType type, int rows, int cols, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) (random.nextGaussian() * (1 + (i / 97) % 5) + (i % 7 == 0 ? 0.3 : 0));
        int rowBytes = (int) type.rowBytes(cols);
        byte[] bytes = new byte[rows * rowBytes];
        BlockCodec codec = BlockCodec.of(type);
        for (int r = 0; r < rows; r++) codec.quantize(w, r * cols, cols, bytes, r * rowBytes);
        float[] dq = new float[w.length];
        codec.dequantize(MemorySegment.ofArray(bytes), 0, w.length, dq, 0);
        return new Case(dev.hymt4j.weights.MatrixFormats.create(type.name(), MemorySegment.ofArray(bytes), rows, cols), dq);
    }

    static float[] activations(int n, int cols, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[n * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        return x;
    }

    @ParameterizedTest
    @MethodSource("formats")
    void matchesAFloat64ProductOfTheDequantizedWeights(GgmlType type, int cols) {
        Case c = quantized(type, cols, cols + type.id());
        int n = 13; // two 6-token tiles and a tail token; three 4-row quads and a tail row
        float[] x = activations(n, cols, 3);
        float[] out = new float[n * ROWS];
        c.matrix().matmulRows(x, n, out, 0, ROWS);
        for (int t = 0; t < n; t++) {
            for (int r = 0; r < ROWS; r++) {
                double exact = 0, magnitude = 0;
                for (int k = 0; k < cols; k++) {
                    double p = (double) c.dequantized()[r * cols + k] * x[t * cols + k];
                    exact += p;
                    magnitude += Math.abs(p);
                }
                // float32 accumulation over `cols` terms: a few ulps of the sum of magnitudes
                assertEquals(exact, out[t * ROWS + r], 2e-6 * magnitude, type + " token " + t + " row " + r);
            }
        }
        float[] row = new float[cols];
        c.matrix().readRow(5, row, 0);
        assertArrayEquals(java.util.Arrays.copyOfRange(c.dequantized(), 5 * cols, 6 * cols), row);
    }

    /**
     * dot1's summation order as BlockMatrix documents it, written out here: slot p (the {@code slotColumn(p)}
     * column's L values, weights as decodeRow gives them) is in unit {@code u = p / unitSlots} of U and goes to
     * chain {@code (u − U) mod 4} (one chain where unitSlots is 0), lane by lane {@code fma(w, x, acc)}; the chains added {@code (c0 + c1) + (c2 + c3)};
     * the lanes folded in Lanes.sum's order; the min terms, {@code m += coefficient·sum} over the sub-blocks in
     * order, subtracted. Bit for bit against the one-token product, so a format's unitSlots cannot drift from
     * what its kernel does (the GEMM path follows unitSlots, and the other tests hold it to dot1).
     */
    @ParameterizedTest
    @MethodSource("formats")
    void dot1SumsTheChainsInTheDocumentedOrder(GgmlType type, int cols) {
        if (!QuantVectors.ENABLED) return; // the scalar kernels sum in element order
        BlockMatrix m = (BlockMatrix) quantized(type, cols, cols + 31).matrix();
        int lanes = QuantVectors.F.length(), unit = m.unitSlots(), per = m.sumsPerToken();
        int units = unit == 0 ? 0 : cols / lanes / unit;
        float[] x = activations(1, cols, 37), out = new float[ROWS], w = new float[cols];
        float[] sums = m.activationSums(x, 1);
        m.matmulRows(x, 1, out, 0, ROWS);
        int[] slotOrder = new int[cols / lanes];
        for (int p = 0; p < slotOrder.length; p++) slotOrder[p] = p * lanes;
        for (int r = 0; r < ROWS; r++) {
            m.decodeRow(r, w, 0, slotOrder);
            float[][] chains = new float[4][lanes];
            for (int p = 0; p < cols / lanes; p++) {
                float[] acc = chains[unit == 0 ? 0 : Math.floorMod(p / unit - units, 4)];
                for (int j = 0; j < lanes; j++) acc[j] = Math.fma(w[p * lanes + j], x[m.slotColumn(p) + j], acc[j]);
            }
            float[] combined = chains[0].clone();
            if (unit > 0) {
                for (int j = 0; j < lanes; j++) combined[j] = (chains[0][j] + chains[1][j]) + (chains[2][j] + chains[3][j]);
            }
            float expected = dev.hymt4j.tensor.Lanes.sum(jdk.incubator.vector.FloatVector.fromArray(QuantVectors.F, combined, 0));
            if (per > 0) {
                float[] mins = new float[per];
                m.decodeMins(r, mins, 0);
                float minSum = 0;
                for (int j = 0; j < per; j++) minSum += mins[j] * sums[j];
                expected -= minSum;
            }
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(out[r]),
                    type + " cols " + cols + " row " + r + ": " + out[r] + " vs " + expected + " summed as documented");
        }
    }

    /** readRowFast: every weight as the reference dequantizes it, within one ulp, in column order, every row. */
    @ParameterizedTest
    @MethodSource("formats")
    void fastRowReadsAreTheDequantizedWeights(GgmlType type, int cols) {
        Case c = quantized(type, cols, cols + 7);
        float[] row = new float[cols + 3];
        for (int r = 0; r < ROWS; r++) {
            ((BlockMatrix) c.matrix()).readRowFast(r, row, 3);
            for (int k = 0; k < cols; k++) {
                float expected = c.dequantized()[r * cols + k];
                assertEquals(expected, row[3 + k], Math.ulp(expected), type + " row " + r + " column " + k);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("formats")
    void resultsAreBitIdenticalWhateverTheBatchAndTheRowSplit(GgmlType type, int cols) {
        Case c = quantized(type, cols, 11);
        int n = 7;
        float[] x = activations(n, cols, 5);
        float[] batch = new float[n * ROWS];
        c.matrix().matmulRows(x, n, batch, 0, ROWS);
        for (int t = 0; t < n; t++) {
            float[] alone = new float[ROWS];
            c.matrix().matmulRows(java.util.Arrays.copyOfRange(x, t * cols, (t + 1) * cols), 1, alone, 0, ROWS);
            for (int r = 0; r < ROWS; r++) {
                assertEquals(Float.floatToRawIntBits(alone[r]), Float.floatToRawIntBits(batch[t * ROWS + r]),
                        type + ": token " + t + " row " + r + " alone vs in a batch of " + n);
            }
        }
        // shifted into another position of a batch of 5, and computed in row pieces
        float[] shifted = new float[5 * cols];
        System.arraycopy(x, 0, shifted, 3 * cols, cols);
        float[] pieces = new float[5 * ROWS];
        c.matrix().matmulRows(shifted, 5, pieces, 0, 4);
        c.matrix().matmulRows(shifted, 5, pieces, 4, 9);
        c.matrix().matmulRows(shifted, 5, pieces, 9, ROWS);
        for (int r = 0; r < ROWS; r++) assertEquals(Float.floatToRawIntBits(batch[r]), Float.floatToRawIntBits(pieces[3 * ROWS + r]));
        float[] parallel = new float[n * ROWS];
        c.matrix().matmul(x, n, parallel);
        assertArrayEquals(batch, parallel);
    }

    /**
     * The tile path (n ≥ {@link BlockMatrix#TILE_MIN_TOKENS}) against dot1 (each token alone), bit for bit, for
     * every token count 1..13 (whole 6-token tiles and every short last tile), on a matrix of two GEMM panels
     * plus a tail of 7 rows, whole and in row ranges whose bounds split panels and blocks (what the
     * threads of {@code matmul} get).
     */
    @ParameterizedTest
    @MethodSource("formats")
    void tilesMatchDot1BitForBitForEveryTokenCountTailAndRowSplit(GgmlType type, int cols) {
        // past two GEMM panels, with a tail of 7 rows
        int rows = 2 * dev.hymt4j.tensor.PackedGemm.PANEL_ROWS + 7;
        Case c = quantized(type, rows, cols, 23);
        int most = 13;
        float[] x = activations(most, cols, 29);
        float[][] alone = new float[most][rows];
        for (int t = 0; t < most; t++) {
            c.matrix().matmulRows(java.util.Arrays.copyOfRange(x, t * cols, (t + 1) * cols), 1, alone[t], 0, rows);
        }
        int[][] splits = {{0, rows}, {0, 5, rows - 6, rows}, {0, 3, 4, 9, rows}};
        for (int n = 1; n <= most; n++) {
            for (int[] bounds : splits) {
                float[] out = new float[n * rows];
                for (int i = 0; i + 1 < bounds.length; i++) c.matrix().matmulRows(x, n, out, bounds[i], bounds[i + 1]);
                for (int t = 0; t < n; t++) {
                    for (int r = 0; r < rows; r++) {
                        int expected = Float.floatToRawIntBits(alone[t][r]), actual = Float.floatToRawIntBits(out[t * rows + r]);
                        if (expected != actual) {
                            assertEquals(expected, actual, type + " cols " + cols + ": token " + t + " row " + r
                                    + " of a batch of " + n + " in row ranges " + java.util.Arrays.toString(bounds) + ": " + out[t * rows + r]
                                    + " vs " + alone[t][r] + " alone");
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("formats")
    void transposedProductMatchesFloat64(GgmlType type, int cols) {
        Case c = quantized(type, cols, 17);
        int n = 3;
        float[] g = activations(n, ROWS, 9);
        float[] out = new float[n * cols];
        int c0 = cols / 3, c1 = cols - 5;
        c.matrix().accumulateTransposed(g, n, out, c0, c1);
        for (int t = 0; t < n; t++) {
            for (int k = 0; k < cols; k++) {
                double exact = 0;
                for (int r = 0; r < ROWS; r++) exact += (double) g[t * ROWS + r] * c.dequantized()[r * cols + k];
                assertEquals(k >= c0 && k < c1 ? exact : 0, out[t * cols + k], 1e-4 * (1 + Math.abs(exact)), type + " col " + k);
            }
        }
    }

    /**
     * The kernels' register unpacking of Q4_K/Q5_K's 12 packed scale/min bytes against {@code get_scale_min_k4}
     * as the codec implements it (spec §5.6), on random bytes (every bit pattern of the top two bits occurs).
     */
    @org.junit.jupiter.api.Test
    void scaleAndMinBytesMatchGetScaleMinK4() {
        SplittableRandom random = new SplittableRandom(21);
        byte[] block = new byte[16]; // d, dmin, then the 12 packed bytes
        int[] q = new int[12];
        for (int trial = 0; trial < 2000; trial++) {
            random.nextBytes(block);
            for (int i = 0; i < 12; i++) q[i] = block[4 + i] & 0xFF;
            MemorySegment m = MemorySegment.ofArray(block);
            long head = m.get(BlockCodecs.I64, 0), packed = m.get(BlockCodecs.I64, 8);
            long scales = Q4_KMatrix.scaleBytes(head, packed), mins = Q4_KMatrix.minBytes(packed);
            for (int j = 0; j < 8; j++) {
                assertEquals(KQuants.scaleK4(j, q), (int) (scales >>> 8 * j) & 0xFF, "scale " + j + " of trial " + trial);
                assertEquals(KQuants.minK4(j, q), (int) (mins >>> 8 * j) & 0xFF, "min " + j + " of trial " + trial);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void theWidthAskedForIsTheWidthUsed() {
        String property = System.getProperty("hymt.vector.bits", "512");
        int asked = property.equals("scalar") ? 0 : Integer.parseInt(property);
        int available = Math.min(asked, jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize());
        String expected = available < 256 ? "scalar" : available + "-bit";
        assertEquals(expected, QuantVectors.describe());
        System.out.println("quantized kernels: " + QuantVectors.describe());
    }
}
