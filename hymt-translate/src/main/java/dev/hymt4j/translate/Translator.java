package dev.hymt4j.translate;

import dev.hymt4j.generate.GenerationConfig;
import dev.hymt4j.generate.GenerationResult;
import dev.hymt4j.generate.Generator;
import dev.hymt4j.generate.TokenListener;
import dev.hymt4j.hub.ModelLocator;
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

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
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
 */
public final class Translator implements AutoCloseable {
    private final HunyuanModel model;
    private final Tokenizer tokenizer;
    private final ChatTemplate chat;
    private final PromptTemplates templates;
    private final Set<Integer> stopIds;
    private final GenerationConfig generation;
    private final int batchSize;

    private Translator(HunyuanModel model, Tokenizer tokenizer, ChatTemplate chat, PromptTemplates templates,
                       Set<Integer> stopIds, GenerationConfig generation, int batchSize) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.chat = chat;
        this.templates = templates;
        this.stopIds = stopIds;
        this.generation = generation;
        this.batchSize = batchSize;
    }

    /** Loads a model directory, or a hub repo id such as {@code tencent/HY-MT1.5-1.8B} (cached or downloaded). */
    public static Translator load(String modelDirOrRepoId) throws IOException {
        return load(ModelLocator.resolve(modelDirOrRepoId));
    }

    public static Translator load(Path modelDir) throws IOException {
        Tokenizer tokenizer = Tokenizer.load(modelDir);
        HunyuanModel model = HunyuanModel.load(modelDir);
        try {
            return create(model, tokenizer, GenerationDefaults.load(modelDir, model.config().vocabSize()));
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * A translator over an already loaded model and tokenizer. Special-token ids are looked up in the
     * tokenizer (so any HY-style tokenizer.json works); decoding defaults to {@code defaults}' sampling
     * settings with seed 0, so the same input gives the same output.
     */
    public static Translator create(HunyuanModel model, Tokenizer tokenizer, GenerationDefaults defaults) {
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
        return new Translator(model, tokenizer, new ChatTemplate(tokens, PromptEnding.END_OF_PROMPT),
                PromptTemplates.official(), stops, generation, 8);
    }

    /** The same translator with other decoding settings; the stop ids always stay those of the model. */
    public Translator withGeneration(GenerationConfig config) {
        GenerationConfig withStops = new GenerationConfig(config.maxNewTokens(), config.sample(), config.temperature(),
                config.topK(), config.topP(), config.repetitionPenalty(), config.seed(), stopIds);
        return new Translator(model, tokenizer, chat, templates, stopIds, withStops, batchSize);
    }

    /** The same translator ending prompts with {@code ending} (spec §5.2: 120026 by default, or 120007). */
    public Translator withPromptEnding(PromptEnding ending) {
        return new Translator(model, tokenizer, new ChatTemplate(chat.tokens(), ending), templates, stopIds, generation, batchSize);
    }

    /** The same translator with other prompt templates (e.g. a custom terminology wording). */
    public Translator withTemplates(PromptTemplates templates) {
        return new Translator(model, tokenizer, chat, templates, stopIds, generation, batchSize);
    }

    /** The same translator translating up to {@code size} texts per forward batch. */
    public Translator withBatchSize(int size) {
        if (size < 1) throw new IllegalArgumentException("batch size must be ≥ 1, got " + size);
        return new Translator(model, tokenizer, chat, templates, stopIds, generation, size);
    }

    public GenerationConfig generation() {
        return generation;
    }

    public HunyuanModel model() {
        return model;
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
        int[] prompt = promptIds(request);
        StreamDecoder decoder = tokenizer.streamDecoder(true);
        TokenListener listener = (row, id) -> {
            if (stopIds.contains(id)) return;
            String piece = decoder.push(id);
            if (!piece.isEmpty()) onText.accept(piece);
        };
        GenerationResult result = new Generator(model).generate(prompt, generation, listener);
        String tail = decoder.finish();
        if (!tail.isEmpty()) onText.accept(tail);
        return toTranslation(request, result);
    }

    /**
     * Translates many requests, in batches of similar prompt length (less padding), returning results in the
     * order of {@code requests}. {@code onDone} is told how many are finished after each batch (progress).
     */
    public List<Translation> translateAll(List<TranslationRequest> requests, Consumer<Integer> onDone) {
        int n = requests.size();
        int[][] prompts = new int[n][];
        for (int i = 0; i < n; i++) prompts[i] = promptIds(requests.get(i));
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingInt(i -> prompts[i].length));
        Translation[] out = new Translation[n];
        Generator generator = new Generator(model);
        for (int start = 0; start < n; start += batchSize) {
            int end = Math.min(n, start + batchSize);
            List<int[]> batch = new ArrayList<>();
            for (int k = start; k < end; k++) batch.add(prompts[order[k]]);
            List<GenerationResult> results = generator.generate(batch, generation, TokenListener.NONE);
            for (int k = start; k < end; k++) out[order[k]] = toTranslation(requests.get(order[k]), results.get(k - start));
            onDone.accept(end);
        }
        return List.of(out);
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

    @Override
    public void close() {
        model.close();
    }
}
