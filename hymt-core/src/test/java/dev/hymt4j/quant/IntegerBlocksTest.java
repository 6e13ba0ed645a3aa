package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The integer layout of a block row, {@code q·scale − min}, against the codec's dequantization (ggml's
 * {@code dequantize_row_*}, which forms the same two products in float): bit for bit, every value, rows of several
 * blocks; and each quant within its format's range.
 */
class IntegerBlocksTest {
    @ParameterizedTest
    @ValueSource(strings = {"Q8_0", "Q4_0", "Q4_K"})
    void integersTimesScalesLessMinsAreTheDequantizedWeights(String format) {
        GgmlType type = GgmlType.valueOf(format);
        IntegerBlocks layout = IntegerBlocks.of(type).orElseThrow();
        int rows = 5, cols = 768;
        BlockMatrixKernelTest.Case c = BlockMatrixKernelTest.quantized(type, rows, cols, 41);
        BlockMatrix m = (BlockMatrix) c.matrix();
        byte[] q = new byte[cols];
        float[] scales = new float[cols / layout.group()], mins = new float[cols / 32];
        int lo = layout.signed() ? -(1 << layout.bits() - 1) : 0, hi = layout.signed() ? (1 << layout.bits() - 1) - 1 : (1 << layout.bits()) - 1;
        for (int r = 0; r < rows; r++) {
            layout.row(m, r, q, scales, mins);
            for (int i = 0; i < cols; i++) {
                assertTrue(q[i] >= lo && q[i] <= hi, format + " quant " + q[i] + " outside [" + lo + ", " + hi + "]");
                float w = q[i] * scales[i / layout.group()] - (layout.mins() ? mins[i / 32] : 0f);
                assertEquals(Float.floatToRawIntBits(c.dequantized()[r * cols + i]), Float.floatToRawIntBits(w),
                        format + " row " + r + " column " + i + ": " + w + " vs " + c.dequantized()[r * cols + i]);
            }
        }
    }

    @Test
    void aRowOfAnotherFormatIsRefused() {
        BlockMatrix q4 = (BlockMatrix) BlockMatrixKernelTest.quantized(GgmlType.Q4_0, 2, 64, 3).matrix();
        IntegerBlocks q8 = IntegerBlocks.of(GgmlType.Q8_0).orElseThrow();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q8.row(q4, 0, new byte[64], new float[2], new float[2]));
        assertEquals("a Q4_0 matrix, not Q8_0", e.getMessage());
    }

    @Test
    void formatsWithoutAnIntegerLayoutHaveNone() {
        assertTrue(IntegerBlocks.of(GgmlType.Q6_K).isEmpty());
        assertTrue(IntegerBlocks.of(GgmlType.Q5_K).isEmpty());
        assertTrue(IntegerBlocks.of(GgmlType.F16).isEmpty());
    }
}
