package dev.hymt4j.onednn;

import dev.hymt4j.gguf.GgmlType;
import dev.hymt4j.quant.BlockCodec;
import dev.hymt4j.weights.MatrixFormats;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import static dev.hymt4j.onednn.OneDnnMatrixTest.assumeBf16Matmul;
import static dev.hymt4j.onednn.OneDnnMatrixTest.gaussian;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Block formats with an integer layout run from their compressed weights (int8 / int4 quants with grouped scales;
 * Q4_K's mins subtracted after): each output against the float64 product of the codec's dequantized weights
 * (ggml's {@code dequantize_row_*}) and the activations. The bound covers the two BF16 roundings of this path —
 * the activations, and each decompressed weight {@code q·scale} (at most 2⁻⁹ relative each) — with a factor 4:
 * {@code 2⁻⁷·Σ|x|·(|w| + max|w|)} (the weight term's magnitude before a min is subtracted is at most
 * {@code |w| + max|w|}). A wrong nibble order, group, scale or min would be off by the order of {@code Σ|x·w|}.
 */
class CompressedWeightsTest {
    @BeforeAll
    static void library() {
        assumeTrue(OneDnn.get().isPresent(), "oneDNN cannot load on this platform: skipped");
        OneDnnMatrixTest.dnn = OneDnn.get().orElseThrow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Q8_0", "Q4_0", "Q4_K"})
    void compressedProductsMatchTheDequantizedWeights(String format) {
        assumeBf16Matmul();
        GgmlType type = GgmlType.valueOf(format);
        SplittableRandom random = new SplittableRandom(format.hashCode());
        int rows = 37, cols = 512, rowBytes = (int) type.rowBytes(cols);
        BlockCodec codec = BlockCodec.of(type);
        byte[] bytes = new byte[rows * rowBytes];
        for (int r = 0; r < rows; r++) codec.quantize(gaussian(random, cols), 0, cols, bytes, r * rowBytes);
        MemorySegment data = Arena.ofAuto().allocate(bytes.length, 64);
        MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, 0, bytes.length);
        float[] w = new float[rows * cols];
        for (int r = 0; r < rows; r++) codec.dequantize(data, (long) r * rowBytes, cols, w, r * cols);
        OneDnnMatrix m = new OneDnnMatrix(MatrixFormats.create(format, data, rows, cols), OneDnnMatrixTest.dnn);
        assertEquals("java", m.kernel(OneDnnMatrix.MIN_COMPRESSED_TOKENS - 1));
        String kernel = m.kernel(OneDnnMatrix.MIN_COMPRESSED_TOKENS);
        assertFalse(kernel.startsWith("ref"), "an optimized oneDNN kernel, not its reference: " + kernel);
        for (int n : new int[]{OneDnnMatrix.MIN_COMPRESSED_TOKENS, 37}) {
            float[] x = gaussian(random, n * cols), out = new float[n * rows];
            m.matmul(x, n, out);
            for (int t = 0; t < n; t++) {
                for (int r = 0; r < rows; r++) {
                    double exact = 0, bound = 0, max = 0;
                    for (int c = 0; c < cols; c++) max = Math.max(max, Math.abs(w[r * cols + c]));
                    for (int c = 0; c < cols; c++) {
                        double a = x[t * cols + c], b = w[r * cols + c];
                        exact += a * b;
                        bound += Math.abs(a) * (Math.abs(b) + max);
                    }
                    assertEquals(exact, out[t * rows + r], 0x1p-7 * bound, format + " " + n + " tokens: token " + t + " row " + r);
                }
            }
        }
    }
}
