package dev.hymt4j.translate;

import dev.hymt4j.engine.Engine;
import dev.hymt4j.engine.GenerationRequest;
import dev.hymt4j.engine.RequestHandle;
import dev.hymt4j.generate.GenerationConfig;
import dev.hymt4j.gguf.GgufFile;
import dev.hymt4j.generate.GenerationResult;
import dev.hymt4j.generate.TokenListener;
import dev.hymt4j.hub.ModelLocator;
import dev.hymt4j.lora.LoraAdapter;
import dev.hymt4j.model.CausalLm;
import dev.hymt4j.model.HunyuanModel;
import dev.hymt4j.prompt.ChatTemplate;
import dev.hymt4j.prompt.GenerationDefaults;
import dev.hymt4j.prompt.Language;
import dev.hymt4j.prompt.OutputCleaner;
import dev.hymt4j.prompt.PromptEnding;
import dev.hymt4j.prompt.PromptTemplates;
import dev.hymt4j.prompt.SpecialTokens;
import dev.hymt4j.prompt.TranslationRequest;
import dev.hymt4j.tokenizer.EncodeOptions;
import dev.hymt4j.tokenizer.StreamDecoder;
import dev.hymt4j.tokenizer.Tokenizer;
import dev.hymt4j.weights.WeightSource;
import dev.hymt4j.weights.WeightSources;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The library entry point: translate text with a HY-MT1.5 model directory.
 *
 * <pre>{@code
 * try (Translator t = Translator.load("tencent/HY-MT1.5-1.8B")) {
 *     Translation r = t.translate(TranslationRequest.of("It's on the house.", Language.parse("zh")));
 *     System.out.println(r.text());
 * }
 * }</pre>
 *
 * Prompts are the official templates (spec §6) wrapped in the chat template (§5); the source text is encoded
 * as plain text, so a special-token string inside user text (e.g. {@code <think>}) stays text instead of
 * becoming a control token (spec §8.8 — robust MT over bit-parity with {@code apply_chat_template}).
 * Output is decoded without {@code clean_up_tokenization_spaces}, which would turn French {@code "Bonjour !"}
 * into {@code "Bonjour!"}.
 *
 * <p>Every translation runs on one continuous-batching {@link Engine}: {@link #translateAll} streams all its
 * requests through it, {@link #submit} lets a server add requests while others generate. A request's output
 * does not depend on what else runs with it. Translators derived with the {@code with…} methods share the
 * model and (except {@link #withOptions}) the engine.
 */
public final class Translator implements AutoCloseable {
    private final CausalLm model;
    private final Engine engine;
    private final Tokenizer tokenizer;
    private final ChatTemplate chat;
    private final PromptTemplates templates;
    private final Set<Integer> stopIds;
    private final GenerationConfig generation;
    private final LoraAdapter adapter;

    private Translator(CausalLm model, Engine engine, Tokenizer tokenizer, ChatTemplate chat, PromptTemplates templates,
                       Set<Integer> stopIds, GenerationConfig generation, LoraAdapter adapter) {
        this.model = model;
        this.engine = engine;
        this.tokenizer = tokenizer;
        this.chat = chat;
        this.templates = templates;
        this.stopIds = stopIds;
        this.generation = generation;
        this.adapter = adapter;
    }

    /** Loads a model directory, or a hub repo id such as {@code tencent/HY-MT1.5-1.8B} (cached or downloaded). */
    public static Translator load(String modelDirOrRepoId) throws IOException {
        return load(modelDirOrRepoId, TranslatorOptions.DEFAULTS);
    }

    public static Translator load(String modelDirOrRepoId, TranslatorOptions options) throws IOException {
        return load(ModelLocator.resolve(modelDirOrRepoId), options);
    }

    public static Translator load(Path modelDir) throws IOException {
        return load(modelDir, TranslatorOptions.DEFAULTS);
    }

    /** Loads a model directory or a GGUF file (tokenizer, stop ids and chat template from its metadata). */
    public static Translator load(Path modelDir, TranslatorOptions options) throws IOException {
        return load(modelDir, WeightSources.open(modelDir), options);
    }

    /**
     * Tokenizer, stop ids and chat template from {@code modelDir}, the network from {@code weights} (the same
     * model's tensors, e.g. with its projections quantized as they load); takes ownership of {@code weights}.
     */
    public static Translator load(Path modelDir, WeightSource weights, TranslatorOptions options) throws IOException {
        Tokenizer tokenizer;
        try {
            tokenizer = Tokenizer.load(modelDir);
            if (GgufFile.isGguf(modelDir)) checkChatTemplate(modelDir, SpecialTokens.fromVocabulary(tokenizer::findTokenId));
        } catch (IOException | RuntimeException e) {
            weights.close();
            throw e;
        }
        HunyuanModel model = HunyuanModel.load(weights);
        try {
            return create(model, tokenizer, GenerationDefaults.load(modelDir, model.config().vocabSize()), options);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * A GGUF file carries the chat template llama.cpp renders; ours builds the same prompts from the HY-MT1.5
     * markers, so a template that does not use them belongs to another model and is refused.
     */
    private static void checkChatTemplate(Path gguf, SpecialTokens tokens) throws IOException {
        String template;
        try (GgufFile f = GgufFile.open(gguf)) {
            template = f.metadata().optionalString("tokenizer.chat_template").orElse(null);
        }
        if (template == null) return;
        List<String> missing = new ArrayList<>();
        for (SpecialTokens.Token t : List.of(tokens.bos(), tokens.user(), tokens.assistant(), tokens.eos())) {
            if (!template.contains(t.text())) missing.add(t.text());
        }
        if (!missing.isEmpty()) {
            throw new IOException(gguf + ": tokenizer.chat_template does not write " + String.join(", ", missing)
                    + ": not the HY-MT1.5 chat template, so this GGUF is not an HY-MT model hymt can prompt");
        }
    }

    public static Translator create(CausalLm model, Tokenizer tokenizer, GenerationDefaults defaults) {
        return create(model, tokenizer, defaults, TranslatorOptions.DEFAULTS);
    }

    /**
     * A translator over an already loaded model and tokenizer. Special-token ids are looked up in the
     * tokenizer (so any HY-style tokenizer.json works); decoding defaults to {@code defaults}' sampling
     * settings with seed 0, so the same input gives the same output.
     */
    public static Translator create(CausalLm model, Tokenizer tokenizer, GenerationDefaults defaults, TranslatorOptions options) {
        SpecialTokens tokens = SpecialTokens.fromVocabulary(tokenizer::findTokenId);
        Set<Integer> stops = defaults.stopIds(tokens).stream()
                .filter(id -> id >= 0 && id < model.config().vocabSize())
                .collect(Collectors.toUnmodifiableSet());
        GenerationConfig generation = GenerationConfig.builder()
                .sample(defaults.doSample())
                .temperature((float) defaults.temperature())
                .topK(defaults.topK())
                .topP((float) defaults.topP())
                .repetitionPenalty((float) defaults.repetitionPenalty())
                .maxNewTokens(512)
                .stopTokenIds(stops)
                .build();
        return new Translator(model, new Engine(model, options.engine()), tokenizer,
                new ChatTemplate(tokens, PromptEnding.END_OF_PROMPT), PromptTemplates.official(), stops, generation, null);
    }

    /** The same translator with other decoding settings; the stop ids always stay those of the model. */
    public Translator withGeneration(GenerationConfig config) {
        return new Translator(model, engine, tokenizer, chat, templates, stopIds, withModelStops(config), adapter);
    }

    private GenerationConfig withModelStops(GenerationConfig config) {
        return new GenerationConfig(config.maxNewTokens(), config.sample(), config.temperature(),
                config.topK(), config.topP(), config.repetitionPenalty(), config.seed(), stopIds);
    }

    /** The same translator ending prompts with {@code ending} (spec §5.2: 120026 by default, or 120007). */
    public Translator withPromptEnding(PromptEnding ending) {
        return new Translator(model, engine, tokenizer, new ChatTemplate(chat.tokens(), ending), templates, stopIds, generation, adapter);
    }

    /** The same translator with other prompt templates (e.g. a custom terminology wording). */
    public Translator withTemplates(PromptTemplates templates) {
        return new Translator(model, engine, tokenizer, chat, templates, stopIds, generation, adapter);
    }

    /** The same translator applying a LoRA adapter to every request (null: the base model). */
    public Translator withAdapter(LoraAdapter adapter) {
        return new Translator(model, engine, tokenizer, chat, templates, stopIds, generation, adapter);
    }

    /** The same translator on an engine of its own with these options (threads, budgets, caching). */
    public Translator withOptions(TranslatorOptions options) {
        return new Translator(model, new Engine(model, options.engine()), tokenizer, chat, templates, stopIds, generation, adapter);
    }

    /** The same translator decoding up to {@code size} texts at once (the engine's {@code maxSequences}). */
    public Translator withBatchSize(int size) {
        if (size < 1) throw new IllegalArgumentException("batch size must be ≥ 1, got " + size);
        return withOptions(new TranslatorOptions(engine.options()).withMaxSequences(size));
    }

    public GenerationConfig generation() {
        return generation;
    }

    public CausalLm model() {
        return model;
    }

    /** The engine every request of this translator runs on. */
    public Engine engine() {
        return engine;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public ChatTemplate chatTemplate() {
        return chat;
    }

    /** Translates {@code text} into {@code targetLanguage} (a code such as "zh", "de", "zh-Hant", or a name). */
    public Translation translate(String text, String targetLanguage) {
        return translate(TranslationRequest.of(text, Language.parse(targetLanguage)));
    }

    public Translation translate(TranslationRequest request) {
        return translate(request, piece -> {});
    }

    /** Translates one request, handing decoded text to {@code onText} as tokens arrive (streaming). */
    public Translation translate(TranslationRequest request, Consumer<String> onText) {
        PendingTranslation pending = submit(request, generation, adapter, onText);
        engine.complete(List.of(pending.request()));
        return pending.result().join();
    }

    /**
     * Queues a translation on the engine and returns at once: {@code onTextDelta} (nullable) receives decoded
     * text as tokens arrive, on the engine's thread; the result completes when generation ends. For servers:
     * with {@link Engine#start()} the engine runs on its own; otherwise whoever waits drives it
     * ({@link Engine#complete}).
     *
     * @param generation decoding settings of this request (the model's stop ids are always added)
     * @param adapter    LoRA adapter of this request, or null for the base model
     */
    public PendingTranslation submit(TranslationRequest request, GenerationConfig generation, LoraAdapter adapter,
                                     Consumer<String> onTextDelta) {
        int[] prompt = promptIds(request);
        TokenListener listener = TokenListener.NONE;
        StreamDecoder decoder = onTextDelta == null ? null : tokenizer.streamDecoder(true);
        if (decoder != null) {
            listener = id -> {
                if (stopIds.contains(id)) return;
                String piece = decoder.push(id);
                if (!piece.isEmpty()) onTextDelta.accept(piece);
            };
        }
        RequestHandle handle = engine.submit(new GenerationRequest(prompt, withModelStops(generation), adapter, listener));
        return new PendingTranslation(handle, handle.result().thenApply(result -> {
            if (decoder != null) {
                String tail = decoder.finish();
                if (!tail.isEmpty()) onTextDelta.accept(tail);
            }
            return toTranslation(request, result);
        }));
    }

    /**
     * Translates many requests through the engine (they join the running batch as others finish), returning
     * results in the order of {@code requests}. At most a few batches' worth are queued at a time, so a long
     * list does not hold every prompt's state at once. {@code onDone} is told how many are finished as each
     * finishes (progress).
     */
    public List<Translation> translateAll(List<TranslationRequest> requests, Consumer<Integer> onDone) {
        int window = 4 * engine.options().maxSequences();
        PendingTranslation[] pending = new PendingTranslation[requests.size()];
        AtomicInteger done = new AtomicInteger();
        int next = 0, oldest = 0;
        while (oldest < pending.length) {
            for (; next < pending.length && next - oldest < window; next++) {
                pending[next] = submit(requests.get(next), generation, adapter, null);
                pending[next].result().thenRun(() -> onDone.accept(done.incrementAndGet()));
            }
            engine.complete(List.of(pending[oldest].request()));
            while (oldest < next && pending[oldest].result().isDone()) oldest++;
        }
        List<Translation> out = new ArrayList<>(pending.length);
        for (PendingTranslation p : pending) out.add(p.result().join());
        return out;
    }

    /** The prompt ids for a request: official template, chat template, plain-text content. */
    public int[] promptIds(TranslationRequest request) {
        String user = templates.render(request);
        return chat.encodeUserPrompt(user, text -> tokenizer.encode(text, EncodeOptions.PLAIN_TEXT));
    }

    private Translation toTranslation(TranslationRequest request, GenerationResult result) {
        int[] generated = result.generatedIds();
        int keep = generated.length;
        while (keep > 0 && stopIds.contains(generated[keep - 1])) keep--;
        String raw = tokenizer.decode(Arrays.copyOf(generated, keep), true, false);
        return new Translation(OutputCleaner.clean(raw, request.formatted()), raw, result.promptTokens(),
                result.generatedTokens(), result.finishReason());
    }

    /** Closes the engine and the model (translators derived from this one share them). */
    @Override
    public void close() {
        engine.close();
        model.close();
    }
}
