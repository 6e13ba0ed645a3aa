package dev.hymt4j.quant;

import dev.hymt4j.tensor.MappedMatrix;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Nf4Test {
    @Test
    void codeTableAndThresholdsAreTheSpecsFloat32Values() {
        float[] t = Nf4.thresholds();
        float[] spec = {-0.84809637f, -0.61063290f, -0.45999527f, -0.33967942f, -0.23460740f, -0.13791174f, -0.045525018f,
                0.039790150f, 0.12025525f, 0.20352125f, 0.29201376f, 0.38931254f, 0.50166345f, 0.64278692f, 0.86147845f};
        assertArrayEquals(spec, t);
        assertEquals(-0.6961928009986877f, Nf4.value(1));
        assertEquals(0.07958029955625534f, Nf4.value(8));
        assertEquals(0x3f3913b3, Float.floatToRawIntBits(Nf4.value(14)));
    }

    /**
     * One short block, worked by hand: absmax = 2, so s = x/2 = [1, −1, 0, 0.5, −0.25, 0.1, 0.05, 0.8].
     * Codes (thresholds strictly below s): 1 → 15, −1 → 0, 0 → 7 (the seven negative thresholds), 0.5 → 12
     * (0.50166345 is not below), −0.25 → 4, 0.1 → 8, 0.05 → 8, 0.8 → 14. Packed high nibble first:
     * F0, 7C, 48, 8E.
     */
    @Test
    void quantizesAndPacksAHandWorkedBlock() {
        float[] x = {2f, -2f, 0f, 1f, -0.5f, 0.2f, 0.1f, 1.6f};
        Nf4Matrix m = Nf4Matrix.quantize(MappedMatrix.ofFloats(x, 1, 8), 64, false);
        assertArrayEquals(new byte[]{(byte) 0xF0, 0x7C, 0x48, (byte) 0x8E}, m.packed());
        assertEquals(2f, m.absmax(0));
        float[] row = new float[8];
        m.readRow(0, row, 0);
        assertArrayEquals(new float[]{2f, -2f, 0f, 2 * Nf4.value(12), 2 * Nf4.value(4), 2 * Nf4.value(8), 2 * Nf4.value(8),
                2 * Nf4.value(14)}, row);
    }

    /** A value exactly on a threshold takes the lower code; an odd count pads with a zero nibble. */
    @Test
    void tieTakesTheLowerCodeAndOddCountPads() {
        float t7 = Nf4.thresholds()[7];
        Nf4Matrix m = Nf4Matrix.quantize(MappedMatrix.ofFloats(new float[]{1f, t7, -1f}, 1, 3), 64, false);
        // codes 15, 7, 0 → bytes F7, 00 (padding nibble 0)
        assertArrayEquals(new byte[]{(byte) 0xF7, 0x00}, m.packed());
        float above = Math.nextUp(t7);
        assertArrayEquals(new byte[]{(byte) 0xF8}, Nf4Matrix.quantize(MappedMatrix.ofFloats(new float[]{1f, above}, 1, 2), 64, false).packed());
    }

    /** Blocks are 64 consecutive elements of the flattened matrix, spanning rows when a row is shorter. */
    @Test
    void blocksFollowTheFlattenedOrder() {
        float[] x = new float[3 * 40];
        for (int i = 0; i < x.length; i++) x[i] = i < 64 ? 0.5f : (i < 128 ? -4f : 0f);
        x[10] = 1f;
        Nf4Matrix m = Nf4Matrix.quantize(MappedMatrix.ofFloats(x, 3, 40), 64, false);
        assertEquals(2, m.blocks());
        assertEquals(1f, m.absmax(0));
        assertEquals(4f, m.absmax(1));
        byte[] p = m.packed();
        assertEquals((byte) 0xCC, p[0]);       // 0.5/1 → 12, 12
        assertEquals((byte) 0xFC, p[5]);       // elements 10, 11: 1 → 15 (high nibble), 0.5 → 12 (low nibble)
        assertEquals((byte) 0x00, p[40]);      // elements 80, 81: −4/4 → code 0
        float[] row1 = new float[40];
        m.readRow(1, row1, 0);
        assertEquals(Nf4.value(12), row1[23]);   // element 63, block 0
        assertEquals(-4f, row1[24]);                        // element 64, block 1
    }

    @Test
    void matmulAndTransposedProductEqualTheDequantizedDenseOnes() {
        SplittableRandom rng = new SplittableRandom(1);
        int rows = 37, cols = 70, n = 5;
        float[] w = new float[rows * cols], x = new float[n * cols], g = new float[n * rows];
        for (int i = 0; i < w.length; i++) w[i] = (float) rng.nextGaussian();
        for (int i = 0; i < x.length; i++) x[i] = (float) rng.nextGaussian();
        for (int i = 0; i < g.length; i++) g[i] = (float) rng.nextGaussian();
        Nf4Matrix q = Nf4Matrix.quantize(MappedMatrix.ofFloats(w, rows, cols), 64, true);
        float[] dense = new float[rows * cols];
        for (int r = 0; r < rows; r++) q.readRow(r, dense, r * cols);
        MappedMatrix d = MappedMatrix.ofFloats(dense, rows, cols);
        float[] y1 = new float[n * rows], y2 = new float[n * rows];
        q.matmul(x, n, y1);
        d.matmul(x, n, y2);
        assertArrayEquals(y2, y1, 1e-5f);
        float[] dx1 = new float[n * cols], dx2 = new float[n * cols];
        q.matmulTransposedAccumulate(g, n, dx1);
        d.matmulTransposedAccumulate(g, n, dx2);
        assertArrayEquals(dx2, dx1, 1e-5f);
        // NF4 is a 4-bit code: the dequantized weights are close to the originals, not equal.
        double err = 0, ref = 0;
        for (int i = 0; i < w.length; i++) {
            err += (dense[i] - w[i]) * (dense[i] - w[i]);
            ref += w[i] * w[i];
        }
        assertTrue(Math.sqrt(err / ref) < 0.12, "NF4 relative error " + Math.sqrt(err / ref));
    }

    @Test
    void doubleQuantizationRoundTripsTheAbsmaxValues() {
        float[] map = DynamicMap8.table();
        assertEquals(256, map.length);
        for (int i = 1; i < 256; i++) assertTrue(map[i] > map[i - 1] || (map[i] == 0 && map[i - 1] == 0), "sorted at " + i);
        assertEquals(1f, map[255]);
        // i = 6: linspace(0.1, 1, 65) ends with 0.9859375, 1.0, whose mean 0.99296875 (×10⁰) is the largest magnitude.
        assertEquals(-0.99296875f, map[0], 1e-7f);
        assertEquals(0.99296875f, map[254], 1e-7f);
        for (int i = 0; i < 256; i++) assertEquals(i, DynamicMap8.encode(map, map[i]), "code of map[" + i + "]");

        SplittableRandom rng = new SplittableRandom(2);
        int rows = 300, cols = 128;   // 600 blocks → 3 nested blocks of 256 (the last one short)
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) (rng.nextGaussian() * (1 + (i / 64) % 7));
        Nf4Matrix plain = Nf4Matrix.quantize(MappedMatrix.ofFloats(w, rows, cols), 64, false);
        Nf4Matrix dq = Nf4Matrix.quantize(MappedMatrix.ofFloats(w, rows, cols), 64, true);
        assertArrayEquals(plain.packed(), dq.packed(), "the 4-bit codes do not depend on double quantization");
        // The reconstruction error is at most half the widest gap of the dynamic map (0.9/64/2 on [0.1, 1]) times
        // the nested scale max|absmax − mean| of the block's group of 256.
        double mean = 0;
        for (int b = 0; b < plain.blocks(); b++) mean += plain.absmax(b);
        mean = (float) (mean / plain.blocks());
        for (int b = 0; b < plain.blocks(); b++) {
            double nested = 0;
            for (int j = b / 256 * 256; j < Math.min(plain.blocks(), b / 256 * 256 + 256); j++) {
                nested = Math.max(nested, Math.abs(plain.absmax(j) - mean));
            }
            float a = plain.absmax(b), r = dq.absmax(b);
            assertTrue(Math.abs(a - r) <= 0.9 / 64 / 2 * nested * 1.0001, "block " + b + ": absmax " + a + " reconstructed as " + r);
        }
        assertTrue(dq.storageBytes() < plain.storageBytes());
        assertEquals(w.length / 2 + 600 + 3 * 4 + 256 * 4 + 4, dq.storageBytes());
    }
}
