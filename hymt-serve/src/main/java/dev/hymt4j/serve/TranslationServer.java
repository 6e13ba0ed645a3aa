package dev.hymt4j.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hymt4j.data.LanguageIdRule;
import dev.hymt4j.data.LanguageIdentifier;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * {@code hymt serve}: the HTTP server. It listens at once and answers {@code /health} with 503 while the model
 * loads, then serves the OpenAI-compatible, LibreTranslate-compatible and native APIs, the web page and the
 * metrics, all over one {@link Inference}.
 *
 * <p><b>Why Vert.x (core, over Netty).</b> The server must notice a client that hangs up on a non-streaming
 * request, to cancel its sequence and free its cache. Netty keeps reading every connection while a request is
 * being handled, so a closed connection is seen at once; Jetty (and Javalin, built on it) and Helidon do not
 * read an HTTP/1.1 connection during handling, so they only learn of a gone client when they next write. Vert.x
 * is a maintained Eclipse project, gives HTTP/1.1 keep-alive and pipelining, chunked responses for SSE, and a
 * small API; only {@code vertx-core} is used (routing, CORS and static files are a few lines here).
 *
 * <p>Requests run on the event loop: parsing, validation, tokenizing and language detection are short, and
 * generation happens on the inference thread, whose callbacks hop back to the request's event loop.
 * SIGTERM (via {@link #shutdown}) stops new requests, lets in-flight ones finish up to the grace period, then
 * cancels what is left.
 */
public final class TranslationServer implements AutoCloseable {

    private enum State { LOADING, READY, DRAINING, FAILED }

    /**
     * @param open  answered without an API key
     * @param style error shape; LibreTranslate routes also read forms and the query string, the others read
     *              the body as JSON whatever its Content-Type (as llama-server, so {@code curl -d} works)
     */
    private record Route(Set<HttpMethod> methods, Consumer<Exchange> handler, boolean needsModel, boolean open,
                         Exchange.ErrorStyle style) {}

    private final ServerOptions options;
    private final Metrics metrics = new Metrics();
    private final Vertx vertx;
    private final HttpServer http;
    private final StaticFiles page = StaticFiles.load();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile State state = State.LOADING;
    private volatile String failure;
    private volatile Inference inference;
    private volatile Map<String, Route> routes = Map.of();
    private final ModelNames names;
    private final Loader loader;

    /** How the model is loaded; tests hold it up to see the server while it loads. */
    interface Loader {
        Inference load(ServerOptions options) throws java.io.IOException;
    }

    private TranslationServer(ServerOptions options, Loader loader) {
        this.options = options;
        this.loader = loader;
        this.names = new ModelNames(options.modelName(), options.adapters().keySet());
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(2));
        int maxBody = (int) Math.min(Integer.MAX_VALUE, options.limits().maxBodyBytes());
        this.http = vertx.createHttpServer(new HttpServerOptions().setHost(options.host()).setPort(options.port())
                .setMaxFormAttributeSize(maxBody).setMaxFormBufferedBytes(maxBody).setCompressionSupported(false)
                .setIdleTimeout(0));
        http.requestHandler(this::handle);
    }

    /**
     * Binds the port, then loads the model on another thread; {@link #ready()} completes when it is loaded
     * (or fails with the load error, the server then answering 503 with it).
     */
    public static TranslationServer start(ServerOptions options) {
        return start(options, o -> Inference.load(o.modelDir(), o.adapters(), o.engine()));
    }

    static TranslationServer start(ServerOptions options, Loader loader) {
        TranslationServer server = new TranslationServer(options, loader);
        try {
            server.http.listen().await();
        } catch (RuntimeException e) {
            server.vertx.close();
            throw new IllegalStateException("cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
        }
        Thread.ofPlatform().name("hymt-load").daemon().start(server::load);
        return server;
    }

    private void load() {
        try {
            Inference loaded = loader.load(options);
            LanguageIdentifier identifier = new LanguageIdentifier(LanguageIdRule.Accuracy.LOW);
            inference = loaded;
            routes = routes(loaded, identifier);
            state = State.READY;
            ready.complete(null);
        } catch (Exception | OutOfMemoryError e) {
            failure = e.getMessage() != null ? e.getMessage() : e.toString();
            state = State.FAILED;
            ready.completeExceptionally(e);
        }
    }

    public CompletableFuture<Void> ready() {
        return ready;
    }

    /** The bound port (the real one when {@code port} was 0). */
    public int port() {
        return http.actualPort();
    }

    public String url() {
        return "http://" + options.host() + ":" + port();
    }

    private Map<String, Route> routes(Inference inference, LanguageIdentifier identifier) {
        Limits limits = options.limits();
        OpenAiApi openAi = new OpenAiApi(inference, metrics, names, limits);
        TranslateApi translate = new TranslateApi(inference, metrics, names, limits, identifier);
        LibreTranslateApi libre = new LibreTranslateApi(inference, metrics, limits, translate, !options.apiKeys().isEmpty());
        Set<HttpMethod> post = Set.of(HttpMethod.POST), get = Set.of(HttpMethod.GET);
        Exchange.ErrorStyle openAiStyle = Exchange.ErrorStyle.OPENAI, lt = Exchange.ErrorStyle.LIBRETRANSLATE;
        return Map.ofEntries(
                Map.entry("/v1/chat/completions", new Route(post, openAi::chatCompletions, true, false, openAiStyle)),
                Map.entry("/v1/completions", new Route(post, openAi::completions, true, false, openAiStyle)),
                Map.entry("/v1/translate", new Route(post, translate::translate, true, false, openAiStyle)),
                Map.entry("/tokenize", new Route(post, translate::tokenize, true, false, openAiStyle)),
                Map.entry("/detokenize", new Route(post, translate::detokenize, true, false, openAiStyle)),
                Map.entry("/translate", new Route(post, libre::translate, true, false, lt)),
                Map.entry("/detect", new Route(post, libre::detect, true, false, lt)),
                Map.entry("/languages", new Route(get, libre::languages, false, true, lt)),
                Map.entry("/frontend/settings", new Route(get, libre::frontendSettings, false, true, lt)));
    }

    /** The routes that work before the model has loaded. */
    private Route baseRoute(String path) {
        Set<HttpMethod> get = Set.of(HttpMethod.GET);
        return switch (path) {
            case "/health", "/v1/health" -> new Route(get, this::health, false, true, Exchange.ErrorStyle.OPENAI);
            case "/v1/models" -> new Route(get, this::models, false, true, Exchange.ErrorStyle.OPENAI);
            case "/metrics" -> new Route(get, this::metricsText, false, false, Exchange.ErrorStyle.OPENAI);
            default -> page.has(path) ? new Route(get, ex -> page.serve(path, ex.response), false, true, Exchange.ErrorStyle.OPENAI) : null;
        };
    }

    private void handle(HttpServerRequest req) {
        HttpServerResponse res = req.response();
        String path = req.path();
        Route route = baseRoute(path);
        if (route == null) route = routes.get(path);
        boolean corsAllowed = cors(req, res);
        if (req.method() == HttpMethod.OPTIONS) {
            preflight(req, res, route, corsAllowed);
            return;
        }
        Exchange ex = new Exchange(req, Vertx.currentContext(), new Fields(Exchange.JSON.createObjectNode(), false),
                route != null ? route.style() : Exchange.ErrorStyle.OPENAI);
        // While draining, keep-alive connections are closed after their response so clients reconnect elsewhere.
        if (state == State.DRAINING) res.putHeader("Connection", "close");
        String routeName = route != null || knownApiPath(path) ? path : "other";
        inFlight.incrementAndGet();
        // Vert.x calls the end handler when the response is disposed, also when the connection closed first.
        boolean[] released = {false};
        Runnable release = () -> {
            if (released[0]) return;
            released[0] = true;
            inFlight.decrementAndGet();
            metrics.requestLatency.observe((System.nanoTime() - ex.startNanos) / 1e9);
            if (res.ended()) {
                metrics.request(routeName, res.getStatusCode());
            } else {
                metrics.request(routeName, 499);
                ex.onClientGone();
            }
        };
        res.endHandler(v -> release.run());
        res.closeHandler(v -> release.run());
        try {
            if (route == null) {
                throw state == State.LOADING && knownApiPath(path) ? ApiException.unavailable("Loading model")
                        : ApiException.notFound("not_found", "no such endpoint: " + req.method() + " " + path);
            }
            if (!route.methods().contains(req.method())) {
                String allowed = String.join(", ", route.methods().stream().map(HttpMethod::name).sorted().toList());
                res.putHeader("Allow", allowed);
                throw new ApiException(405, "invalid_request_error", "method_not_allowed", null,
                        path + " accepts " + allowed + ", not " + req.method());
            }
            if (route.needsModel() && state != State.READY) {
                throw ApiException.unavailable(state == State.DRAINING ? "Shutting down"
                        : state == State.FAILED ? "the model failed to load: " + failure : "Loading model");
            }
        } catch (ApiException e) {
            ex.fail(e);
            return;
        }
        Route chosen = route;
        readBody(req, ex, route.style() == Exchange.ErrorStyle.LIBRETRANSLATE, fields -> {
            ex.fields = fields;
            dispatch(chosen, ex);
        });
    }

    private static boolean knownApiPath(String path) {
        return Set.of("/v1/chat/completions", "/v1/completions", "/v1/translate", "/tokenize", "/detokenize",
                "/translate", "/detect", "/languages", "/frontend/settings").contains(path);
    }

    /** Reads the body up to the limit (413 past it), then parses it into fields. */
    private void readBody(HttpServerRequest req, Exchange ex, boolean formsAndQuery, Consumer<Fields> then) {
        long limit = options.limits().maxBodyBytes();
        String type = req.getHeader("Content-Type") == null ? "" : req.getHeader("Content-Type").toLowerCase(Locale.ROOT);
        boolean form = formsAndQuery
                && (type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data"));
        if (form) req.setExpectMultipart(true);
        Buffer body = Buffer.buffer();
        boolean[] tooBig = {false};
        req.handler(chunk -> {
            if (tooBig[0]) return;
            if (body.length() + chunk.length() > limit) {
                tooBig[0] = true;
                ex.response.putHeader("Connection", "close");
                ex.fail(new ApiException(413, "invalid_request_error", "request_too_large", null,
                        "the request body is over this server's limit of " + limit + " bytes (from --max-input-chars)"));
                return;
            }
            if (!form) body.appendBuffer(chunk);
        });
        req.endHandler(v -> {
            if (tooBig[0]) return;
            try {
                then.accept(fields(req, body, form, formsAndQuery));
            } catch (ApiException e) {
                ex.fail(e);
            }
        });
    }

    /** JSON body, form fields or (for LibreTranslate's GET-style clients) the query string, as one object. */
    private static Fields fields(HttpServerRequest req, Buffer body, boolean form, boolean withQuery) {
        ObjectNode merged = Exchange.JSON.createObjectNode();
        MultiMap query = req.params();
        if (withQuery) query.names().forEach(name -> merged.put(name, query.get(name)));
        boolean lenient = withQuery && !query.isEmpty() || form;
        if (form) {
            MultiMap attrs = req.formAttributes();
            attrs.names().forEach(name -> {
                List<String> values = attrs.getAll(name);
                if (values.size() == 1) merged.put(name, values.getFirst());
                else values.forEach(v -> merged.withArray(name).add(v));
            });
        } else if (body.length() > 0) {
            JsonNode json;
            try {
                json = Exchange.parse(body.toString(StandardCharsets.UTF_8));
            } catch (JsonProcessingException e) {
                throw ApiException.invalid(null, "the request body is not valid JSON: " + e.getOriginalMessage()
                        + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
            }
            if (!json.isObject()) throw ApiException.invalid(null, "the request body must be a JSON object");
            merged.setAll((ObjectNode) json);
        }
        return new Fields(merged, lenient);
    }

    private void dispatch(Route route, Exchange ex) {
        if (!route.open() && !authorized(ex.request, ex.fields)) {
            ex.fail(ApiException.unauthorized(ex.request.getHeader("Authorization") == null && !ex.fields.has("api_key")
                    ? "missing API key: send 'Authorization: Bearer KEY'" : "invalid API key"));
            return;
        }
        try {
            route.handler().accept(ex);
        } catch (ApiException e) {
            ex.cancelAll();
            ex.fail(e);
        } catch (RuntimeException e) {
            ex.cancelAll();
            ex.fail(new ApiException(500, "server_error", "internal_error", null, "internal error: " + e));
        }
    }

    private boolean authorized(HttpServerRequest req, Fields fields) {
        if (options.apiKeys().isEmpty()) return true;
        String header = req.getHeader("Authorization");
        String key = null;
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) key = header.substring(7).trim();
        else if (fields.has("api_key") && fields.get("api_key").isTextual()) key = fields.get("api_key").textValue();
        if (key == null) return false;
        byte[] given = key.getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (String k : options.apiKeys()) ok |= MessageDigest.isEqual(given, k.getBytes(StandardCharsets.UTF_8));
        return ok;
    }

    /** Adds CORS headers for an allowed origin; returns whether the request's origin is allowed. */
    private boolean cors(HttpServerRequest req, HttpServerResponse res) {
        String origin = req.getHeader("Origin");
        if (origin == null || options.corsOrigins().isEmpty()) return false;
        boolean any = options.corsOrigins().contains("*");
        if (!any && !options.corsOrigins().contains(origin)) return false;
        res.putHeader("Access-Control-Allow-Origin", any ? "*" : origin);
        if (!any) res.putHeader("Vary", "Origin");
        return true;
    }

    private void preflight(HttpServerRequest req, HttpServerResponse res, Route route, boolean corsAllowed) {
        String methods = route == null ? "GET, POST" : String.join(", ", route.methods().stream().map(HttpMethod::name).sorted().toList());
        if (req.getHeader("Origin") != null && !corsAllowed) {
            res.setStatusCode(403).putHeader("Content-Type", "application/json; charset=utf-8")
                    .end(Exchange.write(Exchange.openAiError(new ApiException(403, "invalid_request_error", "cors_origin_not_allowed",
                            null, "origin " + req.getHeader("Origin") + " is not allowed (--cors-origin)"))));
            return;
        }
        res.putHeader("Allow", methods + ", OPTIONS");
        if (corsAllowed) {
            res.putHeader("Access-Control-Allow-Methods", methods + ", OPTIONS")
                    .putHeader("Access-Control-Allow-Headers", "Authorization, Content-Type")
                    .putHeader("Access-Control-Max-Age", "600");
        }
        res.setStatusCode(204).end();
    }

    private void health(Exchange ex) {
        switch (state) {
            case READY -> ex.sendJson(200, Exchange.JSON.createObjectNode().put("status", "ok"));
            case LOADING -> ex.fail(ApiException.unavailable("Loading model"));
            case DRAINING -> ex.fail(ApiException.unavailable("Shutting down"));
            case FAILED -> ex.fail(ApiException.unavailable("the model failed to load: " + failure));
        }
    }

    private void models(Exchange ex) {
        ObjectNode body = Exchange.JSON.createObjectNode().put("object", "list");
        long created = System.currentTimeMillis() / 1000;
        for (String id : names.ids()) {
            ObjectNode m = body.withArray("data").addObject().put("id", id).put("object", "model").put("created", created)
                    .put("owned_by", "hymt4j");
            int colon = id.indexOf(':');
            if (colon > 0) m.put("parent", id.substring(0, colon)).put("adapter", id.substring(colon + 1));
        }
        ex.sendJson(200, body);
    }

    /** Rendered on the event loop: the engine's snapshot never waits for the step in progress. */
    private void metricsText(Exchange ex) {
        Inference current = inference;
        String text = metrics.render(() -> current == null ? null : current.stats());
        ex.response.setStatusCode(200).putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(text);
    }

    /** Requests being answered now. */
    public int inFlight() {
        return inFlight.get();
    }

    /**
     * Graceful stop: new requests get 503, in-flight ones may finish for up to {@code grace}, then the rest are
     * cancelled (their streams end with finish_reason "cancelled") and the server closes.
     */
    public void shutdown(Duration grace) {
        if (state == State.DRAINING) return;
        state = State.DRAINING;
        long deadline = System.nanoTime() + grace.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Inference current = inference;
        if (current != null) current.cancelAll();
        long flushDeadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < flushDeadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
    }

    @Override
    public void close() {
        state = State.DRAINING;
        try {
            http.close().await();
        } catch (RuntimeException ignored) {
            // already closed
        }
        vertx.close().await();
        Inference current = inference;
        if (current != null) current.close();
    }
}
