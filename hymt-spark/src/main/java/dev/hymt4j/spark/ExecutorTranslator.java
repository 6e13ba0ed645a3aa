package dev.hymt4j.spark;

import dev.hymt4j.cli.Hymt;
import dev.hymt4j.tensor.Parallel;
import dev.hymt4j.translate.Translator;
import dev.hymt4j.translate.TranslatorOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The one model and engine of an executor JVM, shared by all its tasks: loaded (memory-mapped) on first use and
 * kept for the JVM's life, so a stage of 1,000 tasks loads it once per executor, not once per task. The engine
 * runs its own step loop ({@link dev.hymt4j.engine.Engine#start()}); every task of the executor submits its rows
 * to it, so rows of different tasks share the continuous batches.
 */
final class ExecutorTranslator {
    private static final Map<String, Translator> LOADED = new HashMap<>();

    private ExecutorTranslator() {}

    /** The executor's running translator of {@code model} with these engine settings (threads, batch size). */
    static synchronized Translator get(String model, TranslatorOptions options) throws IOException {
        String key = model + " " + options;
        Translator t = LOADED.get(key);
        if (t == null) {
            Path dir = ModelSource.resolve(model);
            if (Parallel.threads() < options.engine().threads()) Parallel.setThreads(options.engine().threads());
            try {
                t = Translator.load(dir, options);
            } catch (IOException | RuntimeException e) {
                throw new IOException(ModelSource.where() + " cannot load the model " + model + " (" + dir + "): " + Hymt.describe(e), e);
            }
            t.engine().start();
            LOADED.put(key, t);
        }
        return t;
    }
}
