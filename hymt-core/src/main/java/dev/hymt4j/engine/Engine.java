package dev.hymt4j.engine;

import dev.hymt4j.generate.FiniteLogits;
import dev.hymt4j.generate.FinishReason;
import dev.hymt4j.generate.GenerationException;
import dev.hymt4j.generate.GenerationResult;
import dev.hymt4j.generate.Sampling;
import dev.hymt4j.generate.TokenChooser;
import dev.hymt4j.kv.BlockTable;
import dev.hymt4j.kv.PagedKvCache;
import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.model.CausalLm;
import dev.hymt4j.model.ModelConfig;
import dev.hymt4j.model.StepBatch;
import dev.hymt4j.model.StepOutput;
import dev.hymt4j.tensor.Finite;
import dev.hymt4j.tensor.Parallel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Continuous batching over a {@link CausalLm}: requests join and leave a running batch between steps.
 *
 * <p>Each {@link #step()} admits waiting requests (first come, first served) while the KV cache has room and
 * fewer than {@code maxSequences} run, then runs one forward pass over a ragged batch of at most
 * {@code maxBatchTokens} tokens: first one token for every decoding sequence, then prefill chunks of the others
 * in admission order (a long prompt takes several steps). After the pass each sequence whose last known token
 * was run chooses its next token with its own sampler (seeded from its config), and finished sequences leave,
 * freeing their blocks. When the cache cannot hold the next tokens, the most recently admitted sequence is
 * preempted: its blocks are freed and it waits again at the head of the queue, to be recomputed later — its
 * results do not change, because a sequence's logits do not depend on the batch it runs in.
 *
 * <p>Drive it with {@link #start()} (its own thread; for servers and jobs) or by calling {@link #step()} (a
 * deterministic loop, e.g. tests and {@code hymt generate}); {@link #submit} and {@link RequestHandle#cancel}
 * work from any thread in both modes. The forward pass runs on the shared compute pool within this engine's
 * thread budget ({@code threads}), so engines sharing a JVM share its workers.
 */
public final class Engine implements AutoCloseable {
    private final CausalLm model;
    private final ModelConfig config;
    private final EngineOptions options;
    private final PagedKvCache cache;
    private final StepBatch batch = new StepBatch();
    private final Runnable forwardPass;
    private final float[] logits;
    /** Work arrays of the samplers: tokens are chosen one at a time, so one set serves every request. */
    private final Sampling.Scratch sampling = new Sampling.Scratch();
    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentLinkedQueue<Request> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    /** Cancellations asked for since the last step looked (so a step without any scans nothing). */
    private final AtomicInteger cancels = new AtomicInteger();
    /** {@link #cancelAll()} cancels every request with an id up to this one (ids grow with submission). */
    private final AtomicLong cancelThrough = new AtomicLong();
    private final AtomicLong ids = new AtomicLong();
    // Guarded by lock:
    private final ArrayDeque<Request> waiting = new ArrayDeque<>();
    private final List<Request> running = new ArrayList<>();
    private final Request[] scheduled;
    private int scheduledCount;
    // Counters: written by the stepping thread only, read without the lock by metrics().
    private final AtomicLongArray tokensPerStep = new AtomicLongArray(32);
    private final AtomicLongArray sequencesPerStep = new AtomicLongArray(32);
    private volatile long steps, stepSequences, promptTokens, computedTokens, generatedTokens, preemptions, completed, cancelled, failed;
    private volatile int runningCount;
    private volatile boolean closed;
    private Thread loop;
    private final Object signal = new Object();

    public Engine(CausalLm model, EngineOptions options) {
        this.model = model;
        this.config = model.config();
        this.options = options;
        this.cache = new PagedKvCache(config, options.blockSize(), options.resolvedKvCacheBytes(), options.prefixCaching());
        this.scheduled = new Request[options.maxSequences()];
        this.logits = new float[config.vocabSize()];
        this.forwardPass = () -> model.forward(batch, cache);
    }

    public CausalLm model() {
        return model;
    }

    public EngineOptions options() {
        return options;
    }

    /**
     * Queues a request; it joins the running batch at a coming step. Fails at once for a prompt the engine can
     * never run (token ids outside the vocabulary, longer than the model's positions or the cache budget).
     *
     * @throws QueueFullException when {@code maxQueue} requests are already waiting
     */
    public RequestHandle submit(GenerationRequest request) {
        if (closed) throw new IllegalStateException("the engine is closed");
        int[] prompt = request.promptIds();
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] < 0 || prompt[i] >= config.vocabSize()) {
                throw new IllegalArgumentException("prompt token id " + prompt[i] + " at " + i + " is outside the vocabulary [0, "
                        + config.vocabSize() + ")");
            }
        }
        if (prompt.length >= config.maxPositionEmbeddings()) {
            throw new IllegalArgumentException("prompt of " + prompt.length + " tokens leaves no room below max_position_embeddings "
                    + config.maxPositionEmbeddings());
        }
        if (cache.blocksFor(prompt.length + 1) > cache.capacity()) {
            throw new IllegalArgumentException("prompt of " + prompt.length + " tokens does not fit the KV cache budget of "
                    + cache.capacity() * cache.blockSize() + " tokens (" + options.resolvedKvCacheBytes() + " bytes)");
        }
        if (request.adapter() != null && !request.adapter().modelConfig().equals(config)) {
            throw new IllegalArgumentException("the request's adapter was built for another model config");
        }
        Request r = new Request(ids.incrementAndGet(), request);
        if (request.config().maxNewTokens() == 0) {
            r.future.complete(r.result(FinishReason.MAX_NEW_TOKENS));
            return r;
        }
        if (options.maxQueue() > 0 && queued.get() >= options.maxQueue()) {
            throw new QueueFullException(options.maxQueue() + " requests are already waiting (maxQueue); try again later");
        }
        queued.incrementAndGet();
        inbox.add(r);
        synchronized (signal) {
            signal.notifyAll();
        }
        return r;
    }

    /**
     * Runs one step: admissions, one forward pass, token choices, retirements. Returns false when there was
     * nothing to do (no request waiting or running).
     */
    public boolean step() {
        lock.lock();
        try {
            if (closed) return false;
            for (Request r; (r = inbox.poll()) != null; ) waiting.add(r);
            retireCancelled();
            if (waiting.isEmpty() && running.isEmpty()) return false;
            admit();
            schedule();
            if (batch.tokens() > 0) {
                Parallel.run(options.threads(), forwardPass);
                afterForward(batch.output());
            }
            return !waiting.isEmpty() || !running.isEmpty() || !inbox.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Runs the step loop on a thread of its own until {@link #close()}. */
    public synchronized void start() {
        if (closed) throw new IllegalStateException("the engine is closed");
        if (loop != null) return;
        loop = new Thread(() -> {
            while (!closed) {
                try {
                    if (step()) continue;
                } catch (RuntimeException | Error e) {
                    failAll(e);
                }
                synchronized (signal) {
                    while (!closed && inbox.isEmpty() && !hasWork()) {
                        try {
                            signal.wait();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
            }
        }, "hymt-engine");
        loop.setDaemon(true);
        loop.start();
    }

    /** Whether the engine runs its own step loop ({@link #start()}). */
    public synchronized boolean started() {
        return loop != null;
    }

    /**
     * Waits for every handle's result: steps in the calling thread when the engine has no loop of its own,
     * else waits for the loop. Results in the order of {@code handles}; a failed request rethrows its failure.
     */
    public List<GenerationResult> complete(List<? extends RequestHandle> handles) {
        if (!started()) {
            while (handles.stream().anyMatch(h -> !h.result().isDone())) {
                if (!step() && handles.stream().anyMatch(h -> !h.result().isDone())) {
                    throw new IllegalStateException("the engine is idle but requests are not done");
                }
            }
        }
        List<GenerationResult> results = new ArrayList<>(handles.size());
        for (RequestHandle h : handles) results.add(h.join());
        return results;
    }

    private boolean hasWork() {
        lock.lock();
        try {
            return !waiting.isEmpty() || !running.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A snapshot of the counters. Never waits for a running step (a server's metrics endpoint must not stall):
     * while a step runs, the cache figures may be those of just before or just after it.
     */
    public EngineMetrics metrics() {
        return new EngineMetrics(queued.get(), runningCount, steps, snapshot(tokensPerStep), snapshot(sequencesPerStep),
                stepSequences, cache.usedBlocks(), cache.cachedBlocks(),
                cache.availableBlocks(), cache.capacity(), cache.prefixHits(), cache.prefixMisses(), promptTokens, computedTokens,
                generatedTokens, preemptions, completed, cancelled, failed);
    }

    private static long[] snapshot(AtomicLongArray histogram) {
        long[] copy = new long[histogram.length()];
        for (int i = 0; i < copy.length; i++) copy[i] = histogram.get(i);
        return copy;
    }

    /**
     * Cancels every request submitted before this call, waiting or running (e.g. a server's shutdown past its
     * deadline); requests submitted afterwards are not touched. Like {@link RequestHandle#cancel()} it never waits
     * for a running step: what that step is computing is dropped at the step's end, and each result completes with
     * {@link FinishReason#CANCELLED} and the tokens chosen so far.
     */
    public void cancelAll() {
        cancelThrough.accumulateAndGet(ids.get(), Math::max);
        cancels.incrementAndGet();
        if (canRetireNow()) {
            try {
                for (Request r; (r = inbox.poll()) != null; ) waiting.add(r);
                retireCancelled();
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Takes the lock for a cancellation that can be carried out at once: not while a step runs (it is carried out
     * when the next step begins), and not from a listener, which runs on the stepping thread inside the step
     * (the lock is reentrant, but the step is still walking the sequences it scheduled).
     */
    private boolean canRetireNow() {
        return !lock.isHeldByCurrentThread() && lock.tryLock();
    }

    /** The KV cache (for metrics and tests). */
    public PagedKvCache cache() {
        return cache;
    }

    /** Stops the loop, cancels every request still waiting or running and frees all blocks. */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            t = loop;
        }
        synchronized (signal) {
            signal.notifyAll();
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        lock.lock();
        try {
            for (Request r; (r = inbox.poll()) != null; ) waiting.add(r);
            for (Request r : waiting) finish(r, FinishReason.CANCELLED, null);
            waiting.clear();
            queued.set(0);
            for (Request r : new ArrayList<>(running)) finish(r, FinishReason.CANCELLED, null);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- scheduling (all under lock)

    private void retireCancelled() {
        if (cancels.getAndSet(0) == 0) return;
        for (Iterator<Request> it = waiting.iterator(); it.hasNext(); ) {
            Request r = it.next();
            if (r.cancelled()) {
                it.remove();
                queued.decrementAndGet();
                finish(r, FinishReason.CANCELLED, null);
            }
        }
        for (int i = running.size() - 1; i >= 0; i--) {
            Request r = running.get(i);
            if (r.cancelled()) finish(r, FinishReason.CANCELLED, null);
        }
    }

    /**
     * Admits waiting requests in order while there is room; the first that does not fit makes the rest wait
     * (holding the prefix blocks it found, so they stay cached for it).
     */
    private void admit() {
        while (!waiting.isEmpty() && running.size() < options.maxSequences()) {
            Request r = waiting.peek();
            if (r.table.size() == 0) r.cached = cache.claimPrefix(r.table, r.tokens, r.known - 1, r.salt);
            int needed = cache.blocksFor(r.known + 1) - r.table.size();
            if (needed > cache.availableBlocks() - blocksForNextDecodes()) {
                if (!running.isEmpty() || needed <= cache.availableBlocks()) return;
                // Nothing runs, so nothing will free more: the budget cannot hold this sequence.
                waiting.poll();
                queued.decrementAndGet();
                fail(r, budgetTooSmall(r));
                continue;
            }
            waiting.poll();
            queued.decrementAndGet();
            if (r.admittedAt == 0) {
                r.admittedAt = System.nanoTime();
                promptTokens += r.prompt.length;
            }
            running.add(r);
            runningCount = running.size();
        }
    }

    /** Blocks the running decodes will take in the coming step (those whose next slot starts a new block). */
    private int blocksForNextDecodes() {
        int n = 0;
        for (int i = 0; i < running.size(); i++) {
            Request r = running.get(i);
            if (cache.blocksFor(r.known) > r.table.size()) n++;
        }
        return n;
    }

    /**
     * Fills the step batch: one token per decoding sequence (oldest first), then prefill chunks in admission
     * order within the token budget. When the cache cannot hold what must run, preempts and starts over.
     */
    private void schedule() {
        while (true) {
            unschedule();
            int budget = options.maxBatchTokens();
            Request stuck = null;
            // Indexed loops: a steady-state step allocates nothing, not even iterators.
            for (int i = 0; i < running.size(); i++) {
                Request r = running.get(i);
                if (budget == 0) break;
                if (r.pending() != 1) continue;
                if (!cache.reserve(r.table, r.known)) {
                    stuck = r;
                    break;
                }
                add(r, 1);
                budget--;
            }
            if (stuck == null) {
                for (int i = 0; i < running.size(); i++) {
                    Request r = running.get(i);
                    if (budget == 0) break;
                    if (r.pending() <= 1) continue;
                    int fits = (r.table.size() + cache.availableBlocks()) * cache.blockSize() - r.cached;
                    int chunk = Math.min(Math.min(r.pending(), budget), fits);
                    if (chunk <= 0) continue;
                    cache.reserve(r.table, r.cached + chunk);
                    add(r, chunk);
                    budget -= chunk;
                }
                if (scheduledCount > 0 || running.isEmpty()) return;
                stuck = running.getFirst();   // every sequence waits for blocks: free some
            }
            makeRoom(stuck);
        }
    }

    private void add(Request r, int count) {
        boolean last = r.cached + count == r.known;
        batch.add(r.tokens, r.cached, count, r.cached, r.table, last ? StepBatch.Logits.LAST : StepBatch.Logits.NONE, r.adapter);
        r.stepTokens = count;
        scheduled[scheduledCount++] = r;
    }

    private void unschedule() {
        scheduledCount = 0;
        batch.clear();
    }

    /**
     * Frees blocks for {@code needy}: preempts the most recently admitted other running sequence (its blocks
     * are freed and it waits again at the head of the queue, to be recomputed), or fails {@code needy} when it
     * runs alone and the budget cannot hold it.
     */
    private void makeRoom(Request needy) {
        for (int i = running.size() - 1; i >= 0; i--) {
            Request victim = running.get(i);
            if (victim == needy) continue;
            running.remove(i);
            runningCount = running.size();
            cache.release(victim.table);
            victim.cached = 0;
            waiting.addFirst(victim);
            queued.incrementAndGet();
            preemptions++;
            return;
        }
        boolean released = false;
        for (Request w : waiting) {   // prefix blocks held by waiting requests come back first
            released |= w.table.size() > 0;
            cache.release(w.table);
            w.cached = 0;
        }
        if (!released) fail(needy, budgetTooSmall(needy));
    }

    private GenerationException budgetTooSmall(Request r) {
        return new GenerationException("request " + r.id + ": " + (r.known + 1) + " tokens do not fit the KV cache budget of "
                + cache.capacity() * cache.blockSize() + " tokens (" + options.resolvedKvCacheBytes() + " bytes)");
    }

    /** Advances every scheduled sequence, chooses next tokens, retires finished ones. */
    private void afterForward(StepOutput out) {
        steps++;
        tokensPerStep.incrementAndGet(EngineMetrics.bucket(batch.tokens()));
        sequencesPerStep.incrementAndGet(EngineMetrics.bucket(scheduledCount));
        stepSequences += scheduledCount;
        computedTokens += batch.tokens();
        for (int s = 0; s < scheduledCount; s++) {
            Request r = scheduled[s];
            r.cached += r.stepTokens;
            cache.registerPrefix(r.table, r.tokens, r.prompt.length, r.cached, r.salt);
            if (out.rowCount(s) == 0) continue;
            System.arraycopy(out.logits(), out.row(s) * out.vocab(), logits, 0, out.vocab());
            try {
                choose(r);
            } catch (RuntimeException e) {
                fail(r, e instanceof GenerationException g ? g
                        : new GenerationException("request " + r.id + ": token listener failed: " + e, e));
            }
        }
        scheduledCount = 0;
    }

    private void choose(Request r) {
        // The scan comes first so that the message is built only on failure: a decoded token allocates nothing.
        if (Finite.firstNonFinite(logits) >= 0) {
            FiniteLogits.require(logits, "request " + r.id + ": token " + (r.generated + 1) + " after a prompt of "
                    + r.prompt.length + " tokens", model);
        }
        r.listener.onLogits(logits);
        int token = r.chooser.next(logits, r.seen, sampling);
        r.seen.set(token);
        r.append(token);
        generatedTokens++;
        if (r.firstTokenAt == 0) r.firstTokenAt = System.nanoTime();
        r.listener.onToken(token);
        if (r.stops.get(token)) finish(r, FinishReason.STOP_TOKEN, null);
        else if (r.generated == r.request.config().maxNewTokens() || r.known >= config.maxPositionEmbeddings()) {
            finish(r, FinishReason.MAX_NEW_TOKENS, null);
        }
    }

    private void fail(Request r, GenerationException e) {
        finish(r, null, e);
    }

    /** Removes a request from the running set, frees its blocks and completes its future. */
    private void finish(Request r, FinishReason reason, GenerationException failure) {
        running.remove(r);
        runningCount = running.size();
        cache.release(r.table);
        if (failure != null) {
            failed++;
            r.future.completeExceptionally(failure);
            return;
        }
        if (reason == FinishReason.CANCELLED) cancelled++;
        else completed++;
        r.future.complete(r.result(reason));
    }

    private void failAll(Throwable e) {
        lock.lock();
        try {
            GenerationException g = new GenerationException("engine step failed: " + e, e);
            for (Request r : new ArrayList<>(running)) fail(r, g);
            for (Request r; (r = inbox.poll()) != null; ) waiting.add(r);
            for (Request r : waiting) r.future.completeExceptionally(g);
            failed += waiting.size();
            waiting.clear();
            queued.set(0);
        } finally {
            lock.unlock();
        }
    }

    /** A request's state from submission to its result. */
    private final class Request implements RequestHandle {
        final long id;
        final GenerationRequest request;
        final int[] prompt;
        final LoraAdapter adapter;
        final long salt;
        final dev.hymt4j.generate.TokenListener listener;
        final TokenChooser chooser;
        /** Every token id seen so far (the repetition penalty's set), sized for the vocabulary once, never grown. */
        final BitSet seen = new BitSet(config.vocabSize());
        /** The config's stop ids (a set of Integer would box every chosen token). */
        final BitSet stops = new BitSet();
        final BlockTable table = new BlockTable();
        final CompletableFuture<GenerationResult> future = new CompletableFuture<>();
        final long submittedAt = System.nanoTime();
        /** Prompt then generated ids; {@code known} of them are valid, {@code cached} of those are in the cache. */
        int[] tokens;
        int known, cached, generated, stepTokens;
        volatile boolean cancelRequested;
        long admittedAt, firstTokenAt;

        Request(long id, GenerationRequest request) {
            this.id = id;
            this.request = request;
            this.prompt = request.promptIds();
            this.adapter = request.adapter();
            this.salt = adapter == null ? 0 : adapter.cacheKey();
            this.listener = request.listener();
            this.chooser = new TokenChooser(request.config(), new SplittableRandom(request.config().seed()));
            int room = (int) Math.min((long) prompt.length + request.config().maxNewTokens(), prompt.length + 256L);
            this.tokens = Arrays.copyOf(prompt, room);
            this.known = prompt.length;
            for (int id0 : prompt) seen.set(id0);
            for (int stop : request.config().stopTokenIds()) if (stop >= 0) stops.set(stop);
        }

        /** Whether its own cancel or a {@link #cancelAll()} asked for it. */
        boolean cancelled() {
            return cancelRequested || id <= cancelThrough.get();
        }

        /** Known tokens not yet in the cache: the prompt (or a chunk's rest), or the last chosen token. */
        int pending() {
            return known - cached;
        }

        void append(int token) {
            if (known == tokens.length) tokens = Arrays.copyOf(tokens, 2 * tokens.length);
            tokens[known++] = token;
            generated++;
        }

        GenerationResult result(FinishReason reason) {
            long now = System.nanoTime();
            long admitted = admittedAt == 0 ? now : admittedAt, first = firstTokenAt == 0 ? now : firstTokenAt;
            return new GenerationResult(prompt.clone(), Arrays.copyOfRange(tokens, prompt.length, known), reason,
                    admitted - submittedAt, first - admitted, now - first);
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public CompletableFuture<GenerationResult> result() {
            return future;
        }

        @Override
        public void cancel() {
            cancelRequested = true;
            cancels.incrementAndGet();
            if (canRetireNow()) {
                try {
                    if (future.isDone()) return;
                    if (waiting.remove(this) || inbox.remove(this)) {
                        queued.decrementAndGet();
                        finish(this, FinishReason.CANCELLED, null);
                    } else if (running.contains(this)) {
                        finish(this, FinishReason.CANCELLED, null);
                    }
                } finally {
                    lock.unlock();
                }
            }
        }
    }
}
