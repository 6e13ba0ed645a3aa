package dev.hymt4j.cli;

import dev.hymt4j.engine.EngineOptions;
import dev.hymt4j.hub.ModelLocator;
import dev.hymt4j.serve.Limits;
import dev.hymt4j.serve.ServerOptions;
import dev.hymt4j.serve.TranslationServer;
import dev.hymt4j.tensor.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;

/**
 * {@code hymt serve}: the translation server (OpenAI-compatible, LibreTranslate-compatible and native APIs, a web
 * page at {@code /}, Prometheus metrics). It runs until SIGTERM or Ctrl-C, then drains: new requests get 503,
 * in-flight ones finish for up to {@code --shutdown-grace} seconds, the rest are cancelled.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a HY-MT1.5 model over HTTP: OpenAI-compatible /v1/chat/completions and /v1/completions, "
                + "LibreTranslate-compatible /translate, native /v1/translate, a web page at /, /metrics.")
public final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    // Not the ModelOptions mixin: serve's --adapter names several adapters (NAME=DIR), requests choose among them.
    @Reads(Reads.Kind.MODEL)
    @Option(names = "--model", required = true, paramLabel = "DIR|FILE.gguf|REPO",
            description = "Model directory, GGUF file, or hub repo id such as tencent/HY-MT1.5-1.8B (cached, or downloaded when online).")
    String model;

    @Bounds(min = 1, max = 4096)
    @Option(names = "--threads", paramLabel = "N", description = "Compute threads (default: all processors).")
    Integer threads;

    @Reads(Reads.Kind.NAMED_DIRECTORY)
    @Option(names = "--adapter", paramLabel = "NAME=DIR",
            description = "A LoRA adapter (PEFT directory) requests can name as \"model\": \"<model>:NAME\" or \"adapter\": \"NAME\" (repeatable).")
    List<String> adapters = new ArrayList<>();

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to listen on (default ${DEFAULT-VALUE}: this machine only).")
    String host;

    @Bounds(min = 0, max = 65535)
    @Option(names = "--port", defaultValue = "8080", description = "Port to listen on; 0 picks a free one (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--model-name", paramLabel = "ID", description = "The model id the API reports (default: the model directory's name, lower case).")
    String modelName;

    @Bounds(min = 0)
    @Option(names = "--max-queue", defaultValue = "" + ServerOptions.DEFAULT_MAX_QUEUE,
            description = "Sequences that may wait for the model; beyond that requests get 503 with Retry-After; 0 = unbounded (default ${DEFAULT-VALUE}).")
    int maxQueue;

    @Bounds(min = 1, max = 1 << 20)
    @Option(names = "--max-batch-tokens", paramLabel = "N",
            description = "Tokens one engine step may run (decode tokens plus prefill chunks; default: the engine's, 512).")
    Integer maxBatchTokens;

    @Bounds(min = 1, max = 1 << 16)
    @Option(names = "--max-sequences", paramLabel = "N",
            description = "Sequences generated at once (default: the engine's, 64).")
    Integer maxSequences;

    @Bounds(min = 1)
    @Option(names = "--kv-cache-mb", paramLabel = "MB",
            description = "Memory for the paged KV cache (default: a quarter of the heap).")
    Long kvCacheMb;

    @Option(names = "--api-key", paramLabel = "KEY", description = "Require this key (Authorization: Bearer KEY, or api_key for LibreTranslate clients); repeatable.")
    List<String> apiKeys = new ArrayList<>();

    @Reads(Reads.Kind.FILE)
    @Option(names = "--api-key-file", paramLabel = "FILE", description = "Require one of the keys in this file (one per line; # comments).")
    Path apiKeyFile;

    @Option(names = "--cors-origin", paramLabel = "ORIGIN", description = "Let web pages from this origin (e.g. https://app.example.com, or *) call the API; repeatable. Default: none.")
    List<String> corsOrigins = new ArrayList<>();

    @Bounds(min = 1)
    @Option(names = "--max-input-chars", defaultValue = "" + ServerOptions.DEFAULT_MAX_INPUT_CHARS,
            description = "Most characters of input one request may send (default ${DEFAULT-VALUE}).")
    int maxInputChars;

    @Bounds(min = 1)
    @Option(names = "--max-tokens-cap", defaultValue = "" + ServerOptions.DEFAULT_MAX_TOKENS_CAP,
            description = "Largest max_tokens a request may ask for (default ${DEFAULT-VALUE}).")
    int maxTokensCap;

    @Bounds(min = 0)
    @Option(names = "--shutdown-grace", defaultValue = "30", paramLabel = "SECONDS",
            description = "On SIGTERM, how long in-flight requests may finish before they are cancelled (default ${DEFAULT-VALUE}).")
    int shutdownGrace;

    @Override
    public Integer call() throws Exception {
        if (threads != null) Parallel.setThreads(threads);
        EngineOptions.Builder engine = EngineOptions.builder().maxQueue(maxQueue);
        if (maxBatchTokens != null) engine.maxBatchTokens(maxBatchTokens);
        if (maxSequences != null) engine.maxSequences(maxSequences);
        if (kvCacheMb != null) engine.kvCacheBytes(kvCacheMb << 20);
        if (threads != null) engine.threads(threads);
        ServerOptions options = new ServerOptions(ModelLocator.resolve(model),
                modelName != null ? modelName : ServerOptions.defaultModelName(model), adapters(), host, port,
                engine.build(), keys(), corsOrigins, new Limits(maxInputChars, maxTokensCap), Duration.ofSeconds(shutdownGrace));
        PrintWriter out = spec.commandLine().getOut();
        TranslationServer server = TranslationServer.start(options);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            server.shutdown(options.shutdownGrace());
            stopped.countDown();
        }, "hymt-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.printf("hymt serve: listening on %s (loading %s)%n", server.url(), options.modelDir());
        out.flush();
        try {
            server.ready().get();
        } catch (ExecutionException e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            server.close();
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) throw io;
            throw new IllegalStateException(cause.getMessage(), cause);
        }
        out.printf("hymt serve: ready — model %s%s; web page %s/%n", options.modelName(),
                options.adapters().isEmpty() ? "" : ", adapters " + String.join(", ", options.adapters().keySet()), server.url());
        out.flush();
        stopped.await();
        return 0;
    }

    private Map<String, Path> adapters() {
        Map<String, Path> out = new LinkedHashMap<>();
        for (String a : adapters) {
            int eq = a.indexOf('=');
            if (eq <= 0 || eq == a.length() - 1) throw new ParameterException(spec.commandLine(), "--adapter " + a + ": expected NAME=DIR");
            String name = a.substring(0, eq);
            if (out.put(name, Path.of(a.substring(eq + 1))) != null) {
                throw new ParameterException(spec.commandLine(), "--adapter " + name + " is given twice");
            }
        }
        return out;
    }

    private Set<String> keys() throws IOException {
        Set<String> keys = new LinkedHashSet<>(apiKeys);
        if (apiKeyFile != null) {
            if (!Files.isRegularFile(apiKeyFile)) throw new IOException(apiKeyFile + ": file not found");
            for (String line : Files.readAllLines(apiKeyFile, StandardCharsets.UTF_8)) {
                String k = line.strip();
                if (!k.isEmpty() && !k.startsWith("#")) keys.add(k);
            }
            if (keys.isEmpty()) throw new IOException(apiKeyFile + ": no keys in the file (one per line)");
        }
        for (String k : keys) {
            if (k.isBlank() || k.chars().anyMatch(Character::isWhitespace)) {
                throw new ParameterException(spec.commandLine(), "API keys must be non-empty and without spaces");
            }
        }
        return keys;
    }
}
