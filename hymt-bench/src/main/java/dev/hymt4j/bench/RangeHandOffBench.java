package dev.hymt4j.bench;

import dev.hymt4j.tensor.Parallel;

import java.util.Locale;

/**
 * The cost of handing a range to the other threads, the overhead a decode step pays a few hundred times: one
 * {@link Parallel#run} of many back-to-back {@code forRange} calls of 8 busy chunks, against the ideal time of
 * those chunks on THREADS threads. Run it twice in a row, with {@code -Dhymt.spinMicros=0} (workers park between
 * ranges) and without (a run's helpers stay awake), for the same-run comparison.
 *
 * <pre>  RangeHandOffBench [THREADS (2)] [CHUNK_MICROS (25)] [RANGES (2000)] [ROUNDS (5)]</pre>
 */
public final class RangeHandOffBench {
    private static volatile long sink;

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        long chunkNanos = 1_000L * (args.length > 1 ? Integer.parseInt(args[1]) : 25);
        int ranges = args.length > 2 ? Integer.parseInt(args[2]) : 2000, rounds = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        Parallel.setThreads(threads);
        System.out.printf(Locale.ROOT, "threads %d, -Dhymt.spinMicros=%s, load average %s%n", threads,
                System.getProperty("hymt.spinMicros", "(default)"), KernelBench.loadAverage());
        double ideal = 8.0 * chunkNanos / 1e3 / threads;
        for (int round = 0; round < rounds; round++) {
            long start = System.nanoTime();
            Parallel.run(threads, () -> {
                for (int r = 0; r < ranges; r++) {
                    Parallel.forRange(8, 1, (s, e) -> {
                        for (int i = s; i < e; i++) {
                            for (long t = System.nanoTime(); System.nanoTime() - t < chunkNanos; ) sink++;
                        }
                    });
                }
            });
            double perRange = (System.nanoTime() - start) / 1e3 / ranges;
            System.out.printf(Locale.ROOT, "round %d: %.1f µs per range of 8 × %d µs chunks (ideal %.1f): hand-off overhead %.1f µs%n",
                    round, perRange, chunkNanos / 1000, ideal, perRange - ideal);
        }
    }
}
