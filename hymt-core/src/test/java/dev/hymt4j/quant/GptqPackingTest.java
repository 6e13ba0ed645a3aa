package dev.hymt4j.quant;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GptqPackingTest {

    @Test
    void fourBitWordsHoldEightInputRowsLowNibbleFirst() {
        // One output column, eight input rows with codes 0..7: word = 0x76543210 (spec §4.6, least significant first).
        int[] codes = {0, 1, 2, 3, 4, 5, 6, 7};
        assertArrayEquals(new int[]{0x76543210}, GptqPacking.packWeight(codes, 1, 8, 4));
        // Codes 15 in the top nibble make the int32 negative (uint32 reinterpreted).
        int[] high = {0, 0, 0, 0, 0, 0, 0, 15};
        assertEquals(0xF0000000, GptqPacking.packWeight(high, 1, 8, 4)[0]);
    }

    @Test
    void qweightIsInputMajorAcrossOutputColumns() {
        // N = 2 outputs, K = 8 inputs: qweight [1, 2]; output 1's codes go to word 1.
        int[] codes = new int[16];
        for (int i = 0; i < 8; i++) codes[8 + i] = 1;     // row o = 1, all inputs code 1
        assertArrayEquals(new int[]{0, 0x11111111}, GptqPacking.packWeight(codes, 2, 8, 4));
    }

    @Test
    void symmetricFourBitZerosAreAllSevensInV1() {
        int groups = 3, n = 16;
        int[] zeros = new int[groups * n];
        java.util.Arrays.fill(zeros, 8);
        int[] packed = GptqPacking.packZeros(zeros, groups, n, 4, false);
        for (int w : packed) assertEquals(0x77777777, w);
        assertEquals(2004318071, packed[0]);
        int[] v2 = GptqPacking.packZeros(zeros, groups, n, 4, true);
        for (int w : v2) assertEquals(0x88888888, w);
    }

    @Test
    void packUnpackIdentityForEveryBitWidth() {
        Random random = new Random(7);
        for (int bits : GptqConfig.SUPPORTED_BITS) {
            int pf = 32 / bits, n = 3 * pf, k = 5 * pf, groups = 4, maxq = (1 << bits) - 1;
            int[] codes = new int[n * k];
            for (int i = 0; i < codes.length; i++) codes[i] = random.nextInt(maxq + 1);
            assertArrayEquals(codes, GptqPacking.unpackWeight(GptqPacking.packWeight(codes, n, k, bits), n, k, bits), "bits " + bits);
            for (boolean v2 : new boolean[]{false, true}) {
                int[] zeros = new int[groups * n];
                for (int i = 0; i < zeros.length; i++) zeros[i] = (v2 ? 0 : 1) + random.nextInt(maxq);
                assertArrayEquals(zeros, GptqPacking.unpackZeros(GptqPacking.packZeros(zeros, groups, n, bits, v2), groups, n, bits, v2));
            }
        }
    }

    @Test
    void v1CannotStoreAZeroOfZero() {
        int[] zeros = new int[8];
        var e = assertThrows(IllegalArgumentException.class, () -> GptqPacking.packZeros(zeros, 1, 8, 4, false));
        assertTrue(e.getMessage().contains("zero - 1"), e.getMessage());
        GptqPacking.packZeros(zeros, 1, 8, 4, true);
    }

    @Test
    void unsupportedBitsAndGroupSizesAreClearErrors() {
        for (int bits : new int[]{0, 1, 3, 5, 16}) {
            var e = assertThrows(IllegalArgumentException.class, () -> GptqConfig.checkBits(bits, "--bits"));
            assertTrue(e.getMessage().contains("supported: 2, 4 and 8"), e.getMessage());
        }
        for (int gs : new int[]{0, -2, 8, 100, 8192}) {
            var e = assertThrows(IllegalArgumentException.class, () -> GptqConfig.checkGroupSize(gs, "--group-size"));
            assertTrue(e.getMessage().contains("power of two from 16 to 4096"), e.getMessage());
        }
        GptqConfig.checkGroupSize(-1, null);
        GptqConfig.checkGroupSize(128, null);
    }
}
