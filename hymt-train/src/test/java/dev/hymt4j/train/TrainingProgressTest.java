package dev.hymt4j.train;

import me.tongfei.progressbar.ProgressBarConsumer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.*;

class TrainingProgressTest {
    /** A clock the test moves by hand. */
    static final class ManualClock implements InstantSource {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        public Instant instant() {
            return now;
        }
    }

    @Test
    void plainLinesAtMostOncePerIntervalWithEtaOfThisSession() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ManualClock clock = new ManualClock();
        // resumed at step 100 of 400
        try (TrainingProgress p = TrainingProgress.plain(400, 100, new PrintStream(bytes, true, StandardCharsets.UTF_8),
                Duration.ofSeconds(30), clock)) {
            for (int step = 101; step <= 400; step++) {
                clock.now = clock.now.plusSeconds(2);
                p.update(step, 1.23456, 2e-4, 1520.4);
            }
        }
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        // the first line, then every 15 steps (30 s at 2 s a step), then the last: 1 + 20 (+ last, already due)
        assertEquals(21, lines.size(), String.join("\n", lines));
        assertEquals("step 101/400 (25.3%) | loss 1.2346 | lr 2.00e-04 | 1520 tok/s | elapsed 0:00:02 | eta 0:09:58",
                lines.getFirst());
        assertEquals("step 400/400 (100.0%) | loss 1.2346 | lr 2.00e-04 | 1520 tok/s | elapsed 0:10:00 | eta 0:00:00",
                lines.getLast());
    }

    @Test
    void barShowsLossLearningRateAndSpeed() throws Exception {
        List<String> rendered = new CopyOnWriteArrayList<>();
        ProgressBarConsumer consumer = new ProgressBarConsumer() {
            public int getMaxRenderedLength() { return 200; }
            public void accept(String s) { rendered.add(s); }
            public void close() {}
        };
        try (TrainingProgress p = TrainingProgress.bar(50, 0, consumer)) {
            p.update(25, 0.5, 1e-4, 900);
        }
        String last = rendered.getLast();
        assertTrue(last.contains("25/50") && last.contains("loss 0.5000") && last.contains("lr 1.00e-04")
                && last.contains("900 tok/s"), last);
    }
}
