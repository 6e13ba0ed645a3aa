package dev.hymt4j.serve;

import dev.hymt4j.generate.FinishReason;
import dev.hymt4j.generate.GenerationConfig;
import dev.hymt4j.generate.GenerationResult;
import dev.hymt4j.generate.Generator;
import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.prompt.ChatMessage;
import dev.hymt4j.prompt.TranslationRequest;
import dev.hymt4j.tokenizer.EncodeOptions;
import dev.hymt4j.tokenizer.Tokenizer;
import dev.hymt4j.translate.Translator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one class of the server that talks to the model: prompts go in, token ids come out through a
 * {@link Listener}. Everything above it (HTTP, APIs, text decoding, metrics) sees only this class, so moving from
 * today's {@link Generator} to the continuous-batching engine changes this file alone.
 *
 * <p>Today: one worker thread runs one sequence at a time (batch size 1) from a queue bounded by
 * {@code maxQueue}; a request naming an adapter runs on a view of the base weights with that adapter applied
 * ({@link LoraAdapter#applyTo}: no weight copy). Cancelling a waiting sequence removes it from the queue;
 * cancelling the running one stops it before its next token and drops its KV cache.
 */
public final class Inference implements AutoCloseable {

    /** Why a sequence ended. */
    public enum Finish { STOP_TOKEN, LENGTH, CANCELLED, ERROR }

    /** Receives one sequence's tokens, on the inference thread: keep it short and never block. */
    public interface Listener {
        void onToken(int tokenId);

        /** Called exactly once, after the last {@link #onToken}. */
        void onEnd(Result result);
    }

    /**
     * @param generated the generated ids (the stop token included when {@code finish} is STOP_TOKEN)
     * @param error     the reason for {@link Finish#ERROR}, else null
     */
    public record Result(int promptTokens, int[] generated, Finish finish, String error) {}

    /** A submitted sequence. */
    public interface Sequence {
        /** Stops the sequence (waiting or running) and frees its cache; its listener ends with CANCELLED. */
        void cancel();
    }

    /** The queue is full: the caller answers 503. */
    public static final class QueueFullException extends Exception {
        public QueueFullException(int limit) {
            super("the server is busy: " + limit + " requests are already waiting (--max-queue " + limit + ")");
        }
    }

    /**
     * What the model is doing right now, for /metrics.
     *
     * @param cache the paged KV cache's state, or null where the backend has no block pool (before the engine)
     */
    public record Stats(int waiting, int running, long steps, long promptTokens, long generatedTokens, CacheStats cache) {}

    /** Paged KV cache blocks and prefix-cache lookups. */
    public record CacheStats(long blocksUsed, long blocksFree, long prefixHits, long prefixQueries) {}

    private final Translator translator;
    private final Map<String, HunyuanModel> adapterModels;
    private final int maxQueue;
    private final Metrics.Histogram batchSizes;
    private final BlockingQueue<Job> waiting = new LinkedBlockingQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private final AtomicLong steps = new AtomicLong(), promptTokens = new AtomicLong(), generatedTokens = new AtomicLong();
    private final Thread worker;
    private volatile Job running;
    private volatile boolean closed;

    private Inference(Translator translator, Map<String, HunyuanModel> adapterModels, int maxQueue,
                      Metrics.Histogram batchSizes) {
        this.translator = translator;
        this.adapterModels = adapterModels;
        this.maxQueue = maxQueue;
        this.batchSizes = batchSizes;
        this.worker = Thread.ofPlatform().name("hymt-inference").daemon().start(this::work);
    }

    /**
     * Loads the model and each adapter ({@code name → PEFT directory}).
     *
     * @param maxQueue   sequences allowed to wait for the model (0 = unbounded)
     * @param batchSizes observes the number of sequences of every model step
     */
    public static Inference load(Path modelDir, Map<String, Path> adapters, int maxQueue, Metrics.Histogram batchSizes)
            throws IOException {
        Translator translator = Translator.load(modelDir);
        Map<String, HunyuanModel> adapterModels = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Path> a : adapters.entrySet()) {
                LoraAdapter adapter = LoraAdapter.load(a.getValue(), translator.model().config());
                adapterModels.put(a.getKey(), new HunyuanModel(adapter.applyTo(translator.model().weights())));
            }
        } catch (IOException | RuntimeException e) {
            translator.close();
            throw new IOException("adapter: " + e.getMessage(), e);
        }
        return new Inference(translator, Map.copyOf(adapterModels), maxQueue, batchSizes);
    }

    public Tokenizer tokenizer() {
        return translator.tokenizer();
    }

    /** The model's recommended decoding (generation_config.json, else the README), with its stop ids. */
    public GenerationConfig defaults() {
        return translator.generation();
    }

    public Set<String> adapters() {
        return adapterModels.keySet();
    }

    /** Positions the model can attend to: prompt plus generated tokens must fit. */
    public int contextLength() {
        return translator.model().config().maxPositionEmbeddings();
    }

    /** Prompt ids for a translation: the official template chosen as {@code hymt translate} chooses it. */
    public int[] translationPrompt(TranslationRequest request) {
        return translator.promptIds(request);
    }

    /** Prompt ids for a conversation in the chat template; message text is encoded as plain text. */
    public int[] chatPrompt(List<ChatMessage> messages) {
        return translator.chatTemplate().encode(messages, text -> tokenizer().encode(text, EncodeOptions.PLAIN_TEXT));
    }

    /**
     * Queues a sequence. The listener hears its tokens and its end on the inference thread.
     *
     * @param adapter a name from {@link #adapters()}, or null for the base model
     */
    public Sequence submit(int[] prompt, GenerationConfig config, String adapter, Listener listener) throws QueueFullException {
        if (closed) throw new IllegalStateException("inference is closed");
        if (adapter != null && !adapterModels.containsKey(adapter)) throw new IllegalArgumentException("unknown adapter " + adapter);
        if (maxQueue > 0 && queued.incrementAndGet() > maxQueue) {
            queued.decrementAndGet();
            throw new QueueFullException(maxQueue);
        } else if (maxQueue <= 0) {
            queued.incrementAndGet();
        }
        Job job = new Job(prompt.clone(), config, adapter == null ? translator.model() : adapterModels.get(adapter), listener);
        waiting.add(job);
        return job::cancel;
    }

    public Stats stats() {
        return new Stats(queued.get(), running != null ? 1 : 0, steps.get(), promptTokens.get(), generatedTokens.get(), null);
    }

    /** Cancels every waiting and running sequence (shutdown past its deadline). */
    public void cancelAll() {
        List<Job> jobs = new ArrayList<>(waiting);
        Job current = running;
        if (current != null) jobs.add(current);
        jobs.forEach(Job::cancel);
    }

    @Override
    public void close() {
        closed = true;
        cancelAll();
        worker.interrupt();
        try {
            worker.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        adapterModels.values().forEach(HunyuanModel::close);
        translator.close();
    }

    private void work() {
        while (!closed) {
            Job job;
            try {
                job = waiting.take();
            } catch (InterruptedException e) {
                return;
            }
            queued.decrementAndGet();
            if (job.cancelled.get()) {
                job.end(Finish.CANCELLED, null);
                continue;
            }
            running = job;
            try {
                job.run();
            } finally {
                running = null;
            }
        }
    }

    /** Thrown from the token listener to abandon a cancelled sequence mid-generation. */
    private static final class Cancelled extends RuntimeException {
        Cancelled() {
            super(null, null, false, false);
        }
    }

    private final class Job {
        final int[] prompt;
        final GenerationConfig config;
        final HunyuanModel model;
        final Listener listener;
        final AtomicBoolean cancelled = new AtomicBoolean();
        final AtomicBoolean ended = new AtomicBoolean();
        final List<Integer> generated = new ArrayList<>();

        Job(int[] prompt, GenerationConfig config, HunyuanModel model, Listener listener) {
            this.prompt = prompt;
            this.config = config;
            this.model = model;
            this.listener = listener;
        }

        void run() {
            promptTokens.addAndGet(prompt.length);
            try {
                GenerationResult result = new Generator(model).generate(prompt, config, (row, id) -> {
                    if (cancelled.get()) throw new Cancelled();
                    steps.incrementAndGet();
                    batchSizes.observe(1);
                    generatedTokens.incrementAndGet();
                    generated.add(id);
                    listener.onToken(id);
                });
                end(result.finishReason() == FinishReason.STOP_TOKEN ? Finish.STOP_TOKEN : Finish.LENGTH, null);
            } catch (Cancelled c) {
                end(Finish.CANCELLED, null);
            } catch (RuntimeException | OutOfMemoryError e) {
                end(Finish.ERROR, e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
            }
        }

        void cancel() {
            if (!cancelled.compareAndSet(false, true)) return;
            // A waiting job ends here; a running one ends on the worker thread at its next token.
            if (waiting.remove(this)) {
                queued.decrementAndGet();
                end(Finish.CANCELLED, null);
            }
        }

        void end(Finish finish, String error) {
            if (!ended.compareAndSet(false, true)) return;
            int[] ids = generated.stream().mapToInt(Integer::intValue).toArray();
            listener.onEnd(new Result(prompt.length, ids, finish, error));
        }
    }
}
