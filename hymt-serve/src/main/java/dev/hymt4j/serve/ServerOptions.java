package dev.hymt4j.serve;

import dev.hymt4j.engine.EngineOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How {@code hymt serve} runs.
 *
 * @param modelDir        the model directory (a hub id is resolved by the caller)
 * @param modelName       the id the API reports and accepts for the base model
 * @param adapters        adapter name → PEFT adapter directory, loaded at start-up
 * @param host            address to bind (127.0.0.1 by default: loopback only)
 * @param port            port to bind; 0 picks a free one
 * @param engine          the engine's token budget per step, sequences at once, KV cache budget, threads, and
 *                        {@code maxQueue}: sequences that may wait for the model; more → 503 with Retry-After (0 = unbounded)
 * @param apiKeys         accepted keys (Authorization: Bearer, or LibreTranslate's api_key); empty = no auth
 * @param corsOrigins     origins allowed to call from a browser ("*" for any); empty = no CORS headers
 * @param limits          per-request input and max_tokens limits
 * @param shutdownGrace   how long SIGTERM waits for in-flight requests before cancelling them
 */
public record ServerOptions(Path modelDir, String modelName, Map<String, Path> adapters, String host, int port,
                            EngineOptions engine, Set<String> apiKeys, List<String> corsOrigins, Limits limits,
                            Duration shutdownGrace) {

    public static final int DEFAULT_PORT = 8080;
    public static final int DEFAULT_MAX_QUEUE = 256;
    public static final int DEFAULT_MAX_INPUT_CHARS = 20_000;
    public static final int DEFAULT_MAX_TOKENS_CAP = 2048;

    public ServerOptions {
        Objects.requireNonNull(modelDir, "modelDir");
        Objects.requireNonNull(modelName, "modelName");
        adapters = Map.copyOf(adapters);
        apiKeys = Set.copyOf(apiKeys);
        corsOrigins = List.copyOf(corsOrigins);
        for (String name : adapters.keySet()) {
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw new IllegalArgumentException("adapter name '" + name + "': use letters, digits, '.', '_' and '-'");
            }
        }
        Objects.requireNonNull(engine, "engine");
        if (limits.maxInputChars() < 1) throw new IllegalArgumentException("--max-input-chars must be ≥ 1, got " + limits.maxInputChars());
        if (limits.maxTokensCap() < 1) throw new IllegalArgumentException("--max-tokens-cap must be ≥ 1, got " + limits.maxTokensCap());
    }

    /** Defaults for a model directory: loopback, port 8080, no keys, no CORS. */
    public static ServerOptions defaults(Path modelDir) {
        return new ServerOptions(modelDir, defaultModelName(modelDir.toString()), Map.of(), "127.0.0.1", DEFAULT_PORT,
                EngineOptions.builder().maxQueue(DEFAULT_MAX_QUEUE).build(), Set.of(), List.of(), new Limits(DEFAULT_MAX_INPUT_CHARS, DEFAULT_MAX_TOKENS_CAP),
                Duration.ofSeconds(30));
    }

    /**
     * The model id from a directory, GGUF file or repo id: its last path element, lower case, without a
     * {@code .gguf} extension ({@code hy-mt1.5-1.8b}).
     */
    public static String defaultModelName(String modelDirOrRepoId) {
        String s = modelDirOrRepoId.replace('\\', '/');
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        String last = s.substring(s.lastIndexOf('/') + 1);
        String id = last.toLowerCase(java.util.Locale.ROOT);
        if (id.endsWith(".gguf")) id = id.substring(0, id.length() - ".gguf".length());
        return id.isEmpty() ? "model" : id;
    }

    public ServerOptions withPort(int port) {
        return new ServerOptions(modelDir, modelName, adapters, host, port, engine, apiKeys, corsOrigins, limits, shutdownGrace);
    }

    public ServerOptions withAdapters(Map<String, Path> adapters) {
        return new ServerOptions(modelDir, modelName, adapters, host, port, engine, apiKeys, corsOrigins, limits, shutdownGrace);
    }

    public ServerOptions withEngine(EngineOptions engine) {
        return new ServerOptions(modelDir, modelName, adapters, host, port, engine, apiKeys, corsOrigins, limits, shutdownGrace);
    }

    public ServerOptions withMaxQueue(int maxQueue) {
        return withEngine(engine.toBuilder().maxQueue(maxQueue).build());
    }

    public ServerOptions withApiKeys(Set<String> apiKeys) {
        return new ServerOptions(modelDir, modelName, adapters, host, port, engine, apiKeys, corsOrigins, limits, shutdownGrace);
    }

    public ServerOptions withCorsOrigins(List<String> corsOrigins) {
        return new ServerOptions(modelDir, modelName, adapters, host, port, engine, apiKeys, corsOrigins, limits, shutdownGrace);
    }

    public ServerOptions withLimits(Limits limits) {
        return new ServerOptions(modelDir, modelName, adapters, host, port, engine, apiKeys, corsOrigins, limits, shutdownGrace);
    }

    public ServerOptions withShutdownGrace(Duration grace) {
        return new ServerOptions(modelDir, modelName, adapters, host, port, engine, apiKeys, corsOrigins, limits, grace);
    }
}
