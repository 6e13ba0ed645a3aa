package dev.hymt4j.serve;

import dev.hymt4j.engine.Engine;
import dev.hymt4j.engine.EngineMetrics;
import dev.hymt4j.engine.EngineOptions;
import dev.hymt4j.engine.GenerationRequest;
import dev.hymt4j.engine.RequestHandle;
import dev.hymt4j.generate.GenerationConfig;
import dev.hymt4j.generate.GenerationResult;
import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.prompt.ChatMessage;
import dev.hymt4j.prompt.TranslationRequest;
import dev.hymt4j.tokenizer.EncodeOptions;
import dev.hymt4j.tokenizer.Tokenizer;
import dev.hymt4j.translate.Translator;
import dev.hymt4j.translate.TranslatorOptions;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;

/**
 * The one class of the server that talks to the model: prompts go in, token ids come out through a
 * {@link Listener}. Everything above it (HTTP, APIs, text decoding, metrics) sees only this class.
 *
 * <p>It runs the continuous-batching {@link Engine} on its own thread: requests join and leave the running batch
 * between steps, each with its own sampler and, optionally, its own LoRA adapter (the base product runs once for
 * the whole batch, each adapter's low-rank product over its own sequences). Cancelling a sequence frees its KV
 * cache blocks at the next step boundary.
 */
public final class Inference implements AutoCloseable {

    /** Why a sequence ended. */
    public enum Finish { STOP_TOKEN, LENGTH, CANCELLED, ERROR }

    /** Receives one sequence's tokens, on the engine thread: keep it short and never block. */
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
     * @param sequencesPerStep the engine's histogram of sequences per step (entry i: more than 2^(i-1), at most 2^i)
     * @param stepSequences    sequences summed over all steps
     */
    public record Stats(int waiting, int running, long steps, long[] sequencesPerStep, long stepSequences, long promptTokens,
                        long generatedTokens, CacheStats cache) {}

    /**
     * Paged KV cache blocks and prefix-cache lookups.
     *
     * @param blocksFree blocks a sequence could get now: free ones and those kept only for the prefix cache
     */
    public record CacheStats(long blocksUsed, long blocksFree, long prefixHits, long prefixQueries) {}

    private final Translator translator;
    private final Engine engine;
    private final Map<String, LoraAdapter> adapters;

    private Inference(Translator translator, Map<String, LoraAdapter> adapters) {
        this.translator = translator;
        this.engine = translator.engine();
        this.adapters = adapters;
        engine.start();
    }

    /**
     * Loads the model and each adapter ({@code name → PEFT directory}) and starts the engine.
     *
     * @param engineOptions the engine's token budget, queue bound ({@code maxQueue}), threads and cache
     */
    public static Inference load(Path modelDir, Map<String, Path> adapterDirs, EngineOptions engineOptions) throws IOException {
        Translator translator = Translator.load(modelDir, new TranslatorOptions(engineOptions));
        Map<String, LoraAdapter> adapters = new LinkedHashMap<>();
        for (Map.Entry<String, Path> a : adapterDirs.entrySet()) {
            try {
                adapters.put(a.getKey(), LoraAdapter.load(a.getValue(), translator.model().config()));
            } catch (IOException | RuntimeException e) {
                translator.close();
                throw new IOException("adapter " + a.getKey() + ": " + e.getMessage(), e);
            }
        }
        return new Inference(translator, Map.copyOf(adapters));
    }

    public Tokenizer tokenizer() {
        return translator.tokenizer();
    }

    /** The model's recommended decoding (generation_config.json, else the README), with its stop ids. */
    public GenerationConfig defaults() {
        return translator.generation();
    }

    public Set<String> adapters() {
        return adapters.keySet();
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
     * Queues a sequence. The listener hears its tokens and its end on the engine thread.
     *
     * @param adapter a name from {@link #adapters()}, or null for the base model
     * @throws IllegalArgumentException for a prompt the engine can never run (too long for the context or the cache)
     */
    public Sequence submit(int[] prompt, GenerationConfig config, String adapter, Listener listener) throws QueueFullException {
        if (adapter != null && !adapters.containsKey(adapter)) throw new IllegalArgumentException("unknown adapter " + adapter);
        RequestHandle handle;
        try {
            handle = engine.submit(new GenerationRequest(prompt.clone(), config, adapter == null ? null : adapters.get(adapter),
                    listener::onToken));
        } catch (dev.hymt4j.engine.QueueFullException e) {
            throw new QueueFullException(engine.options().maxQueue());
        }
        handle.result().whenComplete((result, failure) ->
                listener.onEnd(failure == null ? result(result) : new Result(prompt.length, new int[0], Finish.ERROR, message(failure))));
        return handle::cancel;
    }

    private static Result result(GenerationResult r) {
        Finish finish = switch (r.finishReason()) {
            case STOP_TOKEN -> Finish.STOP_TOKEN;
            case MAX_NEW_TOKENS -> Finish.LENGTH;
            case CANCELLED -> Finish.CANCELLED;
        };
        return new Result(r.promptTokens(), r.generatedIds(), finish, null);
    }

    private static String message(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    /** A snapshot for /metrics; never waits for the engine step in progress, so it may run on the event loop. */
    public Stats stats() {
        EngineMetrics m = engine.metrics();
        return new Stats(m.waiting(), m.running(), m.steps(), m.sequencesPerStep(), m.stepSequences(), m.promptTokens(),
                m.generatedTokens(), new CacheStats(m.blocksUsed(), m.blocksAvailable(), m.prefixHits(), m.prefixHits() + m.prefixMisses()));
    }

    /** Cancels every waiting and running sequence (shutdown past its deadline); their listeners end with CANCELLED. */
    public void cancelAll() {
        engine.cancelAll();
    }

    @Override
    public void close() {
        translator.close();
    }
}
