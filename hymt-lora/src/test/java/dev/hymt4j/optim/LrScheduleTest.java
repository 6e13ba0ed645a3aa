package dev.hymt4j.optim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Values worked out by hand from transformers' lr_lambda functions (optimization.py). */
class LrScheduleTest {
    private static final double EPS = 1e-15;

    @Test
    void linearWarmsUpThenDecaysToZero() {
        LrSchedule s = new LrSchedule(LrSchedule.Type.LINEAR, 1e-3, 10, 110);
        assertEquals(0.0, s.factor(0), EPS);                // 0/10: the first update has rate 0
        assertEquals(0.5, s.factor(5), EPS);                // 5/10
        assertEquals(1.0, s.factor(10), EPS);               // (110-10)/(110-10)
        assertEquals(0.75, s.factor(35), EPS);              // (110-35)/100
        assertEquals(0.01, s.factor(109), EPS);             // 1/100
        assertEquals(0.0, s.factor(110), EPS);
        assertEquals(0.0, s.factor(200), EPS);              // max(0, negative)
        assertEquals(7.5e-4, s.learningRate(35), 1e-18);
    }

    @Test
    void cosineIsHalfACycleAfterWarmup() {
        LrSchedule s = new LrSchedule(LrSchedule.Type.COSINE, 2e-4, 10, 110);
        assertEquals(0.3, s.factor(3), EPS);                            // 3/10
        assertEquals(1.0, s.factor(10), EPS);                           // cos(0)
        assertEquals(0.5 * (1 + Math.cos(Math.PI / 4)), s.factor(35), EPS); // progress 0.25: 0.853553...
        assertEquals(0.8535533905932737, s.factor(35), 1e-15);
        assertEquals(0.5, s.factor(60), 1e-15);                          // progress 0.5: cos(π/2) = 0
        assertEquals(0.0, s.factor(110), 1e-15);                         // cos(π) = -1
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 1.4)), s.factor(150), EPS); // past the end it rises again, as in transformers
    }

    @Test
    void constantSchedules() {
        LrSchedule constant = new LrSchedule(LrSchedule.Type.CONSTANT, 1e-4, 10, 100);
        assertEquals(1.0, constant.factor(0), EPS);
        assertEquals(1e-4, constant.learningRate(99), EPS);
        LrSchedule warm = new LrSchedule(LrSchedule.Type.CONSTANT_WITH_WARMUP, 1e-4, 4, 100);
        assertEquals(0.25, warm.factor(1), EPS);
        assertEquals(0.75, warm.factor(3), EPS);
        assertEquals(1.0, warm.factor(4), EPS);
        assertEquals(1.0, warm.factor(1000), EPS);
    }

    @Test
    void noWarmupAndDegenerateLengthsDivideByAtLeastOne() {
        LrSchedule s = new LrSchedule(LrSchedule.Type.LINEAR, 1.0, 0, 4);
        assertEquals(1.0, s.factor(0), EPS);
        assertEquals(0.75, s.factor(1), EPS);
        LrSchedule zero = new LrSchedule(LrSchedule.Type.LINEAR, 1.0, 0, 0);
        assertEquals(0.0, zero.factor(0), EPS);             // max(0, 0/max(1, 0))
    }
}
