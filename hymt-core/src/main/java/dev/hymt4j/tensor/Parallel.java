package dev.hymt4j.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The one compute pool of the process, shared by every engine, trainer and command, and the thread budget of
 * each piece of work that runs on it.
 *
 * <p>The pool has as many workers as processors (or {@code -Dhymt.threads=N}, or the largest count ever asked
 * for): several engines in one JVM (a server with several models, a Spark executor) share these workers
 * instead of each bringing its own, so they never oversubscribe the CPUs. Each piece of work has its own
 * budget: {@link #run(int, Runnable)} runs it on the pool with at most {@code threads} workers busy on its
 * behalf at any time; {@link #forRange} inside it splits index ranges over at most that many runners.
 * Callers that never call {@code run} get the process default ({@link #setThreads}).
 *
 * <p>An engine step is one {@code run}: the hand-off to the pool happens once per step, and the kernels'
 * {@code forRange} calls inside it fork from a pool worker, which helps with its own chunks instead of
 * parking. Jobs and runner tasks are reused, so a steady-state step allocates nothing here.
 *
 * <p><b>Helpers stay awake during a run.</b> Waking a parked thread costs 20–150 µs on a virtual machine (the idle
 * vCPU halts and the host may give its core away; a two-thread ping-pong on a 2-vCPU KVM guest measured 1 µs
 * spinning against 20 µs parking on a quiet host and 100–150 µs, with 20–25% steal, on a busy one), and a decode
 * step makes a few hundred {@code forRange} calls. So for the length of a {@link #run} with a budget ≥ 2,
 * {@code budget − 1} other workers stay awake as its helpers ({@link Helper}): the run's own ranges are offered
 * to them directly, not forked, and each helper joins one within a microsecond. The waiting is bounded so that a
 * shared machine degrades gracefully: an idle helper spins for {@link #SPIN_NANOS}, then yields (a runnable
 * neighbour gets the CPU first), and after {@link #YIELD_NANOS} without work naps in short slices until the run
 * ends; chunks are claimed from a counter, so a descheduled helper delays at most the chunk it holds. Helpers
 * only ever run their own run's chunks, so one engine's step never waits on another's. {@code
 * -Dhymt.spinMicros=0} turns helpers off (every range forks, as nested ranges always do).
 *
 * <p>Work split across threads must not change results: every user of {@code forRange} computes each output
 * element in a fixed order whatever the range it falls in (the batch-invariance rule of {@link Matrix}).
 */
public final class Parallel {
    private static final int PROCESSORS = Runtime.getRuntime().availableProcessors();
    private static final ForkJoinPool POOL;
    private static volatile int defaultThreads;
    private static final ThreadLocal<RunTask> EXTERNAL = ThreadLocal.withInitial(RunTask::new);
    /** How long an idle helper, or an owner waiting for its helpers, spins before it yields; 0: no helpers. */
    static final long SPIN_NANOS = 1_000L * Long.getLong("hymt.spinMicros", 20);
    /**
     * How long it then yields ({@code sched_yield}: it stays runnable, so its vCPU does not halt, yet a runnable
     * neighbour runs first) before it naps in {@link #NAP_NANOS} slices.
     */
    static final long YIELD_NANOS = 2_000_000;
    private static final long NAP_NANOS = 100_000;

    static {
        int configured = Integer.getInteger("hymt.threads", PROCESSORS);
        if (configured < 1) throw new IllegalArgumentException("-Dhymt.threads must be ≥ 1, got " + configured);
        defaultThreads = configured;
        POOL = new ForkJoinPool(Math.max(PROCESSORS, configured), Worker::new, null, false);
    }

    private Parallel() {}

    /** A body that processes indices {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    /**
     * Sets the thread budget of work that does not state its own ({@code --threads}, {@code -Dhymt.threads}).
     * Asking for more threads than the pool has grows the pool: an explicit count is honoured.
     */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be ≥ 1, got " + threads);
        growPool(threads);
        defaultThreads = threads;
    }

    private static synchronized void growPool(int threads) {
        if (threads > POOL.getParallelism()) POOL.setParallelism(threads);
    }

    /** The thread budget of the calling code: that of the {@link #run} it is inside, else the default. */
    public static int threads() {
        return Thread.currentThread() instanceof Worker w && w.threads > 0 ? w.threads : defaultThreads;
    }

    /** Whether the calling thread is a worker of the pool (inside a {@link #run}): parallel work forks directly. */
    public static boolean inPool() {
        return Thread.currentThread() instanceof Worker;
    }

    /** The process default set by {@link #setThreads} (what {@code threads = 0} in an engine's options means). */
    public static int defaultThreads() {
        return defaultThreads;
    }

    /**
     * Runs {@code work} on the shared pool with a budget of {@code threads} busy workers (≤ 0: the default),
     * returning when it is done. Called from a pool worker (nested), it runs in place under the new budget.
     */
    public static void run(int threads, Runnable work) {
        int budget = threads > 0 ? threads : defaultThreads;
        if (budget > POOL.getParallelism()) growPool(budget);
        if (Thread.currentThread() instanceof Worker w) {
            w.runWithBudget(budget, work);
            return;
        }
        if (budget == 1) {
            work.run();
            return;
        }
        RunTask task = EXTERNAL.get();
        task.work = work;
        task.threads = budget;
        task.done = false;
        task.waiter = Thread.currentThread();
        // execute + park rather than invoke: a join from outside the pool allocates a wait node each time.
        POOL.execute(task);
        while (!task.done) LockSupport.park(task);
        task.work = null;
        rethrow(task.takeFailure());
    }

    /** Rethrows a failure of pool work as it was thrown (the pool would wrap it in a copy of its own). */
    private static void rethrow(Throwable failure) {
        if (failure instanceof RuntimeException e) throw e;
        if (failure instanceof Error e) throw e;
        if (failure != null) throw new IllegalStateException(failure);
    }

    /**
     * Runs {@code body} over {@code [0, total)} in chunks of at least {@code minChunk} indices, on at most
     * {@link #threads()} workers. Small totals, and a budget of one thread, run inline.
     */
    public static void forRange(int total, int minChunk, RangeBody body) {
        int threads = threads();
        if (threads == 1 || total <= minChunk) {
            body.run(0, total);
            return;
        }
        if (!(Thread.currentThread() instanceof Worker w)) {
            run(threads, () -> forRange(total, minChunk, body));
            return;
        }
        int chunks = Math.min(threads * 4, Math.max(1, total / Math.max(1, minChunk)));
        w.job().run(body, total, chunks, Math.min(threads, chunks));
    }

    /** A pool thread: carries the thread budget of the run in progress and its reusable jobs. */
    private static final class Worker extends ForkJoinWorkerThread {
        /** The budget of the run in progress on this thread; 0 outside any run. */
        int threads;
        /** The run whose work this thread executes (its top-level ranges go to the run's helpers), or null. */
        RunTask run;
        /** Reusable jobs; {@code active} of them are in progress (a join may help another job that forks its own). */
        private Job[] jobs = new Job[2];
        private int active;

        Worker(ForkJoinPool pool) {
            super(null, pool, true);
            setDaemon(true);
        }

        @Override
        protected void onStart() {
            super.onStart();
            setName("hymt-worker-" + getPoolIndex());   // the index is assigned when the worker registers
        }

        void runWithBudget(int budget, Runnable work) {
            int saved = threads;
            threads = budget;
            try {
                work.run();
            } finally {
                threads = saved;
            }
        }

        Job job() {
            if (active == jobs.length) jobs = java.util.Arrays.copyOf(jobs, 2 * active);
            if (jobs[active] == null) jobs[active] = new Job(this);
            return jobs[active];
        }
    }

    /** One forRange call: its chunks are claimed by up to {@code runners} tasks from a shared counter. */
    private static final class Job {
        private final Worker owner;
        private final AtomicInteger next = new AtomicInteger();
        private Runner[] runners = new Runner[0];
        private RangeBody body;
        private int total, chunks, chunkSize;
        private volatile Throwable failure;
        /** Helpers inside this job's {@link #drain} (they may read its fields only while counted here). */
        private final AtomicInteger inside = new AtomicInteger();

        Job(Worker owner) {
            this.owner = owner;
        }

        /** A helper's part: {@link #drain} if this job is still offered by {@code run}. */
        void help(RunTask run) {
            inside.incrementAndGet();
            try {
                if (run.offered == this) drain();
            } finally {
                inside.decrementAndGet();
            }
        }

        /**
         * Runs the job. At the top level of a run whose helpers are there, it is offered to them: published in
         * {@code run.offered}, drained here and by them, withdrawn, and finished once no helper is inside (after
         * which none can enter: a helper counts itself in before it checks that the job is still offered), so its
         * fields are reset only with no helper inside. Otherwise runners are forked, and joined.
         */
        void run(RangeBody body, int total, int chunks, int runnerCount) {
            this.body = body;
            this.total = total;
            this.chunks = chunks;
            this.chunkSize = (total + chunks - 1) / chunks;
            next.set(0);
            RunTask run = owner.run;
            boolean offered = owner.active == 0 && run != null && run.awaitHelpers(runnerCount - 1);
            if (!offered && runners.length < runnerCount) {
                Runner[] grown = java.util.Arrays.copyOf(runners, runnerCount);
                for (int i = runners.length; i < runnerCount; i++) grown[i] = new Runner(this);
                runners = grown;
            }
            owner.active++;
            failure = null;
            int forked = 0;
            try {
                if (offered) {
                    run.offered = this;
                } else {
                    for (int i = 1; i < runnerCount; i++, forked++) {
                        runners[i].reinitialize();
                        runners[i].fork();
                    }
                }
                drain();
            } finally {
                if (offered) {
                    run.offered = null;
                    for (long start = System.nanoTime(); inside.get() > 0; ) pause(System.nanoTime() - start, true);
                }
                // Every forked runner is joined before the job is reused, even when a chunk failed.
                for (int i = forked; i >= 1; i--) runners[i].join();
                owner.active--;
                this.body = null;
            }
            Throwable f = failure;
            failure = null;
            rethrow(f);
        }

        /** Runs chunks until none is left; the first failure stops the job and is kept for the caller. */
        void drain() {
            try {
                for (int c; failure == null && (c = next.getAndIncrement()) < chunks; ) {
                    int start = c * chunkSize;
                    if (start >= total) break;
                    body.run(start, Math.min(total, start + chunkSize));
                }
            } catch (Throwable t) {
                synchronized (this) {
                    if (failure == null) failure = t;
                }
            }
        }
    }

    private static final class Runner extends RecursiveAction {
        private final Job job;

        Runner(Job job) {
            this.job = job;
        }

        @Override
        protected void compute() {
            job.drain();
        }
    }

    /**
     * One step of a bounded wait that has lasted {@code waited} ns: spin up to {@link #SPIN_NANOS}, then yield up
     * to {@link #YIELD_NANOS}, then (if {@code nap}) sleep {@link #NAP_NANOS}, else keep yielding.
     */
    private static void pause(long waited, boolean nap) {
        if (waited < SPIN_NANOS) Thread.onSpinWait();
        else if (waited < YIELD_NANOS || !nap) Thread.yield();
        else LockSupport.parkNanos(NAP_NANOS);
    }

    /**
     * A helper of one run, on a worker of its own until the run ends: it drains the ranges the run's owner offers
     * ({@link Job#help}) under the run's budget, and between them spins, then yields, then naps (class comment).
     */
    private static final class Helper extends RecursiveAction {
        private final RunTask run;

        Helper(RunTask run) {
            this.run = run;
        }

        @Override
        protected void compute() {
            if (!(Thread.currentThread() instanceof Worker w)) return;
            int saved = w.threads;
            w.threads = run.threads;
            run.helping.incrementAndGet();
            try {
                long idleSince = System.nanoTime();
                while (run.active) {
                    Job job = run.offered;
                    if (job != null && job.next.get() < job.chunks) {
                        job.help(run);
                        idleSince = System.nanoTime();
                        continue;
                    }
                    pause(System.nanoTime() - idleSince, true);
                }
            } finally {
                run.helping.decrementAndGet();
                w.threads = saved;
            }
        }
    }

    /**
     * The task an external thread hands to the pool for {@link #run}; one per thread, reused. {@code exec}
     * reports "not completed" so that the pool never writes a completion status: the caller waits on its own
     * flag, and could otherwise resubmit the task before the previous run's status write, which would mark the
     * new submission done before it ran.
     */
    private static final class RunTask extends ForkJoinTask<Void> {
        Runnable work;
        int threads;
        Thread waiter;
        volatile boolean done;
        /** While the work runs: its helpers stay until it turns false. */
        volatile boolean active;
        /** The range the owner offers its helpers now, or null. */
        volatile Job offered;
        /** Helpers running (a range is offered only when all it could use are there). */
        final AtomicInteger helping = new AtomicInteger();
        private Helper[] helpers = new Helper[0];
        /** Helpers forked for this run; whether its first range has waited for them to start. */
        private int helperCount;
        private boolean waited;
        private Throwable failure;

        /**
         * Whether {@code n} helpers are running, so that a range can be offered to them. Only the run's first range
         * waits for them to start (spinning, then yielding, up to {@link #YIELD_NANOS}): its helper tasks were
         * forked a moment ago, and a range forked meanwhile would sit behind them in the queue and run on the
         * owner alone. A later range whose helpers are not all there (the pool is busy elsewhere) forks.
         */
        boolean awaitHelpers(int n) {
            if (helping.get() >= n) return true;
            if (n > helperCount || waited) return false;
            waited = true;
            for (long start = System.nanoTime(), w = 0; helping.get() < n && w < YIELD_NANOS; w = System.nanoTime() - start) pause(w, false);
            return helping.get() >= n;
        }

        @Override
        protected boolean exec() {
            Worker w = (Worker) Thread.currentThread();
            RunTask outer = w.run;
            int count = SPIN_NANOS > 0 ? Math.min(threads, POOL.getParallelism()) - 1 : 0;
            if (helpers.length < count) helpers = new Helper[count];
            helperCount = count;
            waited = false;
            active = true;
            w.run = this;
            int forked = 0;
            try {
                for (; forked < count; forked++) {
                    if (helpers[forked] == null) helpers[forked] = new Helper(this);
                    else helpers[forked].reinitialize();
                    helpers[forked].fork();
                }
                w.runWithBudget(threads, work);
            } catch (Throwable t) {
                failure = t;
            } finally {
                active = false;
                w.run = outer;
                // Every helper is joined before the next run reuses it. One no worker took returns at once here.
                for (int i = forked - 1; i >= 0; i--) {
                    if (helpers[i].tryUnfork()) helpers[i].quietlyInvoke();
                    else helpers[i].quietlyJoin();
                }
                done = true;
                LockSupport.unpark(waiter);
            }
            return false;
        }

        @Override
        public Void getRawResult() {
            return null;
        }

        @Override
        protected void setRawResult(Void value) {}

        Throwable takeFailure() {
            Throwable f = failure;
            failure = null;
            return f;
        }
    }
}
