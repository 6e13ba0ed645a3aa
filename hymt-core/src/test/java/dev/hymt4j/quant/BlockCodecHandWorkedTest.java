package dev.hymt4j.quant;

import dev.hymt4j.gguf.GgmlType;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Blocks worked out by hand from the layouts and formulas of spec formats.md §5.6 (and ggml-quants.c for the
 * rounding rules); the expected bytes and values are written here, not produced by the code under test.
 */
class BlockCodecHandWorkedTest {
    static byte[] quantize(GgmlType type, float[] x) {
        byte[] out = new byte[(int) type.rowBytes(x.length)];
        BlockCodec.of(type).quantize(x, 0, x.length, out, 0);
        return out;
    }

    static float[] dequantize(GgmlType type, byte[] bytes, int n) {
        float[] y = new float[n];
        BlockCodec.of(type).dequantize(MemorySegment.ofArray(bytes), 0, n, y, 0);
        return y;
    }

    static int u8(byte b) {
        return b & 0xFF;
    }

    @Test
    void ggmlRoundingRules() {
        // nearest_int: ties to even; roundf: ties away from zero
        assertEquals(2, GgmlFloats.nearestInt(2.5f));
        assertEquals(4, GgmlFloats.nearestInt(3.5f));
        assertEquals(-2, GgmlFloats.nearestInt(-2.5f));
        assertEquals(-3, GgmlFloats.nearestInt(-2.6f));
        assertEquals(3f, GgmlFloats.roundf(2.5f));
        assertEquals(-3f, GgmlFloats.roundf(-2.5f));
        assertEquals(0f, GgmlFloats.roundf(0.49999997f));
        // fp16: RNE, every NaN to 0x7E00 with its sign, overflow to infinity
        assertEquals((short) 0x3C00, GgmlFloats.toHalf(1f));
        assertEquals((short) 0x3555, GgmlFloats.toHalf(1f / 3));
        assertEquals((short) 0x7E00, GgmlFloats.toHalf(Float.intBitsToFloat(0x7FC00001)));
        assertEquals((short) 0xFE00, GgmlFloats.toHalf(Float.intBitsToFloat(0xFF800001)));
        assertEquals((short) 0x7C00, GgmlFloats.toHalf(65520f));
        // bf16: RNE (0x3F808000 is exactly half-way: stays even at 0x3F80), quiet NaN
        assertEquals((short) 0x3F80, GgmlFloats.toBf16(Float.intBitsToFloat(0x3F808000)));
        assertEquals((short) 0x3F82, GgmlFloats.toBf16(Float.intBitsToFloat(0x3F818000)));
        assertEquals((short) 0x7FC1, GgmlFloats.toBf16(Float.intBitsToFloat(0x7F810000)));
    }

    @Test
    void q8_0() {
        // amax 127 → d = 1 (fp16 0x3C00), id = 1; q = roundf(x), halves away from zero
        float[] x = new float[32];
        float[] values = {127f, 2.5f, -2.5f, 0.5f, -0.5f, 1.4999999f, -127f, 63.51f};
        System.arraycopy(values, 0, x, 0, values.length);
        byte[] b = quantize(GgmlType.Q8_0, x);
        assertEquals(34, b.length);
        assertEquals(0x00, u8(b[0]));
        assertEquals(0x3C, u8(b[1]));
        assertArrayEquals(new byte[] {127, 3, -3, 1, -1, 1, -127, 64, 0}, java.util.Arrays.copyOfRange(b, 2, 11));
        float[] y = dequantize(GgmlType.Q8_0, b, 32);
        assertArrayEquals(new float[] {127, 3, -3, 1, -1, 1, -127, 64, 0}, java.util.Arrays.copyOf(y, 9));
        // amax 0: d = 0, id = 0, every quant 0
        assertArrayEquals(new byte[34], quantize(GgmlType.Q8_0, new float[32]));
    }

    @Test
    void q4_0() {
        // The largest magnitude is −8 (signed max) → d = −8/−8 = 1, q = min(15, trunc(x + 8.5)).
        // Element j is the low nibble of byte j, element j+16 its high nibble.
        float[] x = new float[32];
        x[0] = -8f;    // 0.5 → 0
        x[1] = 7.4f;   // 15.9 → 15
        x[2] = 0.4f;   // 8.9 → 8
        x[3] = 0.6f;   // 9.1 → 9
        x[16] = -0.6f; // 7.9 → 7
        x[17] = 7f;    // 15.5 → 15
        byte[] b = quantize(GgmlType.Q4_0, x);
        assertEquals(18, b.length);
        assertEquals(0x3C00, (u8(b[1]) << 8) | u8(b[0]));
        assertEquals(0x70, u8(b[2]));     // element 0 → 0, element 16 → 7
        assertEquals(0xFF, u8(b[3]));     // 15 | 15 << 4
        assertEquals(0x88, u8(b[4]));     // elements 2 and 18 (x = 0 → 8)
        assertEquals(0x89, u8(b[5]));
        float[] y = dequantize(GgmlType.Q4_0, b, 32);
        assertEquals(-8f, y[0]);
        assertEquals(7f, y[1]);
        assertEquals(0f, y[2]);
        assertEquals(1f, y[3]);
        assertEquals(-1f, y[16]);
        // A positive extreme makes d negative: max 8 → d = −1, so 8 → q 0 and −7 → q 15
        float[] z = new float[32];
        z[0] = 8f;
        z[1] = -7f;
        byte[] c = quantize(GgmlType.Q4_0, z);
        assertEquals(0xBC00, (u8(c[1]) << 8) | u8(c[0]));
        assertEquals(0x80, u8(c[2]));
        assertEquals(0x8F, u8(c[3]));
        assertEquals(8f, dequantize(GgmlType.Q4_0, c, 32)[0]);
    }

