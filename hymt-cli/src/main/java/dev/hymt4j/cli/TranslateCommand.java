package dev.hymt4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hymt4j.io.AtomicFile;
import dev.hymt4j.io.TextFiles;
import dev.hymt4j.prompt.GlossaryEntry;
import dev.hymt4j.prompt.TranslationRequest;
import dev.hymt4j.translate.Translation;
import dev.hymt4j.translate.Translator;
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

    @Mixin
    AdapterOptions adapterOptions;

    @Mixin
    TranslationOptions translation;

    @Mixin
    ForceOption force;

    @Reads(Reads.Kind.FILE)
    @Option(names = "--in", paramLabel = "FILE", description = "Translate every line of a text file, or the \"source\" of every JSONL line.")
    Path inFile;

    @Writes(Writes.Kind.FILE)
    @Option(names = "--out", paramLabel = "FILE", description = "With --in: write one translation per line here (default: stdout).")
    Path outFile;

    @Option(names = "--stream", description = "Print each translation as it is generated.")
    boolean stream;

    @Option(names = {"-v", "--verbose"}, description = "Print token counts and speed to stderr.")
    boolean verbose;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "Texts to translate (default: each line of stdin).")
    List<String> texts = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        modelOptions.applyThreads();
        translation.checkLanguages();
        List<GlossaryEntry> glossary = translation.glossary();
        List<String> inputs = inputs();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path dir = modelOptions.dir();
        try (Translator loaded = Translator.load(dir, adapterOptions.weights(dir), translation.translatorOptions())) {
            Translator translator = translation.configure(loaded).withAdapter(adapterOptions.adapter(loaded.model().config()));
            List<TranslationRequest> requests = inputs.stream().filter(text -> !text.isBlank())
                    .map(text -> translation.request(text, glossary, null, false)).toList();
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
                // One output line per input line: blank inputs give blank lines.
                StringBuilder sb = new StringBuilder();
                int next = 0;
                for (String text : inputs) {
                    sb.append(text.isBlank() ? "" : results.get(next++).text().replace('\n', ' ')).append('\n');
                }
                if (outFile != null) AtomicFile.writeString(outFile, sb.toString());
                else out.print(sb);
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

    /**
     * The texts to translate, in order; a blank line of an --in text file stays a blank output line (so lines
     * keep matching) and is not sent to the model. Nothing to translate at all is an error, not an empty output.
     */
    private List<String> inputs() throws IOException {
        List<String> found;
        String what;
        if (inFile != null) {
            if (!texts.isEmpty()) throw new ParameterException(spec.commandLine(), "give TEXT arguments or --in, not both");
            if (!Files.isRegularFile(inFile)) throw new IOException(inFile + (Files.isDirectory(inFile) ? ": is a directory; expected a text file" : ": file not found"));
            List<String> lines = TextFiles.readString(inFile).lines().toList();
            found = inFile.getFileName().toString().endsWith(".jsonl") ? jsonlSources(lines) : lines;
            what = inFile + ": nothing to translate (no text in the file)";
        } else if (!texts.isEmpty()) {
            for (int i = 0; i < texts.size(); i++) {
                if (texts.get(i).isBlank()) throw new ParameterException(spec.commandLine(), "TEXT " + (i + 1) + " is empty");
            }
            return texts;
        } else {
            found = new String(System.in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
            what = "nothing to translate: give TEXT arguments, --in FILE, or lines on standard input";
        }
        if (found.stream().allMatch(String::isBlank)) throw new IOException(what);
        return found;
    }

    private List<String> jsonlSources(List<String> lines) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> sources = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            JsonNode n;
            try {
                n = json.readTree(lines.get(i));
            } catch (IOException e) {
                throw new IOException(inFile + ":" + (i + 1) + ": not valid JSON (" + TextFiles.jsonProblem(e) + ")");
            }
            if (!n.path("source").isTextual()) throw new IOException(inFile + ":" + (i + 1) + ": field \"source\": expected a string");
            sources.add(n.get("source").asText());
        }
        return sources;
    }
}
