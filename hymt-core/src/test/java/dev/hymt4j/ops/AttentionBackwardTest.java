package dev.hymt4j.ops;

import dev.hymt4j.testing.TinyModels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Attention#backward}'s two passes against the plain form written here: per (head, query, key), in that
 * order, one scalar fma per element into dv, dk and dq — bit for bit, on head sizes below, at and past one and four
 * vectors, grouped heads, and full, right-padded and left-padded rows (the gradient check covers the maths).
 */
class AttentionBackwardTest {

    @ParameterizedTest(name = "heads {0}, kv heads {1}, head_dim {2}, len {3}")
    @CsvSource({"4,1,6,9", "4,2,16,7", "2,2,40,5", "4,4,64,11", "6,3,72,6", "4,1,128,13", "2,1,130,4"})
    void passesMatchOneFmaPerTermInTheSameOrder(int heads, int kvHeads, int hd, int len) {
        SplittableRandom rng = new SplittableRandom(heads * 131L + hd);
        int batch = 3, n = batch * len, group = heads / kvHeads, qDim = heads * hd, kvDim = kvHeads * hd;
        int[] mask = new int[n];
        for (int t = 0; t < len; t++) {
            mask[t] = 1;
            mask[len + t] = t < len - 2 ? 1 : 0;
            mask[2 * len + t] = t >= 1 ? 1 : 0;
        }
        float[] q = TinyModels.randn(rng, n * qDim, 1), k = TinyModels.randn(rng, n * kvDim, 1),
                v = TinyModels.randn(rng, n * kvDim, 1), dout = TinyModels.randn(rng, n * qDim, 1);
        float[] probs = new float[n * heads * len], out = new float[n * qDim];
        KvLayout kv = KvLayout.ofBatch(k, v, mask, batch, len, kvDim);
        Attention.forward(q, kv, heads, kvHeads, hd, probs, len, out);
        float[] dq = TinyModels.randn(rng, n * qDim, 1), dk = TinyModels.randn(rng, n * kvDim, 1), dv = TinyModels.randn(rng, n * kvDim, 1);
        float[] eq = dq.clone(), ek = dk.clone(), ev = dv.clone();
        Attention.backward(q, kv, heads, kvHeads, hd, probs, len, out, dout, dq, dk, dv);

        float scale = (float) (1.0 / Math.sqrt(hd));
        for (int s = 0; s < batch; s++) {
            for (int h = 0; h < heads; h++) {
                int g = h / group;
                for (int t = s * len; t < (s + 1) * len; t++) {
                    int qo = t * qDim + h * hd, po = (t * heads + h) * len, last = t - s * len;
                    float rowDot = Vec.dot(dout, qo, out, qo, hd);
                    for (int j = 0; j <= last; j++) {
                        float p = probs[po + j];
                        if (p == 0f) continue;
                        int at = (s * len + j) * kvDim + g * hd;
                        for (int c = 0; c < hd; c++) ev[at + c] = Math.fma(dout[qo + c], p, ev[at + c]);
                        float d = p * (Vec.dot(dout, qo, v, at, hd) - rowDot) * scale;
                        if (d == 0f) continue;
                        for (int c = 0; c < hd; c++) eq[qo + c] = Math.fma(k[at + c], d, eq[qo + c]);
                        for (int c = 0; c < hd; c++) ek[at + c] = Math.fma(q[qo + c], d, ek[at + c]);
                    }
                }
            }
        }
        assertBits("dq", eq, dq);
        assertBits("dk", ek, dk);
        assertBits("dv", ev, dv);
    }

    private static void assertBits(String what, float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            int at = i;
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                    () -> what + "[" + at + "]: " + actual[at] + " vs " + expected[at]);
        }
    }
}