    @Test
    void q4_1() {
        // min 2, max 17 → d = 15/15 = 1, m = 2 (fp16 0x4000); q = min(15, trunc((x − 2) + 0.5))
        float[] x = new float[32];
        java.util.Arrays.fill(x, 2f);
        x[0] = 17f;     // 15.5 → 15
        x[1] = 2.5f;    // 1.0 → 1
        x[2] = 2.49f;   // 0.99 → 0
        x[16] = 9.6f;   // 8.1 → 8
        byte[] b = quantize(GgmlType.Q4_1, x);
        assertEquals(20, b.length);
        assertEquals(0x3C00, (u8(b[1]) << 8) | u8(b[0]));
        assertEquals(0x4000, (u8(b[3]) << 8) | u8(b[2]));
        assertEquals(0x8F, u8(b[4]));
        assertEquals(0x01, u8(b[5]));
        assertEquals(0x00, u8(b[6]));
        float[] y = dequantize(GgmlType.Q4_1, b, 32);
        assertEquals(17f, y[0]);
        assertEquals(3f, y[1]);
        assertEquals(10f, y[16]);
    }

    @Test
    void q5_0And5_1HighBits() {
        // Q5_0: max −16 → d = 1, q = min(31, trunc(x + 16.5)); bit 4 of element j goes to bit j of qh (u32 LE).
        float[] x = new float[32];
        x[0] = -16f;   // 0.5 → 0
        x[1] = 15f;    // 31.5 → 31: nibble 15, high bit
        x[2] = 0f;     // 16: nibble 0, high bit
        x[17] = -1f;   // 15: nibble 15, no high bit
        byte[] b = quantize(GgmlType.Q5_0, x);
        assertEquals(22, b.length);
        assertEquals(0x3C00, (u8(b[1]) << 8) | u8(b[0]));
        int qh = u8(b[2]) | u8(b[3]) << 8 | u8(b[4]) << 16 | u8(b[5]) << 24;
        // every element whose q ≥ 16 sets its bit: elements 1..15 (x ≥ 0 → q ≥ 16), 16 and 18..31 (x = 0), not 0 or 17
        assertEquals(0xFFFDFFFE, qh);
        assertEquals(0x00, u8(b[6]));   // element 0 → 0, element 16 → 16 & 15 = 0
        assertEquals(0xFF, u8(b[7]));   // element 1 → 31 & 15, element 17 → 15
        float[] y = dequantize(GgmlType.Q5_0, b, 32);
        assertEquals(-16f, y[0]);
        assertEquals(15f, y[1]);
        assertEquals(-1f, y[17]);

        // Q5_1: min 0, max 31 → d = 1, m = 0; q = trunc(x + 0.5), no clamp
        float[] z = new float[32];
        z[0] = 31f;
        z[1] = 16.4f;  // 16
        z[2] = 15.5f;  // 16
        z[3] = 15.49f; // 15
        byte[] c = quantize(GgmlType.Q5_1, z);
        assertEquals(24, c.length);
        int qh1 = u8(c[4]) | u8(c[5]) << 8 | u8(c[6]) << 16 | u8(c[7]) << 24;
        assertEquals(0b0111, qh1);
        assertEquals(0x0F, u8(c[8]));
        assertEquals(0x00, u8(c[9]));
        assertEquals(0x0F, u8(c[11]));
        float[] w = dequantize(GgmlType.Q5_1, c, 32);
        assertEquals(31f, w[0]);
        assertEquals(16f, w[2]);
        assertEquals(15f, w[3]);
    }

    static final int[] SC = {1, 2, 3, 4, 33, 45, 63, 17}, MN = {5, 6, 7, 8, 62, 16, 32, 1};
    /**
     * SC and MN packed by hand (spec §5.6): bytes 0–3 sc0–3 and 4–7 m0–3 in their low 6 bits; byte 8+k holds
     * sc(4+k) & 15 | (m(4+k) & 15) << 4, and their top two bits go to bits 6–7 of bytes k and 4+k.
     * e.g. sc4 = 33 = 0b10_0001: byte 8 low nibble 1, byte 0 |= 2 << 6 → 0x81; m4 = 62 = 0b11_1110: byte 8
     * high nibble 14 → 0xE1, byte 4 = 5 | 3 << 6 = 0xC5.
     */
    static final int[] PACKED = {0x81, 0x82, 0xC3, 0x44, 0xC5, 0x46, 0x87, 0x08, 0xE1, 0x0D, 0x0F, 0x11};

