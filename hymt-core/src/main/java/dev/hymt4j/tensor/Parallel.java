package dev.hymt4j.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * The one thread pool the kernels share. Work is split into contiguous index ranges; the thread count is
 * set once per process ({@code -Dhymt.threads=N}, {@link #setThreads}, default: available processors).
 */
public final class Parallel {
    private static volatile ForkJoinPool pool = newPool(Integer.getInteger("hymt.threads",
            Runtime.getRuntime().availableProcessors()));

    private Parallel() {}

    /** A body that processes indices {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    public static synchronized void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be ≥ 1, got " + threads);
        if (threads == pool.getParallelism()) return;
        ForkJoinPool old = pool;
        pool = newPool(threads);
        old.shutdown();
    }

    public static int threads() {
        return pool.getParallelism();
    }

    /**
     * Runs {@code body} over {@code [0, total)} in chunks of at least {@code minChunk} indices, on the pool.
     * Small totals run inline: forking costs more than it saves.
     */
    public static void forRange(int total, int minChunk, RangeBody body) {
        int threads = pool.getParallelism();
        if (threads == 1 || total <= minChunk) {
            body.run(0, total);
            return;
        }
        int chunks = Math.min(threads * 4, Math.max(1, total / Math.max(1, minChunk)));
        pool.invoke(new Split(body, 0, total, Math.max(1, (total + chunks - 1) / chunks)));
    }

    private static ForkJoinPool newPool(int threads) {
        return new ForkJoinPool(threads, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName("hymt-worker-" + t.getPoolIndex());
            t.setDaemon(true);
            return t;
        }, null, false);
    }

    private static final class Split extends RecursiveAction {
        private final RangeBody body;
        private final int start, end, grain;

        Split(RangeBody body, int start, int end, int grain) {
            this.body = body;
            this.start = start;
            this.end = end;
            this.grain = grain;
        }

        @Override
        protected void compute() {
            if (end - start <= grain) {
                body.run(start, end);
                return;
            }
            int mid = start + (end - start) / 2;
            invokeAll(new Split(body, start, mid, grain), new Split(body, mid, end, grain));
        }
    }
}
