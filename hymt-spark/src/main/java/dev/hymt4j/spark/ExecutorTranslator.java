package dev.hymt4j.spark;

import dev.hymt4j.cli.Hymt;
import dev.hymt4j.prompt.TranslationRequest;
import dev.hymt4j.tensor.Parallel;
import dev.hymt4j.translate.Translation;
import dev.hymt4j.translate.Translator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one model of an executor JVM, shared by all its tasks: loaded (memory-mapped) on first use, kept for the
 * JVM's life, so a stage of 1,000 tasks loads it once per executor, not once per task.
 *
 * <p>Today it drives {@link Translator#translateAll} over chunks of a partition's rows, one task at a time (the
 * engine computes with all the executor's threads, so a second task would only compete for them). A chunk that
 * fails is redone row by row, so that one bad row fails alone and the others are still translated.
 */
final class ExecutorTranslator {
    private static final Map<String, Translator> LOADED = new HashMap<>();

    private ExecutorTranslator() {}

    /** The executor's translator of {@code model}, computing with {@code threads} threads. */
    static synchronized Translator get(String model, int threads) throws IOException {
        Translator t = LOADED.get(model);
        if (t == null) {
            Path dir = ModelSource.resolve(model);
            Parallel.setThreads(threads);
            try {
                t = Translator.load(dir);
            } catch (IOException | RuntimeException e) {
                throw new IOException(ModelSource.where() + " cannot load the model " + model + " (" + dir + "): " + Hymt.describe(e), e);
            }
            LOADED.put(model, t);
        }
        return t;
    }

    /** A row's result: the translation, or why there is none. */
    record Outcome(Translation translation, String error) {}

    /** Translates {@code requests} in order; a failure costs only the rows that fail. */
    static List<Outcome> translate(Translator translator, List<TranslationRequest> requests) {
        synchronized (ExecutorTranslator.class) {
            List<Outcome> out = new ArrayList<>(requests.size());
            try {
                for (Translation t : translator.translateAll(requests, done -> {})) out.add(new Outcome(t, null));
                return out;
            } catch (RuntimeException chunkFailed) {
                out.clear();
                for (TranslationRequest r : requests) {
                    try {
                        out.add(new Outcome(translator.translateAll(List.of(r), done -> {}).get(0), null));
                    } catch (RuntimeException e) {
                        out.add(new Outcome(null, Hymt.describe(e)));
                    }
                }
                return out;
            }
        }
    }
}
