package dev.hymt4j.ops;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DropoutTest {

    /** The mask by its definition, written out here: murmur3's fmix32 twice, keyed by the seed's halves. */
    private static boolean droppedBySpec(long seed, int i, float p) {
        int h = fmix32(i + (int) seed) ^ (int) (seed >>> 32);
        int u24 = fmix32(h) >>> 8;
        return u24 < p * 16777216.0;
    }

    private static int fmix32(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        return h ^ (h >>> 16);
    }

    @Test
    void maskIsThePureFunctionOfSeedAndIndexWhateverTheLength() {
        long seed = Dropout.seedOf(42, 3);
        float p = 0.3f;
        for (int n : new int[]{1, 5, 15, 16, 17, 31, 33, 100, 1000, 40_000, 70_001}) {
            float[] x = new float[n], out = new float[n];
            for (int i = 0; i < n; i++) x[i] = 1 + i % 7;
            Dropout.forward(x, n, p, seed, out);
            for (int i = 0; i < n; i++) {
                float expected = droppedBySpec(seed, i, p) ? 0f : x[i] * (1f / (1f - p));
                assertEquals(expected, out[i], "n " + n + " element " + i);
            }
        }
    }

    @Test
    void backwardAddsTheGradientOfExactlyTheKeptElements() {
        long seed = Dropout.seedOf(9, 1);
        float p = 0.1f;
        int n = 50_003;
        float[] x = new float[n], y = new float[n], dout = new float[n], dx = new float[n];
        Arrays.fill(x, 1f);
        for (int i = 0; i < n; i++) {
            dout[i] = i % 5 - 2;
            dx[i] = -0f;
        }
        Dropout.forward(x, n, p, seed, y);
        Dropout.backward(dout, n, p, seed, dx);
        for (int i = 0; i < n; i++) {
            float expected = y[i] == 0f ? -0f : -0f + dout[i] * (1f / (1f - p));
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(dx[i]), "element " + i);
        }
    }

    /** The drop rate is p within five standard deviations, for several p and seeds; two seeds' masks are independent. */
    @Test
    void dropsAFractionPIndependentlyPerSeed() {
        int n = 1 << 20;
        float[] ones = new float[n], a = new float[n], b = new float[n];
        Arrays.fill(ones, 1f);
        for (float p : new float[]{0.05f, 0.1f, 0.5f, 0.9f}) {
            Dropout.forward(ones, n, p, Dropout.seedOf(1, 0), a);
            Dropout.forward(ones, n, p, Dropout.seedOf(1, 1), b);
            long droppedA = 0, both = 0;
            for (int i = 0; i < n; i++) {
                if (a[i] == 0f) droppedA++;
                if (a[i] == 0f && b[i] == 0f) both++;
            }
            double sigma = Math.sqrt(n * p * (1 - p));
            assertTrue(Math.abs(droppedA - n * p) < 5 * sigma, "p " + p + ": dropped " + droppedA + " of " + n);
            double sigmaBoth = Math.sqrt(n * p * p * (1 - p * p));
            assertTrue(Math.abs(both - n * (double) p * p) < 5 * sigmaBoth, "p " + p + ": both masks dropped " + both);
        }
    }
}
