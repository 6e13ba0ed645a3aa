package dev.hymt4j.cli;

import dev.hymt4j.data.ExampleReader;
import dev.hymt4j.generate.GenerationConfig;
import dev.hymt4j.prompt.GlossaryEntry;
import dev.hymt4j.prompt.Language;
import dev.hymt4j.prompt.PromptEnding;
import dev.hymt4j.prompt.TranslationRequest;
import dev.hymt4j.translate.Translator;
import dev.hymt4j.translate.TranslatorOptions;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options of {@code hymt translate} that say what to ask the model and how to decode: target and source
 * language, terminology, context, formatted mode, sampling, prompt ending, batch size. A picocli mixin shared by
 * {@code hymt translate} and the Spark job's {@code translate}, so both take the same options with the same
 * defaults. Serializable (plain values only) so the Spark job can ship it to its executors.
 */
public final class TranslationOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    @Option(names = "--to", required = true, paramLabel = "LANG", description = "Target language: code (zh, en, de, zh-Hant, …) or name.")
    String to;

    @Option(names = "--from", paramLabel = "LANG", description = "Source language, if known (only steers the template choice).")
    String from;

    @Option(names = "--term", paramLabel = "SRC=TGT", description = "A terminology constraint (repeatable); uses the terminology template.")
    List<String> terms = new ArrayList<>();

    @Reads(Reads.Kind.FILE)
    @Option(names = "--glossary", paramLabel = "FILE", description = "Terminology constraints from a file: .tsv (source<TAB>target) or .jsonl {\"source\",\"target\"}.")
    String glossaryFile;

    @Option(names = "--context", paramLabel = "TEXT", description = "Preceding text to translate in context (context template).")
    String context;

    @Option(names = "--formatted", description = "The text carries <sn></sn> format tags to preserve (formatted template, target zh).")
    boolean formatted;

    @Option(names = "--greedy", description = "Greedy decoding instead of the recommended sampling.")
    boolean greedy;

    @Bounds(min = 0, minExclusive = true, max = 100)
    @Option(names = "--temperature", paramLabel = "T", description = "Sampling temperature (default: the model's, 0.7).")
    Float temperature;

    @Bounds(min = 0)
    @Option(names = "--top-k", paramLabel = "K", description = "Top-k (default: the model's, 20).")
    Integer topK;

    @Bounds(min = 0, minExclusive = true, max = 1)
    @Option(names = "--top-p", paramLabel = "P", description = "Top-p (default: the model's, 0.6).")
    Float topP;

    @Bounds(min = 0, minExclusive = true, max = 100)
    @Option(names = "--repetition-penalty", paramLabel = "R", description = "Repetition penalty (default: the model's, 1.05).")
    Float repetitionPenalty;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Bounds(min = 1)
    @Option(names = "--max-new-tokens", defaultValue = "512", description = "At most this many tokens per translation (default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Bounds(min = 1, max = 4096)
    @Option(names = "--batch-size", defaultValue = "8", description = "Texts per forward batch with --in (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--prompt-ending", defaultValue = "END_OF_PROMPT",
            description = "Last prompt token: END_OF_PROMPT (<｜hy_place▁holder▁no▁8｜>, the official README) or ASSISTANT (<｜hy_Assistant｜>, add_generation_prompt=True).")
    PromptEnding ending;

    /** The command this mixin is part of, for usage errors; not shipped (options are checked where they were parsed). */
    @Spec(Spec.Target.MIXEE)
    transient CommandLine.Model.CommandSpec mixee;

    /** Parses {@code --to} and {@code --from}, so an unknown language fails before any model is loaded. */
    public void checkLanguages() {
        if (mixee != null) {
            LanguageOptions.parse(mixee, "--to", to);
            LanguageOptions.parse(mixee, "--from", from);
        }
        target();
        source();
    }

    public Language target() {
        return Language.parse(to);
    }

    /** The {@code --from} language, or null. */
    public Language source() {
        return from == null ? null : Language.parse(from);
    }

    /** {@code --batch-size}: texts per forward batch. */
    public int batchSize() {
        return batchSize;
    }

    /** The {@code --term} entries, then those of the {@code --glossary} file (read here, where the file is). */
    public List<GlossaryEntry> glossary() throws IOException {
        List<GlossaryEntry> entries = new ArrayList<>();
        for (String t : terms) {
            int eq = t.indexOf('=');
            if (eq <= 0 || eq == t.length() - 1) throw usage("--term " + t + ": expected SOURCE=TARGET");
            entries.add(new GlossaryEntry(t.substring(0, eq), t.substring(eq + 1)));
        }
        if (glossaryFile != null) entries.addAll(readGlossary(Path.of(glossaryFile)));
        return entries;
    }

    /** Term pairs from a TSV or JSONL file, read by the same reader as training data (errors give file:line:field). */
    private static List<GlossaryEntry> readGlossary(Path file) throws IOException {
        List<GlossaryEntry> entries = new ArrayList<>();
        try (ExampleReader reader = ExampleReader.open(file)) {
            reader.forEachRemaining(e -> entries.add(new GlossaryEntry(e.example().source(), e.example().target())));
        }
        if (entries.isEmpty()) throw new IOException(file + ": no terms in the glossary file");
        return entries;
    }

    /**
     * The request for {@code text}: these options' languages and mode, {@code glossary}, and {@code rowContext}
     * when given (a per-row context, as the Spark job's context column), else {@code --context}.
     */
    public TranslationRequest request(String text, List<GlossaryEntry> glossary, String rowContext, boolean rowFormatted) {
        TranslationRequest r = TranslationRequest.of(text, target()).withSource(source()).withGlossary(glossary)
                .withFormatted(formatted || rowFormatted);
        String ctx = rowContext != null ? rowContext : context;
        return ctx == null ? r : r.withContext(ctx);
    }

    /** The engine settings these options ask for: {@code --batch-size} sequences decoded at once. */
    public TranslatorOptions translatorOptions() {
        return TranslatorOptions.DEFAULTS.withMaxSequences(batchSize);
    }

    /**
     * {@code loaded} decoding and ending prompts as these options say, on {@code loaded}'s own engine (load it
     * with {@link #translatorOptions()}), so translators configured from one loaded model share its batches.
     */
    public Translator configure(Translator loaded) {
        return loaded.withGeneration(generation(loaded.generation())).withPromptEnding(ending);
    }

    private GenerationConfig generation(GenerationConfig defaults) {
        return GenerationConfig.builder()
                .sample(!greedy && defaults.sample())
                .temperature(temperature != null ? temperature : defaults.temperature())
                .topK(topK != null ? topK : defaults.topK())
                .topP(topP != null ? topP : defaults.topP())
                .repetitionPenalty(repetitionPenalty != null ? repetitionPenalty : defaults.repetitionPenalty())
                .seed(seed).maxNewTokens(maxNewTokens)
                .build();
    }

    private RuntimeException usage(String message) {
        return mixee == null ? new IllegalArgumentException(message) : new CommandLine.ParameterException(mixee.commandLine(), message);
    }
}
