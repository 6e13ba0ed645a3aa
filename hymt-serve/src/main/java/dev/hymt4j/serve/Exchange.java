package dev.hymt4j.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * One HTTP request and its response, on its Vert.x event-loop context. It owns the model sequences the request
 * started: when the client goes away before the response has ended, they are cancelled, which frees their cache.
 * Inference callbacks reach the response through {@link #onContext}, so every write happens on the event loop
 * in the order the tokens came.
 */
final class Exchange {
    static final ObjectMapper JSON = new ObjectMapper();

    /** How errors are written: OpenAI's {@code {"error":{message,type,code,param}}} or LibreTranslate's {@code {"error":"…"}}. */
    enum ErrorStyle { OPENAI, LIBRETRANSLATE }

    final HttpServerRequest request;
    final HttpServerResponse response;
    final Context context;
    Fields fields;
    final ErrorStyle errorStyle;
    final long startNanos = System.nanoTime();
    private final List<Inference.Sequence> sequences = new ArrayList<>();
    private boolean closed;

    /** @param fields the request's fields; empty until the body has been read */
    Exchange(HttpServerRequest request, Context context, Fields fields, ErrorStyle errorStyle) {
        this.request = request;
        this.response = request.response();
        this.context = context;
        this.fields = fields;
        this.errorStyle = errorStyle;
    }

    /** Called once when the connection closed before the response ended. */
    void onClientGone() {
        closed = true;
        sequences.forEach(Inference.Sequence::cancel);
    }

    boolean clientGone() {
        return closed;
    }

    /** Remembers a sequence so that a disconnect cancels it. */
    void own(Inference.Sequence sequence) {
        sequences.add(sequence);
        if (closed) sequence.cancel();
    }

    void cancelAll() {
        sequences.forEach(Inference.Sequence::cancel);
    }

    /** Runs {@code task} on this request's event loop (from the inference thread). */
    void onContext(Runnable task) {
        context.runOnContext(v -> {
            if (!closed) task.run();
        });
    }

    void sendJson(int status, Object body) {
        if (closed || response.ended()) return;
        response.setStatusCode(status).putHeader("Content-Type", "application/json; charset=utf-8").end(write(body));
    }

    void fail(ApiException e) {
        if (closed || response.ended()) return;
        if (response.headWritten()) {
            // A stream already started: the error goes in the stream, as llama-server and vLLM do.
            response.write("data: " + write(openAiError(e)) + "\n\n");
            response.end("data: [DONE]\n\n");
            return;
        }
        if (e.status() == 503) response.putHeader("Retry-After", "1");
        Object body = errorStyle == ErrorStyle.LIBRETRANSLATE ? JSON.createObjectNode().put("error", e.getMessage()) : openAiError(e);
        sendJson(e.status(), body);
    }

    static ObjectNode openAiError(ApiException e) {
        ObjectNode error = JSON.createObjectNode();
        error.put("message", e.getMessage()).put("type", e.type());
        if (e.code() != null) error.put("code", e.code());
        else error.putNull("code");
        if (e.param() != null) error.put("param", e.param());
        else error.putNull("param");
        ObjectNode root = JSON.createObjectNode();
        root.set("error", error);
        return root;
    }

    /** Starts a server-sent-event stream (status 200). */
    void startEvents() {
        response.setStatusCode(200).setChunked(true)
                .putHeader("Content-Type", "text/event-stream; charset=utf-8")
                .putHeader("Cache-Control", "no-cache")
                .putHeader("X-Accel-Buffering", "no");
    }

    /** One SSE event: {@code data: JSON} and a blank line. */
    void event(Object json) {
        if (closed || response.ended()) return;
        response.write("data: " + write(json) + "\n\n");
    }

    /** The stream's end marker, as OpenAI: {@code data: [DONE]}. */
    void endEvents() {
        if (closed || response.ended()) return;
        response.end("data: [DONE]\n\n");
    }

    long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    static String write(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode parse(String text) throws JsonProcessingException {
        return JSON.readTree(text);
    }

    /** A random id such as {@code chatcmpl-3f2a…} for OpenAI responses. */
    static String newId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().replace("-", "").substring(0, 24).toLowerCase(Locale.ROOT);
    }
}
