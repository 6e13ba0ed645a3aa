package dev.hymt4j.tensor;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shared pool: every index once, the per-run thread budget, failures as thrown, reusable hand-offs. */
class ParallelTest {
    @Test
    void everyIndexRunsExactlyOnceWhateverTheSizeAndBudget() {
        for (int threads : new int[]{1, 2, 3}) {
            for (int total : new int[]{0, 1, 2, 7, 63, 64, 65, 1000, 4099}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(Math.max(total, 1));
                Parallel.run(threads, () -> Parallel.forRange(total, 5, (s, e) -> {
                    for (int i = s; i < e; i++) hits.incrementAndGet(i);
                }));
                for (int i = 0; i < total; i++) assertEquals(1, hits.get(i), "threads " + threads + ", total " + total + ", index " + i);
            }
        }
    }

    /** With more workers than a run's budget, no more than the budget work on it at once. */
    @Test
    void aRunNeverUsesMoreThreadsThanItsBudget() {
        int before = Parallel.defaultThreads();
        Parallel.setThreads(4);   // the pool grows to at least 4 workers
        try {
            AtomicInteger active = new AtomicInteger(), peak = new AtomicInteger();
            Parallel.run(2, () -> Parallel.forRange(64, 1, (s, e) -> {
                int now = active.incrementAndGet();
                peak.accumulateAndGet(now, Math::max);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                active.decrementAndGet();
            }));
            assertTrue(peak.get() <= 2, "peak " + peak.get() + " workers for a budget of 2");
            int[] seen = new int[1];
            Parallel.run(2, () -> seen[0] = Parallel.threads());
            assertEquals(2, seen[0], "the budget is what code inside the run sees");
        } finally {
            Parallel.setThreads(before);
        }
    }

    @Test
    void aFailureInAChunkIsRethrownAsThrown() {
        IllegalArgumentException thrown = new IllegalArgumentException("chunk 3 failed");
        IllegalArgumentException caught = assertThrows(IllegalArgumentException.class, () -> Parallel.run(2,
                () -> Parallel.forRange(100, 1, (s, e) -> {
                    if (s <= 50 && 50 < e) throw thrown;
                })));
        assertSame(thrown, caught);
        // The pool and this thread's hand-off still work afterwards.
        AtomicInteger sum = new AtomicInteger();
        Parallel.run(2, () -> Parallel.forRange(10, 1, (s, e) -> sum.addAndGet(e - s)));
        assertEquals(10, sum.get());
    }

    /** Back-to-back hand-offs reuse one task per thread; each must run (a lost wake-up would hang here). */
    @Test
    @Timeout(120)
    void manyConsecutiveRunsAllComplete() {
        AtomicInteger runs = new AtomicInteger();
        for (int i = 0; i < 20_000; i++) Parallel.run(2, () -> Parallel.forRange(8, 1, (s, e) -> runs.incrementAndGet()));
        assertTrue(runs.get() >= 20_000);
    }

    /**
     * Two threads (two engines) run steps at once, each step many back-to-back ranges, some chunks with a range
     * of their own: the helpers that spin during a run take chunk runners, each other's runs and each other's
     * helpers, and every index still runs once and every run ends (a re-forked task object, or a helper waiting
     * on one, would hang here).
     */
    @Test
    @Timeout(180)
    void concurrentRunsWithNestedRangesAllComplete() throws Exception {
        int steps = 3000, ranges = 8, total = 48;
        java.util.concurrent.atomic.AtomicLong[] counts = {new java.util.concurrent.atomic.AtomicLong(), new java.util.concurrent.atomic.AtomicLong()};
        Thread[] engines = new Thread[2];
        Throwable[] failures = new Throwable[2];
        for (int e = 0; e < 2; e++) {
            int engine = e;
            engines[e] = new Thread(() -> {
                try {
                    for (int step = 0; step < steps; step++) {
                        Parallel.run(2, () -> {
                            for (int r = 0; r < ranges; r++) {
                                Parallel.forRange(total, 1, (s, end) -> {
                                    for (int i = s; i < end; i++) {
                                        if (i % 16 == 0) Parallel.forRange(4, 1, (a, b) -> counts[engine].addAndGet(b - a));
                                        counts[engine].incrementAndGet();
                                    }
                                });
                            }
                        });
                    }
                } catch (Throwable t) {
                    failures[engine] = t;
                }
            });
            engines[e].start();
        }
        for (Thread t : engines) t.join();
        for (int e = 0; e < 2; e++) {
            assertEquals(null, failures[e]);
            assertEquals((long) steps * ranges * (total + total / 16 * 4), counts[e].get(), "engine " + e);
        }
    }
}
