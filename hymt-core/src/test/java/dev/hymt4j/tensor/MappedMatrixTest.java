package dev.hymt4j.tensor;

import dev.hymt4j.safetensors.DType;
import dev.hymt4j.safetensors.TensorData;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class MappedMatrixTest {
    /** 70 columns: not a multiple of any vector length, so the scalar tails run too. */
    static final int ROWS = 37, COLS = 70, TOKENS = 6;

    @Test
    void everyKernelPathAgreesWithAPlainDoubleProduct() {
        SplittableRandom random = new SplittableRandom(5);
        float[] weights = new float[ROWS * COLS];
        ByteBuffer bf16 = ByteBuffer.allocate(weights.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < weights.length; i++) {
            short bits = TensorData.floatToBf16((float) random.nextGaussian());
            bf16.putShort(bits);
            weights[i] = TensorData.bf16ToFloat(bits); // the exact values the BF16 matrix holds
        }
        float[] x = new float[TOKENS * COLS];
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        MappedMatrix f32 = MappedMatrix.ofFloats(weights, ROWS, COLS);
        MappedMatrix b16 = new MappedMatrix(MemorySegment.ofArray(bf16.array()), DType.BF16, ROWS, COLS);

        float[] batchF32 = new float[TOKENS * ROWS], batchBf16 = new float[TOKENS * ROWS];
        f32.matmulRows(x, TOKENS, batchF32, 0, ROWS);  // 2-row × 4-token blocks, 2 leftover tokens, odd last row
        b16.matmulRows(x, TOKENS, batchBf16, 0, ROWS);
        for (int t = 0; t < TOKENS; t++) {
            float[] one = new float[ROWS], xt = java.util.Arrays.copyOfRange(x, t * COLS, (t + 1) * COLS);
            b16.matmulRows(xt, 1, one, 0, ROWS);            // fused BF16 decode path
            for (int r = 0; r < ROWS; r++) {
                double exact = 0;
                for (int c = 0; c < COLS; c++) exact += (double) weights[r * COLS + c] * x[t * COLS + c];
                assertEquals(exact, batchF32[t * ROWS + r], 1e-4, "F32 token " + t + " row " + r);
                // Same values, and every path sums a (row, token) in the same order: bit-identical (batch invariance).
                assertEquals(batchF32[t * ROWS + r], batchBf16[t * ROWS + r], 0f, "BF16 batch token " + t + " row " + r);
                assertEquals(batchF32[t * ROWS + r], one[r], 0f, "BF16 fused token " + t + " row " + r);
            }
        }
    }
}
