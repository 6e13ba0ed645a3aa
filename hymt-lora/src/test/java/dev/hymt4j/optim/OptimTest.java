package dev.hymt4j.optim;

import dev.hymt4j.tensor.Parameter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OptimTest {
    /** Two AdamW steps worked by hand (torch's formula) on one scalar. */
    @Test
    void adamWMatchesTorchsFormula() {
        Parameter p = new Parameter("w", new long[]{1}, new float[]{1.0f});
        AdamW opt = new AdamW(List.of(p), 0.1, 0.9, 0.999, 1e-8, 0.01);
        p.grad()[0] = 0.5f;
        opt.step();
        // p = 1·(1 − 0.001) = 0.999; m = 0.05; v = 0.00025; m̂ = 0.5, √v̂ = 0.5 → p −= 0.1·0.5/(0.5 + 1e-8)
        assertEquals(0.999 - 0.1 * 0.05 / 0.1 / (Math.sqrt(0.00025) / Math.sqrt(0.001) + 1e-8), p.value()[0], 1e-6);
        p.grad()[0] = -1.0f;
        double before = p.value()[0];
        opt.step();
        double m = 0.9 * 0.05 + 0.1 * -1.0, v = 0.999 * 0.00025 + 0.001 * 1.0;
        double expected = before * (1 - 0.001) - 0.1 / (1 - 0.81) * m / (Math.sqrt(v) / Math.sqrt(1 - 0.999 * 0.999) + 1e-8);
        assertEquals(expected, p.value()[0], 1e-6);
        assertEquals(2, opt.stepCount());
    }

    @Test
    void stateSavesAndRestoresExactly(@TempDir Path tmp) throws Exception {
        Parameter a = new Parameter("a", new long[]{2, 3}, new float[]{1, 2, 3, 4, 5, 6});
        Parameter b = new Parameter("b", new long[]{3}, new float[]{-1, 0, 1});
        AdamW opt = new AdamW(List.of(a, b), 1e-2, 0.9, 0.99, 1e-8, 0.1);
        for (int s = 0; s < 3; s++) {
            for (int i = 0; i < 6; i++) a.grad()[i] = (float) Math.sin(s + i);
            for (int i = 0; i < 3; i++) b.grad()[i] = (float) Math.cos(s * i);
            opt.step();
        }
        Path file = tmp.resolve("optimizer.safetensors");
        opt.saveState(file);
        Parameter a2 = new Parameter("a", new long[]{2, 3}, a.value().clone()), b2 = new Parameter("b", new long[]{3}, b.value().clone());
        AdamW restored = new AdamW(List.of(a2, b2), 1e-2, 0.9, 0.99, 1e-8, 0.1);
        restored.loadState(file);
        assertEquals(3, restored.stepCount());
        for (int i = 0; i < 6; i++) a.grad()[i] = a2.grad()[i] = 0.3f * i;
        for (int i = 0; i < 3; i++) b.grad()[i] = b2.grad()[i] = -0.2f * i;
        opt.step();
        restored.step();
        assertArrayEquals(a.value(), a2.value());
        assertArrayEquals(b.value(), b2.value());
        AdamW other = new AdamW(List.of(new Parameter("a", new long[]{6}, new float[6]), b2), 1e-2, 0.9, 0.99, 1e-8, 0.1);
        var e = assertThrows(java.io.IOException.class, () -> other.loadState(file));
        assertEquals(file + ": 'a.exp_avg' has shape [2, 3] but the parameter has [6]", e.getMessage());
    }

    /** Values of transformers' get_linear/cosine_schedule_with_warmup (warmup 10, total 100). */
    @Test
    void schedulesFollowTransformers() {
        LrSchedule linear = new LrSchedule(LrSchedule.Type.LINEAR, 1.0, 10, 100);
        LrSchedule cosine = new LrSchedule(LrSchedule.Type.COSINE, 1.0, 10, 100);
        assertEquals(0.0, linear.factor(0));
        assertEquals(0.5, linear.factor(5));
        assertEquals(1.0, linear.factor(10));
        assertEquals(0.5, linear.factor(55));
        assertEquals(0.0, linear.factor(100));
        assertEquals(0.0, linear.factor(150));
        assertEquals(0.0, cosine.factor(0));
        assertEquals(1.0, cosine.factor(10));
        assertEquals(0.5, cosine.factor(55), 1e-12);
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 0.5)), cosine.factor(55), 1e-12);
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 20.0 / 90)), cosine.factor(30), 1e-12);
        assertEquals(0.0, cosine.factor(100), 1e-12);
        assertEquals(1.0, new LrSchedule(LrSchedule.Type.CONSTANT_WITH_WARMUP, 1.0, 0, 100).factor(0));
    }

    @Test
    void clippingScalesByTheGlobalNorm() {
        Parameter a = new Parameter("a", new long[]{2}, new float[2]), b = new Parameter("b", new long[]{1}, new float[1]);
        a.grad()[0] = 3;
        a.grad()[1] = 0;
        b.grad()[0] = 4;
        double total = GradClip.clipGlobalNorm(List.of(a, b), 1.0);
        assertEquals(5.0, total, 1e-12);
        float coef = (float) (1.0 / (5.0 + 1e-6));
        assertEquals(3 * coef, a.grad()[0]);
        assertEquals(4 * coef, b.grad()[0]);
        assertEquals(1.0, GradClip.clipGlobalNorm(List.of(a, b), 10.0), 1e-5);
        assertEquals(3 * coef, a.grad()[0], "below the threshold nothing changes");
    }
}