    @Test
    void q4_KScaleAndMinPacking() {
        byte[] b = new byte[12];
        KQuants.packScalesMins(SC, MN, b, 0);
        int[] got = new int[12];
        for (int i = 0; i < 12; i++) got[i] = u8(b[i]);
        assertArrayEquals(PACKED, got);
        for (int j = 0; j < 8; j++) {
            assertEquals(SC[j], KQuants.scaleK4(j, PACKED), "scale " + j);
            assertEquals(MN[j], KQuants.minK4(j, PACKED), "min " + j);
        }
    }

    /** A Q4_K block: d 0.5, dmin 0.25, the scales above; low nibbles l % 16, high nibbles 15 − l % 16. */
    static byte[] q4kBlock() {
        byte[] b = new byte[144];
        b[0] = 0x00;
        b[1] = 0x38;          // d = 0.5
        b[2] = 0x00;
        b[3] = 0x34;          // dmin = 0.25
        for (int i = 0; i < 12; i++) b[4 + i] = (byte) PACKED[i];
        for (int c = 0; c < 4; c++) for (int l = 0; l < 32; l++) b[16 + 32 * c + l] = (byte) ((l % 16) | (15 - l % 16) << 4);
        return b;
    }

    @Test
    void q4_KDequantization() {
        float[] y = dequantize(GgmlType.Q4_K, q4kBlock(), 256);
        for (int c = 0; c < 4; c++) {
            for (int l = 0; l < 32; l++) {
                // x = d·sc·q − dmin·m, sub-block 2c from the low nibbles, 2c+1 from the high ones
                assertEquals(0.5f * SC[2 * c] * (l % 16) - 0.25f * MN[2 * c], y[64 * c + l], "element " + (64 * c + l));
                assertEquals(0.5f * SC[2 * c + 1] * (15 - l % 16) - 0.25f * MN[2 * c + 1], y[64 * c + 32 + l]);
            }
        }
    }

    @Test
    void q5_KDequantizationWithHighBits() {
        byte[] q4 = q4kBlock();
        byte[] b = new byte[176];
        System.arraycopy(q4, 0, b, 0, 16);
        // qh[l]: bit 2c is the fifth bit of element 64c + l, bit 2c+1 that of 64c + 32 + l; set for even l only
        for (int l = 0; l < 32; l++) b[16 + l] = (byte) (l % 2 == 0 ? 0xAA : 0x00); // bits 1, 3, 5, 7: high halves
        System.arraycopy(q4, 16, b, 48, 128);
        float[] y = dequantize(GgmlType.Q5_K, b, 256);
        for (int c = 0; c < 4; c++) {
            for (int l = 0; l < 32; l++) {
                int high = l % 2 == 0 ? 16 : 0;
                assertEquals(0.5f * SC[2 * c] * (l % 16) - 0.25f * MN[2 * c], y[64 * c + l]);
                assertEquals(0.5f * SC[2 * c + 1] * (15 - l % 16 + high) - 0.25f * MN[2 * c + 1], y[64 * c + 32 + l]);
            }
        }
    }

    @Test
    void q6_KHighBitsAndSignedScales() {
        // q of element i = (7i) % 64, scales ±(sub + 1), d = 0.125; bytes laid out exactly as spec §5.6 says:
        // half h, l < 32: element 128h+l → ql[64h+l] low, qh[32h+l] bits 0–1; +32 → ql[64h+l+32] low, bits 2–3;
        // +64 → ql[64h+l] high, bits 4–5; +96 → ql[64h+l+32] high, bits 6–7.
        int[] q = new int[256];
        for (int i = 0; i < 256; i++) q[i] = (7 * i) % 64;
        byte[] b = new byte[210];
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 32; l++) {
                int e = 128 * h + l;
                b[64 * h + l] = (byte) ((q[e] & 0xF) | (q[e + 64] & 0xF) << 4);
                b[64 * h + l + 32] = (byte) ((q[e + 32] & 0xF) | (q[e + 96] & 0xF) << 4);
                b[128 + 32 * h + l] = (byte) ((q[e] >> 4) | (q[e + 32] >> 4) << 2 | (q[e + 64] >> 4) << 4 | (q[e + 96] >> 4) << 6);
            }
        }
        for (int s = 0; s < 16; s++) b[192 + s] = (byte) (s % 2 == 0 ? s + 1 : -(s + 1));
        b[208] = 0x00;
        b[209] = 0x30; // d = 0.125
        float[] y = dequantize(GgmlType.Q6_K, b, 256);
        for (int i = 0; i < 256; i++) {
            int sub = i / 16;
            int scale = sub % 2 == 0 ? sub + 1 : -(sub + 1);
            assertEquals(0.125f * scale * (q[i] - 32), y[i], "element " + i);
        }
        assertArrayEquals(new byte[210], quantize(GgmlType.Q6_K, new float[256]), "an all-zero block is all zero bytes");
        assertArrayEquals(new byte[144], quantize(GgmlType.Q4_K, new float[256]));
    }
}
