package dev.hymt4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hymt4j.data.ExampleReader;
import dev.hymt4j.generate.GenerationConfig;
import dev.hymt4j.io.AtomicFile;
import dev.hymt4j.prompt.GlossaryEntry;
import dev.hymt4j.prompt.Language;
import dev.hymt4j.prompt.PromptEnding;
import dev.hymt4j.prompt.TranslationRequest;
import dev.hymt4j.translate.Translation;
import dev.hymt4j.translate.Translator;
import dev.hymt4j.translate.TranslatorOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code hymt translate}: translate texts with the official HY-MT prompts. Decoding defaults to the model's
 * recommended sampling settings (generation_config.json, else Tencent's README: top-k 20, top-p 0.6,
 * repetition penalty 1.05, temperature 0.7) with a fixed seed, so a command always gives the same output;
 * {@code --greedy} picks the argmax instead.
 */
@Command(name = "translate", mixinStandardHelpOptions = true,
        description = "Translate text with a HY-MT1.5 model (terminology, context and formatted modes included).")
public final class TranslateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--to", required = true, paramLabel = "LANG", description = "Target language: code (zh, en, de, zh-Hant, …) or name.")
    String to;

    @Option(names = "--from", paramLabel = "LANG", description = "Source language, if known (only steers the template choice).")
    String from;

    @Option(names = "--term", paramLabel = "SRC=TGT", description = "A terminology constraint (repeatable); uses the terminology template.")
    List<String> terms = new ArrayList<>();

    @Option(names = "--glossary", paramLabel = "FILE", description = "Terminology constraints from a file: .tsv (source<TAB>target) or .jsonl {\"source\",\"target\"}.")
    Path glossaryFile;

    @Option(names = "--context", paramLabel = "TEXT", description = "Preceding text to translate in context (context template).")
    String context;

    @Option(names = "--formatted", description = "The text carries <sn></sn> format tags to preserve (formatted template, target zh).")
    boolean formatted;

    @Option(names = "--in", paramLabel = "FILE", description = "Translate every line of a text file, or the \"source\" of every JSONL line.")
    Path inFile;

    @Option(names = "--out", paramLabel = "FILE", description = "With --in: write one translation per line here (default: stdout).")
    Path outFile;

    @Option(names = "--greedy", description = "Greedy decoding instead of the recommended sampling.")
    boolean greedy;

    @Option(names = "--temperature", paramLabel = "T", description = "Sampling temperature (default: the model's, 0.7).")
    Float temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "Top-k (default: the model's, 20).")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P", description = "Top-p (default: the model's, 0.6).")
    Float topP;

    @Option(names = "--repetition-penalty", paramLabel = "R", description = "Repetition penalty (default: the model's, 1.05).")
    Float repetitionPenalty;

    @Option(names = "--seed", defaultValue = "0", description = "Sampling seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--max-new-tokens", defaultValue = "512", description = "At most this many tokens per translation (default ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--batch-size", defaultValue = "8", description = "Texts per forward batch with --in (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--prompt-ending", defaultValue = "END_OF_PROMPT",
            description = "Last prompt token: END_OF_PROMPT (<｜hy_place▁holder▁no▁8｜>, the official README) or ASSISTANT (<｜hy_Assistant｜>, add_generation_prompt=True).")
    PromptEnding ending;

    @Option(names = "--stream", description = "Print each translation as it is generated.")
    boolean stream;

    @Option(names = {"-v", "--verbose"}, description = "Print token counts and speed to stderr.")
    boolean verbose;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to translate (default: each line of stdin).")
    List<String> texts = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        modelOptions.applyThreads();
        Language target = Language.parse(to);
        Language source = from == null ? null : Language.parse(from);
        List<GlossaryEntry> glossary = glossary();
        List<String> inputs = inputs();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Translator loaded = Translator.load(modelOptions.dir(), modelOptions.weights(), TranslatorOptions.DEFAULTS)) {
            Translator translator = loaded.withAdapter(modelOptions.adapter(loaded.model().config()))
                    .withGeneration(generation(loaded.generation()))
                    .withPromptEnding(ending).withBatchSize(batchSize);
            List<TranslationRequest> requests = inputs.stream().map(text -> {
                TranslationRequest r = TranslationRequest.of(text, target).withSource(source).withGlossary(glossary)
                        .withFormatted(formatted);
                return context == null ? r : r.withContext(context);
            }).toList();
            long start = System.nanoTime();
            List<Translation> results;
            if (stream && inFile == null) {
                results = new ArrayList<>();
                for (TranslationRequest r : requests) {
                    results.add(translator.translate(r, piece -> { out.print(piece); out.flush(); }));
                    out.println();
                }
            } else {
                results = translator.translateAll(requests, done -> {
                    if (inFile != null) err.printf("\rtranslated %d/%d", done, requests.size());
                    err.flush();
                });
                if (inFile != null) err.println();
                if (outFile != null) {
                    StringBuilder sb = new StringBuilder();
                    for (Translation t : results) sb.append(t.text().replace('\n', ' ')).append('\n');
                    AtomicFile.writeString(outFile, sb.toString());
                } else {
                    for (Translation t : results) out.println(t.text());
                }
            }
            if (verbose) {
                long prompt = results.stream().mapToLong(Translation::promptTokens).sum();
                long generated = results.stream().mapToLong(Translation::generatedTokens).sum();
                double seconds = (System.nanoTime() - start) / 1e9;
                err.printf("%d texts: %d prompt tokens, %d generated tokens in %.2f s (%.1f generated tok/s)%n",
                        results.size(), prompt, generated, seconds, generated / seconds);
            }
        }
        return 0;
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

    private List<GlossaryEntry> glossary() throws IOException {
        List<GlossaryEntry> entries = new ArrayList<>();
        for (String t : terms) {
            int eq = t.indexOf('=');
            if (eq <= 0 || eq == t.length() - 1) {
                throw new ParameterException(spec.commandLine(), "--term " + t + ": expected SOURCE=TARGET");
            }
            entries.add(new GlossaryEntry(t.substring(0, eq), t.substring(eq + 1)));
        }
        if (glossaryFile != null) entries.addAll(readGlossary(glossaryFile));
        return entries;
    }

    /** Term pairs from a TSV or JSONL file, read by the same reader as training data (errors give file:line:field). */
    private static List<GlossaryEntry> readGlossary(Path file) throws IOException {
        List<GlossaryEntry> entries = new ArrayList<>();
        try (ExampleReader reader = ExampleReader.open(file)) {
            reader.forEachRemaining(e -> entries.add(new GlossaryEntry(e.example().source(), e.example().target())));
        }
        return entries;
    }

    private List<String> inputs() throws IOException {
        if (inFile != null) {
            if (!texts.isEmpty()) throw new ParameterException(spec.commandLine(), "give TEXT arguments or --in, not both");
            if (!Files.isRegularFile(inFile)) throw new IOException(inFile + ": file not found");
            List<String> lines = Files.readAllLines(inFile, StandardCharsets.UTF_8);
            if (!inFile.getFileName().toString().endsWith(".jsonl")) return lines;
            ObjectMapper json = new ObjectMapper();
            List<String> sources = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).isBlank()) continue;
                JsonNode n;
                try {
                    n = json.readTree(lines.get(i));
                } catch (IOException e) {
                    throw new IOException(inFile + ":" + (i + 1) + ": not valid JSON (" + e.getMessage() + ")");
                }
                if (!n.path("source").isTextual()) throw new IOException(inFile + ":" + (i + 1) + ": field \"source\": expected a string");
                sources.add(n.get("source").asText());
            }
            return sources;
        }
        if (!texts.isEmpty()) return texts;
        return new String(System.in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
    }
}
