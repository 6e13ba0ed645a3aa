package dev.hymt4j.ops;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Sigmoid} against its definition, {@code (float) (1 / (1 + Math.exp(-g)))}, over a dense sweep of floats
 * (every 32nd bit pattern from 2⁻²⁸ to 128, both signs, plus the specials), and its vector lanes against its scalar
 * form bit for bit, at every length and offset that puts elements in either.
 */
class SigmoidTest {
    private static float reference(float g) {
        return (float) (1.0 / (1.0 + Math.exp(-g)));
    }

    @Test
    void equalsTheMathExpSigmoidWithinOneUlpAlmostEverywhere() {
        int from = Float.floatToRawIntBits(0x1p-28f), to = Float.floatToRawIntBits(128f), count = 0, off = 0;
        float[] g = new float[2 * ((to - from) / 32 + 1)];
        for (int bits = from; bits <= to; bits += 32) {
            g[count++] = Float.intBitsToFloat(bits);
            g[count++] = -Float.intBitsToFloat(bits);
        }
        float[] got = new float[count];
        Sigmoid.of(g, 0, got, 0, count);
        for (int i = 0; i < count; i++) {
            float want = reference(g[i]);
            if (got[i] != want) {
                off++;
                assertEquals(want, got[i], Math.ulp(want), "σ(" + g[i] + ")");
            }
        }
        assertTrue(off <= count / 1_000_000, off + " of " + count + " values differ from the Math.exp sigmoid by an ulp");
    }

    @Test
    void specialValues() {
        float[] g = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 87f, -87f, 100f, -100f, 104f, -104f,
                1000f, -1000f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL};
        for (float v : g) {
            float want = reference(v);
            assertEquals(want, Sigmoid.of(v), 0f, "σ(" + v + ")");
            float[] one = new float[64], out = new float[64];
            java.util.Arrays.fill(one, v);
            Sigmoid.of(one, 0, out, 0, 64);
            for (float o : out) assertEquals(want, o, 0f, "σ(" + v + ") in vector lanes");
        }
    }

    @Test
    void vectorLanesEqualTheScalarFormWhateverTheLengthAndOffset() {
        SplittableRandom random = new SplittableRandom(5);
        float[] g = new float[300];
        for (int i = 0; i < g.length; i++) g[i] = (float) (random.nextGaussian() * (i % 3 == 0 ? 30 : 4));
        for (int offset = 0; offset < 20; offset++) {
            for (int n = 0; n + offset <= g.length; n += 1 + n / 8) {
                float[] out = new float[n + 3];
                Sigmoid.of(g, offset, out, 3, n);
                for (int i = 0; i < n; i++) {
                    assertEquals(Float.floatToRawIntBits(Sigmoid.of(g[offset + i])), Float.floatToRawIntBits(out[3 + i]),
                            "offset " + offset + " length " + n + " element " + i);
                }
            }
        }
    }
}
